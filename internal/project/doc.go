// Package project loads project.conf for both BuildStream generations: the
// builtin defaults, the two loading passes (first pass for junctions and
// links, second pass with all includes and options), includes, aliases,
// mirrors, plugin origins, element and source overrides.
//
// It may import yamlnode, options, variables and bsterr.
package project
