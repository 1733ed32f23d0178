// Package loader turns target names into a graph of LoadElements: it reads
// .bst files (in parallel), resolves includes and conditionals, parses
// dependencies of both generations, follows junctions and links, detects
// cycles and sorts each element's dependencies in BuildStream's order.
//
// It may import project, yamlnode, options, variables, pysort and bsterr.
package loader
