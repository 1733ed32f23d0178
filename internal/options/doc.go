// Package options implements BuildStream's project options and the (?)
// conditional and (!) assertion directives, for both BuildStream 1.x and
// 2.x projects (Generation).
//
// A Pool holds the options a project.conf declares (bool, enum, flags,
// element-mask, arch, and in generation 2 os), takes their values from the
// junction configuration, the user configuration and the command line,
// validates them (Resolve), exports them as variables, and then resolves
// the (?) and (!) directives of project.conf, included files and elements
// (Process). Messages, provenance and error reasons follow BuildStream's,
// including where the generations differ (bool parsing, type names in
// messages, arch canonicalization, the os type, element-mask listings,
// restricted project.conf keys).
//
// Expressions are Jinja2 expressions, which BuildStream evaluates inside
// "{% if EXPR %} True {% else %} False {% endif %}" with StrictUndefined and
// no globals. This package has its own lexer, parser, constant folder and
// evaluator for that language (expression.go, expr_*.go) with Python's
// value semantics: bool options are Python bools, enum, arch and os options
// are strings, and flags and element-mask options are lists of strings.
// The lexer and parser mirror jinja2's (so syntax errors read the same),
// the folder mirrors jinja2's compile-time optimizer (whose errors win over
// run-time ones), and the evaluator implements Python's comparisons,
// arithmetic, truth, the builtin tests and the common filters and str
// methods. Messages follow Jinja2 3.1 on CPython 3.11 (the BuildStream 1.6.8
// installation): testdata/eval.golden and testdata/eval_random.golden were
// produced by the real Jinja2 (testdata/gen_eval_golden.py) and
// TestEvalGolden compares every outcome and message.
//
// What bst knowingly does not do says so ("... not supported by bst"):
// dict literals, printf-style % formatting, integers beyond 64 bits, the
// filters and str methods not listed in expr_filters.go and
// expr_methods.go, and template tags inside an expression. Where BuildStream
// crashes on a Python exception (a TypeError from "1 < 'a'", a division by
// zero), bst reports EXPRESSION_FAILED with Python's message instead.
//
// A Pool is filled by one goroutine (Load, Load*Values, Resolve); after
// Resolve it is read-only and Process and Evaluate may be called
// concurrently (compiled expressions are cached under a mutex).
//
// options imports only bsterr and yamlnode (and the standard library).
package options
