// Package elementkey computes the unique key of every element kind bst
// implements, as each BuildStream plugin's get_unique_key() does, for both
// generations (see ../defaults/KINDS.md for the shapes).
//
// It may import plugin, yamlnode and bsterr.
package elementkey
