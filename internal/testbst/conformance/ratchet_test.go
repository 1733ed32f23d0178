package conformance

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"example.org/bst/internal/testbst/expect"
)

var updateRatchet = flag.Bool("update-ratchet", false,
	"rewrite testdata/passing.txt (TestFormat) and testdata/cachekey-passing.txt (TestCacheKeys) "+
		"with the cases that pass now (cases not run keep their line)")

const (
	ratchetPath  = "testdata/passing.txt"
	failuresPath = "testdata/failures.txt" // ignored by git
)

type status int

const (
	statusPassed status = iota
	statusFailed
	statusSkipped
)

// Kinds of skip, counted apart in the summary.
const (
	skipImpossible = "impossible"
	skipHost       = "host-specific"
)

type caseResult struct {
	set, module string
	status      status
	skip        string // skipImpossible or skipHost
	why         string // failure reasons, or the skip reason
}

// collector gathers the results of the parallel subtests for the ratchet
// and for TestMain's summary.
type collector struct {
	mu      sync.Mutex
	mods    []*expect.Module
	byName  map[string]caseResult
	ratchet string // the ratchet's summary line, set once settled
}

var results = &collector{byName: map[string]caseResult{}}

func (c *collector) setModules(mods []*expect.Module) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mods = mods
}

func (c *collector) add(name string, m *expect.Module, st status, skip, why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byName[name] = caseResult{set: m.Set, module: m.Module, status: st, skip: skip, why: why}
}

func (c *collector) get(name string) (caseResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.byName[name]
	return r, ok
}

// readRatchet reads the set of case names in path (one a line; blank lines
// and #-comments ignored). A missing file is an empty ratchet.
func readRatchet(path string) (map[string]bool, error) {
	names, err := readLines(path)
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return set, err
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var names []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if l := strings.TrimSpace(s.Text()); l != "" && !strings.HasPrefix(l, "#") {
			names = append(names, l)
		}
	}
	return names, s.Err()
}

func writeLines(path string, lines []string) error {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// settleRatchet runs after every case: it checks the ratchet file's own
// health, rewrites it under -update-ratchet, and writes failures.txt.
func settleRatchet(t *testing.T, mods []*expect.Module, rat map[string]bool) {
	var all, ran, regressed, fresh, failures []string
	for _, m := range mods {
		for i := range m.Cases {
			name := m.Cases[i].Name(m)
			all = append(all, name)
			r, ok := results.get(name)
			if !ok {
				continue
			}
			ran = append(ran, name)
			switch {
			case r.status == statusFailed && rat[name]:
				regressed = append(regressed, name)
			case r.status == statusPassed && !rat[name]:
				fresh = append(fresh, name)
			}
			if r.status == statusFailed {
				failures = append(failures, name+": "+oneLine(r.why))
			}
		}
	}
	known := make(map[string]bool, len(all))
	for _, n := range all {
		known[n] = true
	}
	var stale []string
	for n := range rat {
		if !known[n] {
			stale = append(stale, n)
		}
	}
	sort.Strings(stale)
	if len(ran) == 0 {
		return
	}

	line := fmt.Sprintf("ratchet %s: %d listed, %d regressed, %d passing but not listed",
		ratchetPath, len(rat), len(regressed), len(fresh))
	if *updateRatchet {
		var keep []string
		for _, n := range all {
			r, ok := results.get(n)
			if (ok && r.status == statusPassed) || (rat[n] && (!ok || r.status == statusSkipped)) {
				keep = append(keep, n)
			}
		}
		sort.Strings(keep)
		if err := writeLines(ratchetPath, keep); err != nil {
			t.Fatal(err)
		}
		line += fmt.Sprintf("; rewritten with %d cases (%d added, %d dropped, %d unknown removed)",
			len(keep), len(fresh), len(regressed), len(stale))
		for _, n := range regressed {
			t.Logf("dropped from the ratchet: %s", n)
		}
	} else {
		if len(fresh) > 0 {
			line += " (run with -update-ratchet to record them)"
		}
		if len(stale) > 0 {
			t.Errorf("%s lists cases the data does not have (run with -update-ratchet):\n  %s",
				ratchetPath, strings.Join(stale, "\n  "))
		}
		if lines, err := readLines(ratchetPath); err == nil && !slices.IsSorted(lines) {
			t.Errorf("%s is not sorted (run with -update-ratchet)", ratchetPath)
		}
	}
	results.mu.Lock()
	results.ratchet = line
	results.mu.Unlock()

	sort.Strings(failures)
	if err := writeLines(failuresPath, failures); err != nil {
		t.Logf("cannot write %s: %v", failuresPath, err)
	}
}

// summary renders the per-module and total counts, or "" if nothing ran.
func (c *collector) summary() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byName) == 0 {
		return ""
	}
	type counts struct{ passed, failed, skipped int }
	add := func(n *counts, r caseResult) {
		switch r.status {
		case statusPassed:
			n.passed++
		case statusFailed:
			n.failed++
		default:
			n.skipped++
		}
	}
	format := func(n counts) string {
		return fmt.Sprintf("%d passed, %d failed, %d skipped", n.passed, n.failed, n.skipped)
	}
	var b strings.Builder
	b.WriteString("conformance summary\n")
	var total counts
	skips := map[string]int{}
	for i, m := range c.mods {
		var mod counts
		ran := false
		for j := range m.Cases {
			r, ok := c.byName[m.Cases[j].Name(m)]
			if !ok {
				continue
			}
			ran = true
			add(&mod, r)
			add(&total, r)
			if r.status == statusSkipped {
				skips[r.skip]++
			}
		}
		if ran {
			fmt.Fprintf(&b, "%s/%s: %s\n", m.Set, m.Module, format(mod))
		}
		if i+1 == len(c.mods) || c.mods[i+1].Set != m.Set {
			var set counts
			for _, r := range c.byName {
				if r.set == m.Set {
					add(&set, r)
				}
			}
			if set != (counts{}) {
				fmt.Fprintf(&b, "%s: %s\n", m.Set, format(set))
			}
		}
	}
	fmt.Fprintf(&b, "total: %s (%d %s, %d %s)\n", format(total),
		skips[skipHost], skipHost, skips[skipImpossible], skipImpossible)
	if c.ratchet != "" {
		b.WriteString(c.ratchet + "\n")
	}
	if total.failed > 0 {
		fmt.Fprintf(&b, "failing cases with reasons: %s\n", failuresPath)
	}
	return b.String()
}

// oneLine squeezes failure reasons onto one line of bounded length.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 300
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}
