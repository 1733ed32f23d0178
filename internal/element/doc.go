// Package element holds each element's state at run time: its composited
// and resolved variables, environment, configuration, public data, sandbox
// configuration and sources, and its build and runtime dependencies.
//
// Composition follows BuildStream: builtin defaults, project.conf, the
// kind's default YAML, project.conf `elements:`/`sources:` overrides, then
// the .bst file.
//
// It may import loader, project, plugin, cachekey, variables, options (for
// canonical architecture names, and the conditionals of project.refs), yamlnode and bsterr.
package element
