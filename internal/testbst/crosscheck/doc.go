// Package crosscheck runs bst and BuildStream 1.6.8 (the Debian package)
// side by side on the same projects, with sources served on 127.0.0.1,
// and checks that they agree: refs written by tracking, keys, built
// trees, and (ostree) the staged tree against BuildStream's artifact.
//
// Test-only; it may import internal/testbst.
package crosscheck
