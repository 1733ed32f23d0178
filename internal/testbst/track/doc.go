// Package track checks `bst source track` on BuildStream 2 projects whose
// `git` sources keep their ref in two keys, `ref` and `tags`: what is
// written into the element file or project.refs (goldens), the unique key
// computed from it (against BuildStream 2's documented shape), and the tags
// the staged checkout gets. The repository is served from file:// and
// from git http-backend on 127.0.0.1.
//
// Test-only; it may import internal/testbst.
package track
