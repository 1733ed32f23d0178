package corpus

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

var loadBudget = flag.Duration("corpus-load-budget", 20*time.Second,
	"time for showing the BuildStream 2 tree's elements one by one when they do not load all at once")

// checkLoadTree shows every non-junction element of a tree that has no
// goldens, all at once (`<tree> load all`). When that works every element
// loads (`<tree> load <element>`); when it fails, elements are shown one by
// one, in parallel, until the budget runs out, and the rest stay unknown.
func checkLoadTree(t *testing.T, corpus, tree string, r *ratchet, o *outcomes) {
	sb := newSandbox(t, filepath.Join(corpus, tree))
	targets, err := listTargets(sb.project)
	if err != nil {
		t.Fatalf("listing elements: %v", err)
	}
	base := append(append([]string{"--no-colors"}, archOptions...), "show", "--deps", "all", "--format", "%{name}")
	all := sb.run(context.Background(), *runTimeout, append(base, targets...)...)
	t.Logf("%s load: bst show of %d elements took %.2fs", tree, len(targets), all.elapsed.Seconds())

	whole := &checkResult{tree: tree, check: "load", total: 1}
	each := &checkResult{tree: tree, check: "load", total: len(targets)}
	if all.err == nil {
		whole.ok("all")
		whole.summary = "all load"
		shown := map[string]bool{}
		for _, l := range strings.Split(all.stdout, "\n") {
			shown[strings.TrimSpace(l)] = true
		}
		for _, e := range targets {
			if shown[e] {
				each.ok(e)
			} else {
				each.bad(e, "loaded but not shown")
			}
		}
	} else {
		whole.bad("all", "bst failed: "+firstLine(all.err))
		whole.summary = "fails"
		whole.note, whole.runFailed = all.failure(), true
		loadOneByOne(t, sb, base, targets, each, o)
	}
	whole.report(t, r, o, *showDiffs)
	each.summary = fmt.Sprintf("%d/%d elements load on their own", len(each.passed), each.total)
	each.report(t, r, o, 0)
}

// loadOneByOne shows each target on its own until the budget runs out;
// targets not reached are recorded as unknown. It logs the most common
// errors.
func loadOneByOne(t *testing.T, sb *sandbox, base, targets []string, c *checkResult, o *outcomes) {
	deadline := time.Now().Add(*loadBudget)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	results := make([]*runResult, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				res := sb.run(ctx, *runTimeout, append(base[:len(base):len(base)], targets[i])...)
				if ctx.Err() == nil {
					results[i] = &res
				}
			}
		})
	}
	for i := range targets {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()

	errCount := map[string]int{}
	unknowns := 0
	for i, e := range targets {
		switch res := results[i]; {
		case res == nil:
			unknowns++
			o.set(c.tree, c.check, e, unknown)
		case res.err != nil:
			c.bad(e, res.failure())
			errCount[firstLine(res.err)]++
		default:
			c.ok(e)
		}
	}
	if unknowns > 0 {
		t.Logf("%s load: %d of %d elements not shown on their own within %v", c.tree, unknowns, len(targets), *loadBudget)
	}
	msgs := make([]string, 0, len(errCount))
	for m := range errCount {
		msgs = append(msgs, m)
	}
	sort.Slice(msgs, func(i, j int) bool { return errCount[msgs[i]] > errCount[msgs[j]] })
	for i, m := range msgs {
		if i == 10 {
			break
		}
		t.Logf("%s load: %d elements: %s", c.tree, errCount[m], m)
	}
}

// listTargets lists every .bst file below the project's element path that
// is not a junction, sorted, as the goldens' targets.txt were made.
func listTargets(project string) ([]string, error) {
	conf, err := readYAMLFile(filepath.Join(project, "project.conf"))
	if err != nil {
		return nil, err
	}
	elementPath := "."
	if m, ok := conf.(map[string]any); ok {
		if p, ok := m["element-path"].(string); ok {
			elementPath = p
		}
	}
	root := filepath.Join(project, elementPath)
	var targets []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".bst") {
			return err
		}
		doc, err := readYAMLFile(p)
		if err != nil {
			return err
		}
		if m, ok := doc.(map[string]any); ok && m["kind"] == "junction" {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		targets = append(targets, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(targets)
	return targets, err
}

func readYAMLFile(path string) (any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, err := parseStringTree(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return v, nil
}
