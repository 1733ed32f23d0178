// Package splitrules implements BuildStream's split rules: the translation of
// split-rule globs into regular expressions, the classification of artifact
// paths into split domains, and the include/exclude/orphans selection that
// Element.stage_artifact, compose and filter elements apply to an artifact's
// files.
//
// The behaviour follows BuildStream 1.6.8 (utils._glob2re,
// utils.list_relative_paths and Element.__compute_splits); testdata holds the
// answers of the real Python implementation, which the tests replay.
//
// # Globs
//
// Glob2Re translates one glob into a regular expression in Go syntax:
//
//	**       any characters, including "/"
//	*        any characters except "/"
//	?        one character except "/"
//	[abc]    one of the listed characters; ranges a-z; [!...] negates;
//	         a "]" right after "[" or "[!" is a member; "[^" is a literal "^"
//	         member, not a negation; backslashes are ordinary members
//	other    itself (there is no escaping: "\" is a literal backslash)
//
// An unterminated "[" is a literal "[". A range whose end is lower than its
// start (Python's "bad character range") is an error.
//
// # Anchoring
//
// BuildStream compiles a domain as "^(?:r1|...)$" with re.MULTILINE|re.DOTALL
// and tests it with re.match, so the match must start at offset 0 and every
// alternative ends with \Z. Compile writes the same thing as
// "(?ms)\A(?:r1|...)$": \A because re.match pins the start (a multi-line "^"
// in Go would also match after a newline), "s" for DOTALL, "m" for the
// multi-line "$" (only visible with an empty rule list).
//
// # Leading slash
//
// Element.__compute_splits matches "/" + path: rules are written with
// absolute paths ("%{libdir}/lib*.so*") while artifact paths are relative.
// Classify and Select do the same and return paths without leading slashes.
package splitrules
