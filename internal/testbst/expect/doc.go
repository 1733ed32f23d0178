// Package expect owns the schema of the conformance data's expectations.yaml
// files (modules, cases, setup operations, host preconditions, steps) and the
// matcher that decides whether one bst run meets a case's `expect` block.
//
// Matching follows the reference runner shipped with the data
// (_tools/run_bst16.py check()): stdout is parsed as YAML with every scalar a
// string, as BuildStream's own tests do; mappings are matched as subsets,
// lists as prefixes, and {__bool__}, {__len__, __index__} are special forms.
//
// expect does not run bst, so it never imports cli. It may import bsterr and
// go.yaml.in/yaml/v3.
package expect
