// Package corpus holds the corpus golden test: it runs bst in-process over
// the real BuildStream projects of the shared corpus and compares what
// `bst show` prints with the BuildStream 1.6.8 goldens.
//
// The corpus lives at ../shared/corpus relative to the module root, or at
// $BST_CORPUS_DIR; the test skips when it is missing. For the two
// BuildStream 1 trees (freedesktop-sdk-18.08.39 and 22.08.21) it checks, per
// element, the order of `show --deps all`, the full cache key, and the
// resolved variables, environment, element configuration and public data.
// For the BuildStream 2 tree (freedesktop-sdk-25.08.15), which has no
// goldens, it checks that every non-junction element loads, except two that
// need a git junction fetched (loadExcluded).
//
// What passes is recorded in testdata/passing.txt, one `<tree> <check>
// <element>` line each (the order and the all-at-once load are one line per
// tree, with the element "all"). A listed check that fails fails the test;
// `go test ./internal/testbst/corpus -update-ratchet` rewrites the file with
// what passes now. Run with -v to see the per-tree summary:
//
//	freedesktop-sdk-22.08.21 vars: 1040/1051 match
//
// The package is test-only. Its tests may import internal/cli (the bst entry
// point) and go.yaml.in/yaml/v3, nothing else of bst.
package corpus
