// Package yamlnode is bst's YAML layer: it parses YAML files into nodes that
// remember where they came from (file, line, column), treats every scalar as
// a string as BuildStream does, and implements BuildStream's composition of
// mappings with the list directives (<), (>) and (=).
//
// Lines are 1-based and columns 0-based in provenance, matching BuildStream's
// messages ("project.conf [line 5 column 4]").
//
// Parse reads the simple YAML that BuildStream projects are written in with
// a parser of its own (fast_parser.go), several times faster than yaml.v3,
// and hands everything else, errors included, to yaml.v3; both paths give
// the same trees.
//
// yamlnode imports only bsterr (and the YAML parser).
package yamlnode
