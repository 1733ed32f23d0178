package corpus

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Tests of the harness itself; they do not need the corpus.

func TestParseDump(t *testing.T) {
	out := "\n" + elementMarker + "a.bst\n" +
		"prefix: /usr\njobs: 2\nflag: true\nempty:\n__bst_provenance_info: x\n" +
		elementMarker + "j.bst:b.bst\n" +
		elementMarker + "c.bst\nlist:\n- '1'\n- two\n"
	d, err := parseDump(out, "vars")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.bst", "j.bst:b.bst", "c.bst"}; !reflect.DeepEqual(d.names, want) {
		t.Errorf("names = %q, want %q", d.names, want)
	}
	want := map[string]any{
		"a.bst":       map[string]any{"prefix": "/usr", "jobs": "2", "flag": "true", "empty": ""},
		"j.bst:b.bst": map[string]any{},
		"c.bst":       map[string]any{"list": []any{"1", "two"}},
	}
	if !reflect.DeepEqual(d.values, want) {
		t.Errorf("values = %#v, want %#v", d.values, want)
	}
	for _, bad := range []string{"junk\n" + elementMarker + "a.bst\n", elementMarker + "a.bst\n" + elementMarker + "a.bst\n"} {
		if _, err := parseDump(bad, "env"); err == nil {
			t.Errorf("parseDump(%q) succeeded, want an error", bad)
		}
	}
}

func TestDiffTrees(t *testing.T) {
	want := map[string]any{
		"a": "1",
		"b": []any{"x", "y"},
		"c": map[string]any{"d.e": "z"},
		"m": "gone",
	}
	got := map[string]any{
		"a": "2",
		"b": []any{"x"},
		"c": map[string]any{"d.e": []any{}},
		"n": "new",
	}
	diffs := diffTrees("vars", want, got, nil, 10)
	wantDiffs := []string{
		`vars.a: want "1", got "2"`,
		`vars.b: want 2 items, got 1`,
		`vars.c["d.e"]: want "z", got a list of 0 items`,
		`vars.m: missing (want "gone")`,
		`vars.n: unexpected (got "new")`,
	}
	if !reflect.DeepEqual(diffs, wantDiffs) {
		t.Errorf("diffs:\n%s\nwant:\n%s", strings.Join(diffs, "\n"), strings.Join(wantDiffs, "\n"))
	}
	if d := diffTrees("x", want, got, nil, 2); len(d) != 2 {
		t.Errorf("limit 2 gave %d differences", len(d))
	}
	if d := diffTrees("x", want, want, nil, 10); len(d) != 0 {
		t.Errorf("equal trees differ: %q", d)
	}
}

func TestUserConfig(t *testing.T) {
	dir := t.TempDir()
	golden := filepath.Join(dir, "in.conf")
	in := "# comment /tmp/x\nsourcedir: /tmp/w/cache/sources\nlogdir: /tmp/w/cache/logs\nscheduler:\n  fetchers: 1\n"
	if err := os.WriteFile(golden, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	sb := &sandbox{root: dir}
	data, err := os.ReadFile(sb.userConfig(t, golden))
	if err != nil {
		t.Fatal(err)
	}
	want := "# comment /tmp/x\nsourcedir: " + dir + "/cache/sources\nlogdir: " + dir + "/cache/logs\nscheduler:\n  fetchers: 1\n"
	if string(data) != want {
		t.Errorf("adapted config:\n%s\nwant:\n%s", data, want)
	}
}

func TestRatchetUpdate(t *testing.T) {
	r := &ratchet{lines: map[string]bool{
		"t1 vars a.bst":   true, // t1 evaluated, now fails: dropped
		"t1 key a.bst":    true, // t1 evaluated, unknown: kept
		"t2 order all":    true, // t2 not evaluated: kept
		"t1 order all":    true, // passes: kept
		"t1 public b.bst": true, // not evaluated although t1 was: dropped
	}}
	o := newOutcomes()
	o.set("t1", "vars", "a.bst", fail)
	o.set("t1", "key", "a.bst", unknown)
	o.set("t1", "order", "all", pass)
	o.set("t1", "env", "a.bst", pass)
	got := r.update(o)
	want := []string{"t1 env a.bst", "t1 key a.bst", "t1 order all", "t2 order all"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("update = %q, want %q", got, want)
	}
	if n := r.newPasses(o); n != 1 {
		t.Errorf("newPasses = %d, want 1", n)
	}
}

func TestLostSymlink(t *testing.T) {
	for _, tc := range []struct {
		rel, data string
		link      bool
	}{
		{"elements/bootstrap/symlinks/bin", "usr/bin", true},
		{"files/standard-streams/dev/stdin", "/proc/self/fd/0", true},
		{"files/os-release/issue.in", "placeholder: files/os-release/issue.in\n", false},
		{"elements/x.bst", "kind", false},
		{"LICENSE", "Copyright (c) 2017\n", false},
		{"files/empty", "", false},
	} {
		if _, got := lostSymlink(tc.rel, []byte(tc.data)); got != tc.link {
			t.Errorf("lostSymlink(%q, %q) = %v, want %v", tc.rel, tc.data, got, tc.link)
		}
	}
}
