package testbst

import (
	"errors"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
)

// Result is what one in-process bst invocation did.
type Result struct {
	Args   []string
	Stdout string
	// Stderr is what bst wrote to stderr followed by cli.Report of Err: what
	// a user of the bst binary would see.
	Stderr string
	Err    error // nil iff bst would have exited 0
}

// ExitCode is the code the bst binary would exit with (cli.Main's mapping).
func (r Result) ExitCode() int {
	if r.Err == nil {
		return 0
	}
	return 255
}

// MainError returns the main error's domain and reason: those of the first
// *bsterr.Error in Err's chain, or "" if there is none.
func (r Result) MainError() (bsterr.Domain, bsterr.Reason) {
	var be *bsterr.Error
	if errors.As(r.Err, &be) {
		return be.Domain, be.Reason
	}
	return "", ""
}

// AssertSuccess fails t unless bst succeeded.
func (r Result) AssertSuccess(t testing.TB) {
	t.Helper()
	if r.Err != nil {
		t.Errorf("bst %s: unexpected error: %v\n%s", strings.Join(r.Args, " "), r.Err, r.output())
	}
}

// AssertMainError fails t unless bst failed with a main error of this domain
// and reason (as BuildStream's Result.assert_main_error); reason "" accepts
// any reason.
func (r Result) AssertMainError(t testing.TB, domain bsterr.Domain, reason bsterr.Reason) {
	t.Helper()
	if r.Err == nil {
		t.Errorf("bst %s: succeeded, expected error %s/%s\n%s", strings.Join(r.Args, " "), domain, reason, r.output())
		return
	}
	d, re := r.MainError()
	if d != domain || (reason != "" && re != reason) {
		t.Errorf("bst %s: error %s/%s, expected %s/%s: %v\n%s",
			strings.Join(r.Args, " "), d, re, domain, reason, r.Err, r.output())
	}
}

func (r Result) output() string {
	return "stdout:\n" + r.Stdout + "\nstderr:\n" + r.Stderr
}
