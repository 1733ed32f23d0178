// Package yamlnode is bst's YAML layer: it parses YAML files into nodes that
// remember where they came from (file, line, column), treats every scalar as
// a string as BuildStream does, and implements BuildStream's composition of
// mappings with the list directives (<), (>) and (=).
//
// Lines are 1-based and columns 0-based in provenance, matching BuildStream's
// messages ("project.conf [line 5 column 4]").
//
// yamlnode imports only bsterr (and the YAML parser).
package yamlnode
