// Package crash kills bst with SIGKILL in the middle of its work and
// checks that the caches it leaves behind are consistent: nothing
// half-written is visible as complete, and the next run succeeds.
//
// Test-only; it builds ./cmd/bst and runs it as a subprocess.
package crash
