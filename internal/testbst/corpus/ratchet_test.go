package corpus

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// outcome is the result of one `<tree> <check> <element>` check.
type outcome int8

const (
	pass    outcome = iota + 1
	fail            // checked and failed
	unknown         // not checked this time (a time budget ran out)
)

// outcomes collects what this run found. Trees are recorded one after the
// other from the test goroutine, so it needs no lock.
type outcomes struct {
	trees map[string]bool    // trees evaluated this run
	m     map[string]outcome // by ratchet line
}

func newOutcomes() *outcomes {
	return &outcomes{trees: map[string]bool{}, m: map[string]outcome{}}
}

func ratchetLine(tree, check, element string) string {
	return tree + " " + check + " " + element
}

func (o *outcomes) set(tree, check, element string, oc outcome) {
	o.trees[tree] = true
	o.m[ratchetLine(tree, check, element)] = oc
}

// ratchet is the set of checks recorded as passing (testdata/passing.txt).
type ratchet struct {
	path  string
	lines map[string]bool
}

func readRatchet(t *testing.T, path string) *ratchet {
	t.Helper()
	r := &ratchet{path: path, lines: map[string]bool{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return r
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if len(strings.Fields(l)) != 3 {
			t.Fatalf("%s: malformed line %q (want <tree> <check> <element>)", path, l)
		}
		r.lines[l] = true
	}
	return r
}

func (r *ratchet) has(tree, check, element string) bool {
	return r.lines[ratchetLine(tree, check, element)]
}

// checkUnevaluated fails for listed lines of tree that this run did not
// evaluate at all (an element that vanished from the goldens, a check that
// was not run), and notes listed lines whose outcome is unknown.
func (r *ratchet) checkUnevaluated(t *testing.T, tree string, o *outcomes) {
	t.Helper()
	var missing, unknowns []string
	for l := range r.lines {
		if !strings.HasPrefix(l, tree+" ") {
			continue
		}
		switch o.m[l] {
		case 0:
			missing = append(missing, l)
		case unknown:
			unknowns = append(unknowns, l)
		}
	}
	sort.Strings(missing)
	for i, l := range missing {
		if i == 20 {
			t.Errorf("... and %d more listed checks not evaluated", len(missing)-i)
			break
		}
		t.Errorf("%s lists %q, which this run did not evaluate", r.path, l)
	}
	if len(unknowns) > 0 {
		t.Logf("%d listed checks of %s were not run this time (time budget); kept", len(unknowns), tree)
	}
}

// update merges this run's outcomes: lines of trees not evaluated, and
// lines whose outcome is unknown, stay as they were.
func (r *ratchet) update(o *outcomes) []string {
	keep := map[string]bool{}
	for l := range r.lines {
		tree, _, _ := strings.Cut(l, " ")
		if !o.trees[tree] || o.m[l] == unknown {
			keep[l] = true
		}
	}
	for l, oc := range o.m {
		if oc == pass {
			keep[l] = true
		}
	}
	lines := make([]string, 0, len(keep))
	for l := range keep {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	return lines
}

func (r *ratchet) write(lines []string) error {
	if err := os.MkdirAll(filepath.Dir(r.path), 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return os.WriteFile(r.path, []byte(b.String()), 0o644)
}

// newPasses counts passing checks that the ratchet does not list yet.
func (r *ratchet) newPasses(o *outcomes) int {
	n := 0
	for l, oc := range o.m {
		if oc == pass && !r.lines[l] {
			n++
		}
	}
	return n
}

// checkResult is one check over one tree: which elements passed and how the
// others differ.
type checkResult struct {
	tree, check string
	total       int
	passed      []string
	failed      []elementFailure
	note        string // why everything failed, e.g. bst's error
	runFailed   bool   // bst failed or printed garbage: per-element lines say nothing more
	summary     string // replaces the default "x/y match" summary
}

type elementFailure struct {
	element string
	diffs   []string
}

func (c *checkResult) ok(element string) { c.passed = append(c.passed, element) }

func (c *checkResult) bad(element string, diffs ...string) {
	c.failed = append(c.failed, elementFailure{element, diffs})
}

// report prints the summary line, records outcomes, fails for regressions
// of listed checks and shows the first few other failures.
func (c *checkResult) report(t *testing.T, r *ratchet, o *outcomes, show int) {
	t.Helper()
	summary := c.summary
	if summary == "" {
		summary = fmt.Sprintf("%d/%d match", len(c.passed), c.total)
	}
	t.Logf("%s %s: %s", c.tree, c.check, summary)
	if c.note != "" {
		t.Logf("%s %s: %s", c.tree, c.check, indent(c.note))
	}
	for _, e := range c.passed {
		o.set(c.tree, c.check, e, pass)
	}
	if c.runFailed {
		show = 0
	}
	regressions, shown := 0, 0
	for _, f := range c.failed {
		o.set(c.tree, c.check, f.element, fail)
		switch {
		case r.has(c.tree, c.check, f.element):
			regressions++
			if regressions <= 20 && !c.runFailed {
				t.Errorf("%s %s %s: listed in %s but fails:\n%s", c.tree, c.check, f.element, r.path, indent(strings.Join(f.diffs, "\n")))
			}
		case shown < show:
			shown++
			t.Logf("%s %s %s differs:\n%s", c.tree, c.check, f.element, indent(strings.Join(f.diffs, "\n")))
		}
	}
	if regressions > 0 && (regressions > 20 || c.runFailed) {
		t.Errorf("%s %s: %d checks listed in %s fail in all", c.tree, c.check, regressions, r.path)
	}
}

func indent(s string) string {
	return "\t" + strings.ReplaceAll(s, "\n", "\n\t")
}
