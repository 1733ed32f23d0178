// Package build runs `bst build` end to end: import, stack, compose and a
// BuildElement built in the bubblewrap sandbox on a busybox sysroot, then
// `bst artifact checkout`.
//
// Test-only; it may import testbst.
package build
