// Package quota checks, through bst's commands, that the local cache
// keeps to its quota: filling it past the quota ends under the low
// watermark, and what the running command needs survives.
//
// Test-only; it may import testbst and cas.
package quota
