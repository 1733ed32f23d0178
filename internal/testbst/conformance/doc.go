// Package conformance runs every CLI case of the BuildStream format
// conformance data (format/bst-1.6/** and format/bst-2/** of
// ../shared/conformance, or $BST_CONFORMANCE_DIR) against bst, in-process
// through testbst.Run, behind a ratchet.
//
// Each case is a parallel subtest named <set>/<module>/<case id>, e.g.
//
//	go test ./internal/testbst/conformance -run 'TestFormat/bst-2/options/' -v
//
// (brackets in ids are regexp syntax: escape them, test_x\[True\]). A case
// copies its module directory into a temporary directory, applies the
// case's setup ops, writes its user_config and runs
// `bst --no-colors --config <conf> --directory <project> <args...>` like the
// upstream harness, then checks `expect` and any `steps` with package
// expect. Cases marked impossible, and cases whose host precondition (uname)
// does not hold here, are skipped with the reason.
//
// testdata/passing.txt lists the cases that pass, one <set>/<module>/<id> a
// line, sorted. A listed case that fails fails the test; an unlisted one may
// fail (it is logged). -update-ratchet rewrites the file with the cases that
// pass now (cases not run keep their line). After the run TestMain prints a
// per-module summary (visible with -v), and testdata/failures.txt (ignored
// by git) lists each failing case with a one-line reason.
//
// TestCacheKeys runs the three cache key sets (cachekey/{bst-1.6,bst-2,
// bst-plugins}): it copies each project, restores the symlink
// files/local/usr/bin/goodbye -> hello and hello's mode 0755 (the shared
// copy lost them), runs `bst show --format '%{name}::%{full-key}'
// target.bst` and compares every element's key with its .expected file,
// one subtest per element (TestCacheKeys/<set>/<element>; an element that
// target.bst does not reach, or every element when target.bst fails, is
// shown on its own, so an unimplemented kind fails only the elements that
// use it, with bst's error). The CASE.yaml extra checks run as subtests too:
// test_cache_key_fatal_warnings[...] (keys equal iff the sets of
// fatal-warnings are) and test_keys_stable_over_targets. Its ratchet is
// testdata/cachekey-passing.txt (same -update-ratchet flag), its failures
// go to testdata/cachekey-failures.txt, and TestMain prints one line per
// set: "cachekey bst-1.6: 26/26 keys match, 5/5 extra checks pass".
//
// The package is test-only: its tests may import testbst, testbst/expect,
// bsterr, golang.org/x/sys/unix and go.yaml.in/yaml/v3.
package conformance
