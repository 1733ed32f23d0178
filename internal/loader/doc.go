// Package loader turns target names into a graph of LoadElements: it reads
// .bst files (in parallel), resolves includes and conditionals, parses
// dependencies of both generations, follows junctions and links (with 2.x
// junction overrides), detects cycles and sorts each element's
// dependencies in BuildStream's order. For 2.x projects it also checks
// that no project is loaded through conflicting junctions
// (Loader.CheckConflicts).
//
// It may import project, yamlnode, options, variables, pysort and bsterr.
package loader
