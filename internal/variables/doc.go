// Package variables implements BuildStream's %{name} variable language.
//
// A value such as "%{prefix}/lib" is parsed once into a [Template]: literal
// text interleaved with variable references. A [Parser] memoizes templates by
// their source text; it is safe for concurrent use and is meant to be shared
// by a whole session, since the same few hundred strings recur in thousands of
// elements.
//
// A [Table] holds variable definitions in layers, mirroring how BuildStream
// composites them: project base, then plugin (kind) defaults and project
// overrides, then the element itself. [NewTable] makes the bottom layer and
// [Table.Extend] adds one on top. A table is immutable; a layer used as a
// parent is resolved once, and a child only re-resolves the variables its own
// definitions can affect (its overrides and everything that transitively
// refers to them), sharing every other resolved value with its parent.
//
// Resolution is lazy (on the first query) and memoized per table. Errors are
// reported as BuildStream does, in the LOAD domain:
//
//   - UNRESOLVED_VARIABLE: "Reference to undefined variable 'x'", with the
//     provenance of the variable whose value holds the reference, or of the
//     expanded string itself;
//   - CIRCULAR_REFERENCE_VARIABLE: "Circular dependency detected on variable
//     'a'", with one detail line per edge of the cycle, each carrying the
//     provenance of the referring variable;
//   - PROTECTED_VARIABLE_REDEFINED from [Table.CheckProtected].
//
// When several variables are broken, the one reported is the one BuildStream
// reports: variables are checked in definition order and each is explored in
// the same order as BuildStream's iterative resolver.
//
// The syntax is the same in BuildStream 1.6 and 2.x: a reference is "%{" then
// a name matching [a-zA-Z][a-zA-Z0-9_-]* then "}". Anything else, including
// "%{" without a closing brace, "%{ name }" and "%{1x}", is literal text.
// There is no escape: "%%{a}" is "%" followed by the value of a. The
// [Generation] only changes how the notparallel variable is read.
//
// variables imports only internal/bsterr.
package variables
