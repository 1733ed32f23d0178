package corpus

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var (
	updateRatchet = flag.Bool("update-ratchet", false, "rewrite testdata/passing.txt with the checks that pass now")
	showDiffs     = flag.Int("corpus-diffs", 5, "failing elements to show per tree and check, with their first differences")
	runTimeout    = flag.Duration("corpus-timeout", 2*time.Minute, "time limit of one in-process bst run")
)

const ratchetPath = "testdata/passing.txt"

// goldenTrees are the BuildStream 1 trees that have goldens; loadTree is
// the BuildStream 2 tree, which only has to load.
var goldenTrees = []string{"freedesktop-sdk-18.08.39", "freedesktop-sdk-22.08.21"}

const loadTree = "freedesktop-sdk-25.08.15"

// fieldChecks are the --format fields compared as string trees.
var fieldChecks = []string{"vars", "env", "config", "public"}

// archOptions are the project options every golden was made with.
var archOptions = []string{"-o", "target_arch", "x86_64", "-o", "bootstrap_build_arch", "x86_64"}

func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	r := readRatchet(t, ratchetPath)
	o := newOutcomes()
	for _, tree := range goldenTrees {
		t.Run(tree, func(t *testing.T) {
			if !exists(filepath.Join(dir, tree)) || !exists(filepath.Join(dir, tree+".golden")) {
				t.Skipf("%s or its goldens are missing from %s", tree, dir)
			}
			checkGoldenTree(t, dir, tree, r, o)
			r.checkUnevaluated(t, tree, o)
		})
	}
	t.Run(loadTree, func(t *testing.T) {
		if !exists(filepath.Join(dir, loadTree)) {
			t.Skipf("%s is missing from %s", loadTree, dir)
		}
		checkLoadTree(t, dir, loadTree, r, o)
		r.checkUnevaluated(t, loadTree, o)
	})
	if *updateRatchet {
		lines := r.update(o)
		if err := r.write(lines); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d passing checks", r.path, len(lines))
	} else if n := r.newPasses(o); n > 0 {
		t.Logf("%d checks pass that %s does not list; record them with: go test ./internal/testbst/corpus -update-ratchet", n, r.path)
	}
}

// checkGoldenTree runs the five `bst show` invocations the goldens were made
// with (concurrently, while the goldens are read) and compares them.
func checkGoldenTree(t *testing.T, corpus, tree string, r *ratchet, o *outcomes) {
	goldenDir := filepath.Join(corpus, tree+".golden")
	sb := newSandbox(t, filepath.Join(corpus, tree))
	conf := sb.userConfig(t, filepath.Join(goldenDir, "buildstream.conf"))
	g, err := readGolden(goldenDir)
	if err != nil {
		t.Fatalf("reading goldens: %v", err)
	}
	base := append([]string{"--no-colors", "-c", conf}, archOptions...)
	base = append(base, "show", "--deps", "all", "--format")
	formats := map[string]string{"key": "%{name} %{full-key}"}
	for _, f := range fieldChecks {
		formats[f] = fieldFormat(f)
	}
	runs := map[string]runResult{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for check, format := range formats {
		args := append(append(append([]string{}, base...), format), g.targets...)
		wg.Go(func() {
			res := sb.run(context.Background(), *runTimeout, args...)
			mu.Lock()
			runs[check] = res
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, check := range append([]string{"key"}, fieldChecks...) {
		t.Logf("%s %s: bst show took %.2fs", tree, check, runs[check].elapsed.Seconds())
	}

	keysRun := runs["key"]
	var got keyListing
	if keysRun.err == nil {
		got, err = parseKeys(keysRun.stdout)
	}
	orderCheck(tree, g, got, keysRun, err).report(t, r, o, *showDiffs)
	keyCheck(tree, g, got, keysRun, err).report(t, r, o, *showDiffs)
	for _, field := range fieldChecks {
		fieldCheck(tree, field, g, runs[field]).report(t, r, o, *showDiffs)
	}
}

// orderCheck compares the element list and its order with keys.txt.
func orderCheck(tree string, g *golden, got keyListing, run runResult, parseErr error) *checkResult {
	c := &checkResult{tree: tree, check: "order", total: 1}
	switch {
	case run.err != nil:
		// The key check, which reads the same run, prints bst's error.
		c.bad("all", "bst failed: "+firstLine(run.err))
		c.summary, c.runFailed = "bst failed", true
		return c
	case parseErr != nil:
		c.bad("all", parseErr.Error())
		c.summary, c.runFailed = "output does not parse: "+parseErr.Error(), true
		return c
	}
	want := g.keys.names
	missing, extra := 0, 0
	for _, n := range want {
		if _, ok := got.keys[n]; !ok {
			missing++
		}
	}
	for _, n := range got.names {
		if _, ok := g.keys.keys[n]; !ok {
			extra++
		}
	}
	first := -1
	for i := range max(len(want), len(got.names)) {
		if i >= len(want) || i >= len(got.names) || want[i] != got.names[i] {
			first = i
			break
		}
	}
	if first < 0 {
		c.ok("all")
		c.summary = fmt.Sprintf("match (%d elements)", len(want))
		return c
	}
	at := func(l []string, i int) string {
		if i < len(l) {
			return l[i]
		}
		return "(end)"
	}
	d := fmt.Sprintf("got %d elements, want %d (%d missing, %d extra); first difference at #%d: got %s, want %s",
		len(got.names), len(want), missing, extra, first+1, at(got.names, first), at(want, first))
	c.bad("all", d)
	c.summary = "differs: " + d
	return c
}

// keyCheck compares every element's full cache key with keys.txt.
func keyCheck(tree string, g *golden, got keyListing, run runResult, parseErr error) *checkResult {
	c := &checkResult{tree: tree, check: "key", total: len(g.keys.names)}
	for _, name := range g.keys.names {
		want := g.keys.keys[name]
		switch gk, ok := got.keys[name]; {
		case run.err != nil:
			c.bad(name, "bst failed: "+firstLine(run.err))
		case parseErr != nil:
			c.bad(name, parseErr.Error())
		case !ok:
			c.bad(name, "not shown")
		case gk != want:
			c.bad(name, fmt.Sprintf("want %s, got %s", want, gk))
		default:
			c.ok(name)
		}
	}
	if run.err != nil {
		c.note, c.runFailed = "bst failed: "+run.failure(), true
	} else if parseErr != nil {
		c.note, c.runFailed = "output does not parse: "+parseErr.Error(), true
	}
	return c
}

// fieldCheck compares one field (vars, env, config, public) per element.
func fieldCheck(tree, field string, g *golden, run runResult) *checkResult {
	c := &checkResult{tree: tree, check: field, total: len(g.keys.names)}
	want, ok := g.fields[field]
	if !ok {
		for _, name := range g.keys.names {
			c.bad(name, fmt.Sprintf("golden unreadable: %v", g.errs[field]))
		}
		c.note, c.runFailed = fmt.Sprintf("golden unreadable: %v", g.errs[field]), true
		return c
	}
	var got dump
	err := run.err
	if err == nil {
		got, err = parseDump(run.stdout, field)
		if err != nil {
			c.note, c.runFailed = "output does not parse: "+err.Error(), true
		}
	} else {
		c.note, c.runFailed = "bst failed: "+run.failure(), true
	}
	for _, name := range g.keys.names {
		w, inGolden := want.values[name]
		gv, shown := got.values[name]
		switch {
		case err != nil:
			c.bad(name, firstLine(err))
		case !inGolden:
			c.bad(name, "golden has no entry")
		case !shown:
			c.bad(name, "not shown")
		default:
			if diffs := diffTrees(field, w, gv, nil, 3); len(diffs) > 0 {
				c.bad(name, diffs...)
			} else {
				c.ok(name)
			}
		}
	}
	return c
}

// corpusDir finds the corpus: $BST_CORPUS_DIR, or ../shared/corpus next to
// the module root (found by walking up to go.mod). It skips when missing.
func corpusDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("BST_CORPUS_DIR"); d != "" {
		if !exists(d) {
			t.Skipf("BST_CORPUS_DIR=%s does not exist", d)
		}
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if exists(filepath.Join(dir, "go.mod")) {
			d := filepath.Join(filepath.Dir(dir), "shared", "corpus")
			if !exists(d) {
				t.Skipf("corpus not found at %s (set BST_CORPUS_DIR)", d)
			}
			return d
		}
		if filepath.Dir(dir) == dir {
			t.Skip("no go.mod above the test directory; set BST_CORPUS_DIR")
		}
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
