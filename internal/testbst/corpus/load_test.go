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

// loadExcluded are the elements of the BuildStream 2 tree left out of the
// load check, with the reason; as with the goldens' targets, these are
// elements that no bst can show without network access.
var loadExcluded = map[string]string{
	"tests/check-abi.bst":       "needs the git_repo junction abi/reference-abi.bst to be fetched",
	"tests/check-abi-extra.bst": "needs the git_repo junction abi/reference-abi.bst to be fetched",
}

// checkLoadTree shows every non-junction element of a tree that has no
// goldens, all at once (`<tree> load all`). When that works every element
// loads (`<tree> load <element>`); when it fails, elements are shown one by
// one, in parallel, until the budget runs out, and the rest stay unknown.
func checkLoadTree(t *testing.T, corpus, tree string, r *ratchet, o *outcomes) {
	sb := newSandbox(t, filepath.Join(corpus, tree))
	addGeneratedInputs(t, sb.project)
	targets, links, err := listTargets(sb.project)
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
			// A link element shows as the element it links to.
			if shown[e] || links[e] {
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
	how := "shown all at once"
	if all.err != nil {
		how = "shown one by one"
	}
	each.summary = fmt.Sprintf("%d/%d elements load (%s)", len(each.passed), each.total, how)
	each.report(t, r, o, *showDiffs)
}

// loadOneByOne shows each target on its own until the budget runs out;
// targets not started by then are recorded as unknown. Runs already started
// finish (they are short), so none is left writing into the sandbox after
// the test. It logs the most common errors.
func loadOneByOne(t *testing.T, sb *sandbox, base, targets []string, c *checkResult, o *outcomes) {
	deadline := time.Now().Add(*loadBudget)
	results := make([]*runResult, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				res := sb.run(context.Background(), *runTimeout, append(base[:len(base):len(base)], targets[i])...)
				results[i] = &res
			}
		})
	}
	for i := range targets {
		if time.Now().After(deadline) {
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

// generatedInputs are files that upstream's Makefile (or justfile)
// generates, that elements of the BuildStream 2 tree include, and that the
// tree does not hold: ostree-config.yml (vm/config/ostree.bst,
// vm/minimal-ostree/*.bst; the 22.08.21 tree has it as an edit, with this
// content) and secure-version.yml (vm/minimal-secure/usr-image.bst; `make
// setup-secure-vm` writes "sdk-version: <tag without freedesktop-sdk->").
var generatedInputs = map[string]string{
	"ostree-config.yml":  "ostree-remote-url: \"http://127.0.0.1:8000/\"\nostree-branch: \"freedesktop-sdk/x86_64\"\n",
	"secure-version.yml": "sdk-version: 25.08.15\n",
}

// addGeneratedInputs writes generatedInputs into the sandbox's copy of the
// tree where it lacks them.
func addGeneratedInputs(t *testing.T, project string) {
	t.Helper()
	var added []string
	for name, content := range generatedInputs {
		p := filepath.Join(project, name)
		if exists(p) {
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		added = append(added, name)
	}
	if len(added) > 0 {
		sort.Strings(added)
		t.Logf("added generated inputs the tree lacks: %s", strings.Join(added, ", "))
	}
}

// listTargets lists every .bst file below the project's element path that
// is not a junction nor in loadExcluded, sorted, as the goldens'
// targets.txt were made, and says which are links.
func listTargets(project string) (targets []string, links map[string]bool, err error) {
	conf, err := readYAMLFile(filepath.Join(project, "project.conf"))
	if err != nil {
		return nil, nil, err
	}
	elementPath := "."
	if m, ok := conf.(map[string]any); ok {
		if p, ok := m["element-path"].(string); ok {
			elementPath = p
		}
	}
	root := filepath.Join(project, elementPath)
	links = map[string]bool{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".bst") {
			return err
		}
		doc, err := readYAMLFile(p)
		if err != nil {
			return err
		}
		kind := ""
		if m, ok := doc.(map[string]any); ok {
			kind, _ = m["kind"].(string)
		}
		rel, err := filepath.Rel(root, p)
		name := filepath.ToSlash(rel)
		if _, skip := loadExcluded[name]; skip || kind == "junction" {
			return err
		}
		targets = append(targets, name)
		links[name] = kind == "link"
		return err
	})
	sort.Strings(targets)
	return targets, links, err
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
