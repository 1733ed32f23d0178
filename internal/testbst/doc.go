// Package testbst is the test-only harness that runs bst in-process.
//
// Run calls cli.Execute with an isolated environment (HOME and the XDG
// directories point into the test's temporary directory, never the real
// user's), captures stdout and stderr, and returns the error value itself so
// tests compare bsterr domains and reasons rather than message text, as
// BuildStream's own assert_main_error does.
//
// Subpackages: expect holds the conformance expectations.yaml schema and its
// matcher (no cli import, so it is table-tested on its own); conformance runs
// every case of the conformance data against bst behind a ratchet.
//
// testbst is imported only by tests. It may import cli and bsterr.
package testbst
