package conformance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"example.org/bst/internal/testbst"
	"example.org/bst/internal/testbst/expect"
)

// The cache key sets: cachekey/<set>/{CASE.yaml,project} of the data. Each
// is the upstream tests/cachekey project; see the data's README.
var cachekeySets = []string{"bst-1.6", "bst-2", "bst-plugins"}

const (
	cachekeyRatchetPath  = "testdata/cachekey-passing.txt"
	cachekeyFailuresPath = "testdata/cachekey-failures.txt" // ignored by git
)

// showKeysFormat is the upstream tests' --format.
const showKeysFormat = "%{name}::%{full-key}"

// cachekeyCase is the part of a CASE.yaml the test uses.
type cachekeyCase struct {
	Platform struct {
		OS   string `yaml:"os"`
		Arch string `yaml:"arch"`
	} `yaml:"platform"`
	Elements    []cachekeyElement `yaml:"elements"`
	ExtraChecks []struct {
		ID string `yaml:"id"`
	} `yaml:"extra_checks"`
}

type cachekeyElement struct {
	Element      string   `yaml:"element"`
	ExpectedFile string   `yaml:"expected_file"`
	ExpectedKey  string   `yaml:"expected_key"`
	Kind         string   `yaml:"element_kind"`
	SourceKinds  []string `yaml:"source_kinds"`
	NonCore      []string `yaml:"needs_non_core_plugins"`
	Closure      struct {
		Elements []string `yaml:"elements"`
		Sources  []string `yaml:"sources"`
	} `yaml:"kinds_in_dependency_closure"`
}

// kinds describes the element's kinds for failure messages.
func (el *cachekeyElement) kinds() string {
	s := fmt.Sprintf("kind %s, sources %v; closure elements %v, sources %v",
		el.Kind, el.SourceKinds, el.Closure.Elements, el.Closure.Sources)
	if len(el.NonCore) > 0 {
		s += fmt.Sprintf("; non-core plugins %v", el.NonCore)
	}
	return s
}

// TestCacheKeys runs `bst show --format '%{name}::%{full-key}' target.bst`
// in a copy of each cache key project and compares every element's key with
// its .expected file (one subtest per element, <set>/<element>), then runs
// the CASE.yaml extra checks. A ratchet (cachekey-passing.txt) holds the
// checks that pass; TestMain prints one summary line per set.
func TestCacheKeys(t *testing.T) {
	dir, err := expect.FindDataDir(".")
	if err != nil {
		t.Skipf("conformance data missing: %v", err)
	}
	rat, err := readRatchet(cachekeyRatchetPath)
	if err != nil {
		t.Fatal(err)
	}
	machine, system := uname(t)
	t.Cleanup(func() { cachekeyResults.settle(t, rat) })
	for _, set := range cachekeySets {
		t.Run(set, func(t *testing.T) {
			t.Parallel()
			c, err := loadCachekeyCase(filepath.Join(dir, "cachekey", set, "CASE.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			r := &cachekeySetRun{set: set, c: c, src: filepath.Join(dir, "cachekey", set, "project"), rat: rat}
			cachekeyResults.known(set, r.names())
			if c.Platform.OS != system || c.Platform.Arch != machine {
				why := fmt.Sprintf("keys are for %s %s (host is %s %s)", c.Platform.OS, c.Platform.Arch, system, machine)
				for _, n := range r.names() {
					cachekeyResults.add(set, n, statusSkipped, why)
				}
				t.Skip(why)
			}
			r.run(t)
		})
	}
}

func loadCachekeyCase(path string) (*cachekeyCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c cachekeyCase
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(c.Elements) == 0 {
		return nil, fmt.Errorf("%s lists no elements", path)
	}
	return &c, nil
}

// cachekeySetRun runs one set.
type cachekeySetRun struct {
	set  string
	c    *cachekeyCase
	src  string // the data's project directory
	proj string // its copy
	conf string // empty user configuration
	rat  map[string]bool
}

// Extra check ids of the CASE.yaml files.
const (
	checkFatalWarnings = "test_cache_key_fatal_warnings"
	checkStableTargets = "test_keys_stable_over_targets"
)

// fatalWarningsParams are upstream's parametrization of
// test_cache_key_fatal_warnings: two projects that differ only in their
// fatal-warnings have the same keys iff the sets of warnings are equal.
var fatalWarningsParams = []struct {
	first, second []string
	identical     bool
}{
	{nil, nil, true},
	{nil, []string{"ref-not-in-track"}, false},
	{[]string{"ref-not-in-track"}, nil, false},
	{[]string{"ref-not-in-track"}, []string{"ref-not-in-track"}, true},
	{[]string{"ref-not-in-track", "overlaps"}, []string{"overlaps", "ref-not-in-track"}, true},
}

// fatalWarningsID is the pytest id of parameter set i.
func fatalWarningsID(i int) string {
	p := fatalWarningsParams[i]
	return fmt.Sprintf("%s[first_warnings%d-second_warnings%d-%s]", checkFatalWarnings, i, i,
		map[bool]string{true: "True", false: "False"}[p.identical])
}

// names lists the set's checks: its elements, then its extra checks.
func (r *cachekeySetRun) names() []string {
	var names []string
	for _, el := range r.c.Elements {
		names = append(names, el.Element)
	}
	for _, x := range r.c.ExtraChecks {
		if x.ID == checkFatalWarnings {
			for i := range fatalWarningsParams {
				names = append(names, fatalWarningsID(i))
			}
			continue
		}
		names = append(names, x.ID)
	}
	return names
}

func (r *cachekeySetRun) run(t *testing.T) {
	tmp := t.TempDir()
	r.proj = filepath.Join(tmp, "project")
	r.conf = filepath.Join(tmp, "buildstream.conf")
	if err := copyTree(r.src, r.proj); err != nil {
		t.Fatal(err)
	}
	if err := restoreCachekeyFiles(r.proj); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.conf, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	keys, runErr := r.show(t, r.proj, "target.bst")
	if runErr != "" {
		t.Logf("bst show target.bst failed; showing each element on its own:\n%s", runErr)
	}
	listed := map[string]bool{}
	for _, el := range r.c.Elements {
		listed[el.Element] = true
	}
	var unlisted []string
	for name := range keys {
		if !listed[name] {
			unlisted = append(unlisted, name)
		}
	}
	sort.Strings(unlisted)
	if len(unlisted) > 0 {
		t.Errorf("bst shows elements that CASE.yaml does not list: %v", unlisted)
	}
	for i := range r.c.Elements {
		el := &r.c.Elements[i]
		why := ""
		if _, ok := keys[el.Element]; !ok {
			// Not reached from target.bst (bst-plugins setuptools1), or
			// target.bst failed: show the element on its own.
			k, err := r.show(t, r.proj, el.Element)
			if err != "" {
				why = fmt.Sprintf("bst show %s failed (%s): %s", el.Element, el.kinds(), err)
			}
			keys[el.Element] = k[el.Element]
		}
		t.Run(el.Element, func(t *testing.T) {
			if why == "" {
				why = r.compareKey(el, keys[el.Element])
			}
			r.record(t, el.Element, why)
		})
	}
	for _, x := range r.c.ExtraChecks {
		switch x.ID {
		case checkFatalWarnings:
			for i := range fatalWarningsParams {
				id := fatalWarningsID(i)
				t.Run(id, func(t *testing.T) { r.record(t, id, r.fatalWarnings(t, i)) })
			}
		case checkStableTargets:
			t.Run(x.ID, func(t *testing.T) { r.record(t, x.ID, r.stableOverTargets(t)) })
		default:
			t.Run(x.ID, func(t *testing.T) { r.record(t, x.ID, "extra check not implemented by this harness") })
		}
	}
}

// restoreCachekeyFiles restores what the shared copy of the data lost:
// files/local/usr/bin/goodbye is a symlink to hello upstream (the copy has a
// plain file holding "hello"), and hello is executable (2.x keys hash the
// executable bit).
func restoreCachekeyFiles(proj string) error {
	bin := filepath.Join(proj, "files", "local", "usr", "bin")
	if _, err := os.Stat(bin); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	goodbye := filepath.Join(bin, "goodbye")
	if fi, err := os.Lstat(goodbye); err == nil && fi.Mode()&os.ModeSymlink == 0 {
		if err := os.Remove(goodbye); err != nil {
			return err
		}
	}
	if _, err := os.Lstat(goodbye); errors.Is(err, os.ErrNotExist) {
		if err := os.Symlink("hello", goodbye); err != nil {
			return err
		}
	}
	if err := os.Chmod(filepath.Join(bin, "hello"), 0o755); err != nil {
		return err
	}
	if l, err := os.Readlink(goodbye); err != nil || l != "hello" {
		return fmt.Errorf("%s: not a symlink to hello (%q, %v)", goodbye, l, err)
	}
	return nil
}

// show runs `bst show --format '%{name}::%{full-key}' targets...` in proj
// and returns the keys by element name, and why it failed ("" if it did
// not).
func (r *cachekeySetRun) show(t *testing.T, proj string, targets ...string) (map[string]string, string) {
	args := append([]string{"--no-colors", "--config", r.conf, "--directory", proj,
		"show", "--format", showKeysFormat}, targets...)
	res := testbst.Run(t, proj, nil, args...)
	keys := map[string]string{}
	var bad []string
	for _, l := range expect.SplitLines(res.Stdout) {
		if strings.TrimSpace(l) == "" {
			continue
		}
		name, key, ok := strings.Cut(l, "::")
		if !ok {
			bad = append(bad, l)
			continue
		}
		keys[name] = strings.TrimSpace(key)
	}
	switch {
	case res.Err != nil:
		return keys, fmt.Sprintf("exit %d: %v\nstderr:\n%s", res.ExitCode(), res.Err, clipText(res.Stderr))
	case len(bad) > 0:
		return keys, fmt.Sprintf("unexpected output lines: %q", bad)
	}
	return keys, ""
}

// compareKey compares the key bst printed for el with its .expected file.
func (r *cachekeySetRun) compareKey(el *cachekeyElement, got string) string {
	expFile := el.ExpectedFile
	if expFile == "" {
		expFile = strings.TrimSuffix(el.Element, ".bst") + ".expected"
	}
	data, err := os.ReadFile(filepath.Join(r.proj, filepath.FromSlash(expFile)))
	if err != nil {
		return fmt.Sprintf("no expected key: %v", err)
	}
	want := strings.TrimSpace(string(data))
	switch {
	case el.ExpectedKey != "" && el.ExpectedKey != want:
		return fmt.Sprintf("data: %s holds %s but CASE.yaml says %s", expFile, want, el.ExpectedKey)
	case got == "":
		return fmt.Sprintf("bst printed no key for %s (%s)", el.Element, el.kinds())
	case got != want:
		return fmt.Sprintf("key %s, expected %s (%s); compare the dictionaries with BST_DEBUG=cachekey",
			got, want, el.kinds())
	}
	return ""
}

// fatalWarnings runs parameter set i of test_cache_key_fatal_warnings: two
// fresh projects with a stack element that differ only in fatal-warnings.
func (r *cachekeySetRun) fatalWarnings(t *testing.T, i int) string {
	p := fatalWarningsParams[i]
	tmp := t.TempDir()
	var outs [2]map[string]string
	for j, w := range [][]string{p.first, p.second} {
		name := []string{"first", "second"}[j]
		proj := filepath.Join(tmp, name)
		conf := map[string]any{"name": name, "element-path": "elements", "fatal-warnings": append([]string{}, w...)}
		if r.set != "bst-1.6" {
			conf["name"], conf["min-version"] = "test", "2.0"
		}
		if err := writeYAMLFile(filepath.Join(proj, "project.conf"), conf); err != nil {
			return err.Error()
		}
		if err := writeYAMLFile(filepath.Join(proj, "elements", "stack.bst"), map[string]string{"kind": "stack"}); err != nil {
			return err.Error()
		}
		keys, why := r.show(t, proj, "stack.bst")
		if why != "" {
			return fmt.Sprintf("project %s (fatal-warnings %v): %s", name, w, why)
		}
		if keys["stack.bst"] == "" {
			return fmt.Sprintf("project %s printed no key for stack.bst", name)
		}
		outs[j] = keys
	}
	a, b := outs[0]["stack.bst"], outs[1]["stack.bst"]
	if (a == b) != p.identical {
		return fmt.Sprintf("fatal-warnings %v gives %s, %v gives %s; expected the keys to be %s",
			p.first, a, p.second, b, map[bool]string{true: "equal", false: "different"}[p.identical])
	}
	return ""
}

// stableOverTargets is test_keys_stable_over_targets: the keys of t1 and t2
// do not depend on the order of the targets or on what else is loaded.
func (r *cachekeySetRun) stableOverTargets(t *testing.T) string {
	const dir = "elements/key-stability/"
	t1, t2 := dir+"t1.bst", dir+"t2.bst"
	all, why := r.show(t, r.proj, dir+"top-level.bst")
	if why != "" {
		return "top-level.bst: " + why
	}
	o1, why := r.show(t, r.proj, t1, t2)
	if why != "" {
		return "t1 t2: " + why
	}
	o2, why := r.show(t, r.proj, t2, t1)
	if why != "" {
		return "t2 t1: " + why
	}
	if len(o1) == 0 {
		return "`bst show t1 t2` printed no keys"
	}
	var diffs []string
	for _, name := range sortedKeys(o1) {
		if o2[name] != o1[name] {
			diffs = append(diffs, fmt.Sprintf("%s: %s shown as t1 t2, %s as t2 t1", name, o1[name], o2[name]))
		}
		if all[name] != o1[name] {
			diffs = append(diffs, fmt.Sprintf("%s: %s shown as t1 t2, %s via top-level.bst", name, o1[name], all[name]))
		}
	}
	return strings.Join(diffs, "; ")
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func writeYAMLFile(path string, v any) error {
	b, err := encodeYAML(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// record records one check's result; a check listed in the ratchet that
// fails fails the test.
func (r *cachekeySetRun) record(t *testing.T, id, why string) {
	name := r.set + "/" + id
	if why == "" {
		cachekeyResults.add(r.set, id, statusPassed, "")
		return
	}
	cachekeyResults.add(r.set, id, statusFailed, why)
	switch {
	case r.rat[name] && !*updateRatchet:
		t.Errorf("%s regressed (listed in %s): %s", name, cachekeyRatchetPath, why)
	case r.rat[name]:
		t.Logf("%s fails; -update-ratchet drops it: %s", name, why)
	default:
		t.Logf("%s fails (not in the ratchet): %s", name, why)
	}
}

// cachekeyCollector gathers the cache key results for the ratchet and for
// TestMain's summary.
type cachekeyCollector struct {
	mu       sync.Mutex
	byName   map[string]caseResult // "<set>/<id>" -> result; module "keys" or "extra"
	order    []string
	knownIDs map[string]map[string]bool // set -> its checks' names
	ratchet  string
}

var cachekeyResults = &cachekeyCollector{byName: map[string]caseResult{}}

func (c *cachekeyCollector) add(set, id string, st status, why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	name := set + "/" + id
	if _, ok := c.byName[name]; !ok {
		c.order = append(c.order, name)
	}
	module := "keys"
	if strings.HasPrefix(id, "test_") {
		module = "extra"
	}
	c.byName[name] = caseResult{set: set, module: module, status: st, why: why}
}

// known records the checks of a set whose CASE.yaml was loaded, so that the
// ratchet can tell stale lines from checks that a -run filter left out.
func (c *cachekeyCollector) known(set string, ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.knownIDs == nil {
		c.knownIDs = map[string]map[string]bool{}
	}
	m := map[string]bool{}
	for _, id := range ids {
		m[set+"/"+id] = true
	}
	c.knownIDs[set] = m
}

// stale reports whether ratchet line n names no check: its set is not a
// cache key set, or its set was loaded and has no such check.
func (c *cachekeyCollector) stale(n string) bool {
	set, _, _ := strings.Cut(n, "/")
	if !slices.Contains(cachekeySets, set) {
		return true
	}
	ids, loaded := c.knownIDs[set]
	return loaded && !ids[n]
}

// settle checks the ratchet after every set ran, rewrites it under
// -update-ratchet, and writes the failures file.
func (c *cachekeyCollector) settle(t *testing.T, rat map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byName) == 0 {
		return
	}
	var regressed, fresh, failures, stale []string
	for _, name := range c.order {
		r := c.byName[name]
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
	for n := range rat {
		if c.stale(n) {
			stale = append(stale, n)
		}
	}
	sort.Strings(stale)
	line := fmt.Sprintf("ratchet %s: %d listed, %d regressed, %d passing but not listed",
		cachekeyRatchetPath, len(rat), len(regressed), len(fresh))
	if *updateRatchet {
		// Keep what passed, and listed checks that did not run (filtered
		// out or skipped on this host).
		var keep []string
		for n := range rat {
			if r, ok := c.byName[n]; !c.stale(n) && (!ok || r.status == statusSkipped) {
				keep = append(keep, n)
			}
		}
		for _, n := range c.order {
			if c.byName[n].status == statusPassed {
				keep = append(keep, n)
			}
		}
		sort.Strings(keep)
		if err := writeLines(cachekeyRatchetPath, keep); err != nil {
			t.Fatal(err)
		}
		line += fmt.Sprintf("; rewritten with %d checks (%d added, %d dropped, %d unknown removed)",
			len(keep), len(fresh), len(regressed), len(stale))
	} else {
		if len(fresh) > 0 {
			line += " (run with -update-ratchet to record them)"
		}
		if len(stale) > 0 {
			t.Errorf("%s lists checks the data does not have (run with -update-ratchet):\n  %s",
				cachekeyRatchetPath, strings.Join(stale, "\n  "))
		}
		if lines, err := readLines(cachekeyRatchetPath); err == nil && !slices.IsSorted(lines) {
			t.Errorf("%s is not sorted (run with -update-ratchet)", cachekeyRatchetPath)
		}
	}
	c.ratchet = line
	sort.Strings(failures)
	if err := writeLines(cachekeyFailuresPath, failures); err != nil {
		t.Logf("cannot write %s: %v", cachekeyFailuresPath, err)
	}
}

// summary renders one line per set ("cachekey bst-1.6: 26/26 keys match")
// and the ratchet line, or "" if nothing ran.
func (c *cachekeyCollector) summary() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byName) == 0 {
		return ""
	}
	var b strings.Builder
	failed := false
	for _, set := range cachekeySets {
		var keys, keysOK, extra, extraOK, skipped int
		for _, r := range c.byName {
			if r.set != set {
				continue
			}
			switch {
			case r.status == statusSkipped:
				skipped++
			case r.module == "keys":
				keys++
				if r.status == statusPassed {
					keysOK++
				}
			default:
				extra++
				if r.status == statusPassed {
					extraOK++
				}
			}
			failed = failed || r.status == statusFailed
		}
		if keys+extra+skipped == 0 {
			continue
		}
		fmt.Fprintf(&b, "cachekey %s: %d/%d keys match", set, keysOK, keys)
		if extra > 0 {
			fmt.Fprintf(&b, ", %d/%d extra checks pass", extraOK, extra)
		}
		if skipped > 0 {
			fmt.Fprintf(&b, ", %d skipped (host)", skipped)
		}
		b.WriteByte('\n')
	}
	if c.ratchet != "" {
		b.WriteString(c.ratchet + "\n")
	}
	if failed {
		fmt.Fprintf(&b, "failing cache key checks with reasons: %s\n", cachekeyFailuresPath)
	}
	return b.String()
}
