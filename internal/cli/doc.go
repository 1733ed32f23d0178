// Package cli owns bst's command tree, flag parsing, --format rendering and
// the mapping from errors to exit codes. It is the only package that writes to
// the terminal; only cmd/bst and internal/testbst import it.
//
// It may import stream, userconfig, msg and bsterr.
package cli
