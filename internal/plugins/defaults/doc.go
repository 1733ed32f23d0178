// Package defaults holds the plugin default configuration and per-kind
// metadata of both BuildStream generations, as data.
//
// For each generation it carries:
//
//   - the builtin project defaults (Project), the data BuildStream composites
//     under every project.conf: variables, environment, environment-nocache,
//     split-rules, sandbox, shell and the other top-level defaults;
//   - the default YAML of every element kind that ships one (the file that
//     sits beside the Python plugin upstream), embedded from
//     bst1/elements/<kind>.yaml and bst2/elements/<kind>.yaml;
//   - a table of element kinds (Elements) and source kinds (Sources) with
//     where each comes from, the configuration keys its configure() accepts
//     and the plugin class attributes that enter cache keys.
//
// No source plugin of either generation ships default YAML: a source's
// defaults come only from project.conf `sources:` overrides, so every
// SourceKind has nil Defaults.
//
// The YAML files are written in our own layout: every scalar is quoted or a
// literal block, because BuildStream treats every value as a string, and no
// upstream comments are kept. Their values are BuildStream's, byte for byte:
// cache keys hash them. KINDS.md beside this file records, per kind, the
// unique key each plugin contributes to the cache key and what was surprising.
//
// Values are built inside the functions on every call; the only package-level
// variable is the read-only embedded file system.
//
// Imports: the standard library's embed package only.
package defaults
