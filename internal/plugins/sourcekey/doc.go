// Package sourcekey computes the unique key of every source kind bst
// implements, as each BuildStream plugin's get_unique_key() does, for both
// generations. The values are hashed into cache keys, so their shape must
// match BuildStream's exactly (see ../defaults/KINDS.md).
//
// It may import cas, digest, yamlnode and bsterr.
package sourcekey
