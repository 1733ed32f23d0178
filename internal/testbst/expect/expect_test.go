package expect

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func node(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatalf("bad test YAML %q: %v", src, err)
	}
	return doc.Content[0]
}

func TestSubset(t *testing.T) {
	tests := []struct {
		name, want, got string
		ok              bool
	}{
		{"scalar equal", `{prefix: /opt}`, "prefix: /opt\nother: x\n", true},
		{"scalar differs", `{prefix: /opt}`, "prefix: /usr\n", false},
		{"missing key", `{prefix: /opt}`, "other: x\n", false},
		{"scalars are strings", `{a: 'True', b: '1'}`, "a: True\nb: 1\n", true},
		{"no type coercion", `{a: 'true'}`, "a: True\n", false},
		{"tilde stays a string", `{a: '~'}`, "a: ~\n", true},
		{"nested mapping", `{x: {y: z}}`, "x:\n  y: z\n  w: v\n", true},
		{"mapping vs scalar", `{x: {y: z}}`, "x: z\n", false},
		{"list prefix", `{l: [a, b]}`, "l: [a, b, c]\n", true},
		{"list exact", `{l: [a, b]}`, "l: [a, b]\n", true},
		{"list too short", `{l: [a, b]}`, "l: [a]\n", false},
		{"list order", `{l: [a, b]}`, "l: [b, a]\n", false},
		{"list of mappings", `{l: [{k: v}]}`, "l: [{k: v, o: p}]\n", true},
		{"bool true", `{included: {__bool__: true}}`, "included: True\n", true},
		{"bool true lower", `{included: {__bool__: true}}`, "included: true\n", true},
		{"bool false", `{d: {__bool__: false}}`, "d: False\n", true},
		{"bool mismatch", `{d: {__bool__: false}}`, "d: True\n", false},
		{"bool missing", `{d: {__bool__: false}}`, "e: False\n", false},
		{"len ok", `{l: {__len__: 3}}`, "l: [a, b, c]\n", true},
		{"len wrong", `{l: {__len__: 3}}`, "l: [a, b]\n", false},
		{"index", `{l: {__len__: 3, __index__: {0: 'echo "Hello World!"'}}}`,
			"l:\n- echo \"Hello World!\"\n- b\n- c\n", true},
		{"index wrong", `{l: {__index__: {1: x}}}`, "l: [a, b]\n", false},
		{"index out of range", `{l: {__index__: {5: x}}}`, "l: [a, b]\n", false},
		{"len on non-list", `{l: {__len__: 1}}`, "l: a\n", false},
		{"alias followed", `{b: {k: v}}`, "a: &x {k: v}\nb: *x\n", true},
		{"empty want mapping", `{}`, "a: b\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStdoutYAML(tt.got)
			if err != nil {
				t.Fatal(err)
			}
			why := Subset(node(t, tt.want), got)
			if (why == nil) != tt.ok {
				t.Errorf("Subset(%s, %q) = %q, want ok=%v", tt.want, tt.got, why, tt.ok)
			}
		})
	}
}

func TestParseStdoutYAML(t *testing.T) {
	for _, bad := range []string{"", "a: [", "a: 1\n---\nb: 2\n"} {
		if _, err := ParseStdoutYAML(bad); err == nil {
			t.Errorf("ParseStdoutYAML(%q) succeeded, want error", bad)
		}
	}
	got, err := ParseStdoutYAML("a: 1\nb: [x, null]\n1: ~\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": "1", "b": []any{"x", "null"}, "1": "~"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
}

func TestSplitLines(t *testing.T) {
	tests := map[string][]string{
		"":          {},
		"\n":        {""},
		"a":         {"a"},
		"a\n":       {"a"},
		"a\nb\n":    {"a", "b"},
		"a\r\nb":    {"a", "b"},
		"a\n\nb\n":  {"a", "", "b"},
		"a\n\n":     {"a", ""},
		"x\ry\n":    {"x", "y"},
		"last line": {"last line"},
	}
	for in, want := range tests {
		if d := cmp.Diff(want, SplitLines(in)); d != "" {
			t.Errorf("SplitLines(%q) (-want +got):\n%s", in, d)
		}
	}
}

func expectFrom(t *testing.T, src string) *Expect {
	t.Helper()
	var e Expect
	if err := yaml.Unmarshal([]byte(src), &e); err != nil {
		t.Fatal(err)
	}
	return &e
}

func TestCheck(t *testing.T) {
	loadErr := bsterr.Load(bsterr.InvalidData, nil, "bad")
	wrapped := fmt.Errorf("outer: %w", bsterr.Load(bsterr.MissingFile, nil, "gone"))
	checkout := t.TempDir()
	if err := os.WriteFile(filepath.Join(checkout, "base.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, expect string
		o            Outcome
		nwhy         int
	}{
		{"exit 0 ok", `{exit: 0}`, Outcome{}, 0},
		{"exit 0 failed", `{exit: 0}`, Outcome{Err: loadErr}, 1},
		{"nonzero ok", `{exit: nonzero}`, Outcome{Err: loadErr}, 0},
		{"nonzero but succeeded", `{exit: nonzero}`, Outcome{}, 1},
		{"error match", `{exit: nonzero, error: {domain: LOAD, reason: INVALID_DATA}}`, Outcome{Err: loadErr}, 0},
		{"error reason differs", `{exit: nonzero, error: {domain: LOAD, reason: MISSING_FILE}}`, Outcome{Err: loadErr}, 1},
		{"error domain differs", `{exit: nonzero, error: {domain: PLUGIN, reason: INVALID_DATA}}`, Outcome{Err: loadErr}, 1},
		{"error any reason", `{exit: nonzero, error: {domain: LOAD, reason: null}}`, Outcome{Err: loadErr}, 0},
		{"error wrapped", `{exit: nonzero, error: {domain: LOAD, reason: MISSING_FILE}}`, Outcome{Err: wrapped}, 0},
		{"error plain", `{exit: nonzero, error: {domain: LOAD, reason: null}}`, Outcome{Err: errors.New("x")}, 1},
		{"error joined", `{exit: nonzero, error: {domain: LOAD, reason: INVALID_DATA}}`,
			Outcome{Err: errors.Join(errors.New("x"), loadErr)}, 0},
		{"stdout lines", `{exit: 0, stdout_lines: [a, b]}`, Outcome{Stdout: "a\nb\n"}, 0},
		{"stdout lines differ", `{exit: 0, stdout_lines: [a, b]}`, Outcome{Stdout: "a\n"}, 1},
		{"stdout lines empty", `{exit: 0, stdout_lines: []}`, Outcome{Stdout: ""}, 0},
		{"stdout lines empty but output", `{exit: 0, stdout_lines: []}`, Outcome{Stdout: "x\n"}, 1},
		{"lines include/exclude", `{exit: 0, stdout_lines_include: [a], stdout_lines_exclude: [c]}`,
			Outcome{Stdout: "a\nb\n"}, 0},
		{"lines include missing, exclude present", `{exit: 0, stdout_lines_include: [z], stdout_lines_exclude: [a]}`,
			Outcome{Stdout: "a\nb\n"}, 2},
		{"stdout exact", `{exit: 0, stdout_exact: "x y\n"}`, Outcome{Stdout: "x y\n"}, 0},
		{"stdout exact differs", `{exit: 0, stdout_exact: "x y\n"}`, Outcome{Stdout: "x y"}, 1},
		{"yaml subset", `{exit: 0, stdout_yaml_subset: {a: b}}`, Outcome{Stdout: "a: b\n"}, 0},
		{"yaml subset empty stdout", `{exit: 0, stdout_yaml_subset: {a: b}}`, Outcome{}, 1},
		{"present/absent", `{exit: 0, stdout_yaml_present_keys: [a], stdout_yaml_absent_keys: [b]}`,
			Outcome{Stdout: "a: x\n"}, 0},
		{"present/absent wrong", `{exit: 0, stdout_yaml_present_keys: [b], stdout_yaml_absent_keys: [a]}`,
			Outcome{Stdout: "a: x\n"}, 2},
		{"stdout not checked on failure", `{exit: 0, stdout_lines: [a]}`, Outcome{Err: loadErr}, 1},
		{"stderr contains", `{exit: nonzero, stderr_contains: ["m.bst [line 4 column 2]"]}`,
			Outcome{Err: loadErr, Stderr: "bst: m.bst [line 4 column 2]: bad\n"}, 0},
		{"stderr lacks", `{exit: nonzero, stderr_contains: ["m.bst [line 4 column 2]"]}`,
			Outcome{Err: loadErr, Stderr: "bst: bad\n"}, 1},
		{"stderr not contains", `{exit: 0, stderr_not_contains: [WARNING]}`, Outcome{Stderr: "WARNING x"}, 1},
		{"checkout", `{exit: 0, checkout_has: [base.txt], checkout_lacks: [horsy.txt]}`, Outcome{Checkout: checkout}, 0},
		{"checkout wrong", `{exit: 0, checkout_has: [horsy.txt], checkout_lacks: [base.txt]}`, Outcome{Checkout: checkout}, 2},
		{"unsupported form", `{exit: 0, stdout_telepathy: yes}`, Outcome{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why := expectFrom(t, tt.expect).Check(tt.o)
			if len(why) != tt.nwhy {
				t.Errorf("Check = %q, want %d reasons", why, tt.nwhy)
			}
		})
	}
}

func TestHostHolds(t *testing.T) {
	tests := []struct {
		h    Host
		ok   bool
		m, s string
	}{
		{Host{}, true, "x86_64", "Linux"},
		{Host{}, false, "aarch64", "Linux"},
		{Host{UnameMachine: "arm"}, false, "x86_64", "Linux"},
		{Host{UnameMachine: "aarch64"}, true, "aarch64", "Linux"},
		{Host{UnameSystem: "Darwin"}, false, "x86_64", "Linux"},
	}
	for _, tt := range tests {
		if ok, why := tt.h.Holds(tt.m, tt.s); ok != tt.ok || (ok == (why != "")) {
			t.Errorf("%+v.Holds(%s, %s) = %v, %q; want %v", tt.h, tt.m, tt.s, ok, why, tt.ok)
		}
	}
}

// loadData loads the real conformance data, or skips if it is not there.
func loadData(t *testing.T) []*Module {
	t.Helper()
	dir, err := FindDataDir(".")
	if err != nil {
		t.Skip(err)
	}
	mods, err := LoadFormat(dir, Sets...)
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) == 0 {
		t.Fatalf("no modules under %s", dir)
	}
	return mods
}

// TestDataIsUnderstood checks that every case of the real data uses only the
// forms this package and the runner know.
func TestDataIsUnderstood(t *testing.T) {
	known := map[string]bool{}
	for _, op := range SetupOps {
		known[op] = true
	}
	n := 0
	for _, m := range loadData(t) {
		for _, c := range m.Cases {
			n++
			name := c.Name(m)
			if c.ID == "" || c.Project == "" || c.Expect.Exit == "" {
				t.Errorf("%s: id, project or expect.exit missing", name)
			}
			all := append([]string{}, c.Expect.Unsupported...)
			for _, s := range c.Steps {
				all = append(all, s.Expect.Unsupported...)
			}
			if len(all) > 0 {
				t.Errorf("%s: unsupported expect forms %v", name, all)
			}
			for _, op := range c.Setup {
				if !known[op.Op] {
					t.Errorf("%s: unknown setup op %s", name, op.Op)
				}
			}
		}
	}
	t.Logf("%d cases", n)
}

// TestObservedBst168 replays what BuildStream 1.6.8 printed (stored with
// every bst-1.6 case that succeeded and agreed with its expectation) through
// the matcher: it must accept all of them. Stderr and checkout forms are left
// out, since the stored observation holds neither.
func TestObservedBst168(t *testing.T) {
	checked := 0
	for _, m := range loadData(t) {
		for _, c := range m.Cases {
			if c.Observed.Kind == 0 || c.Agrees == nil || !*c.Agrees {
				continue
			}
			var obs struct {
				Exit   string `yaml:"exit"`
				Stdout string `yaml:"stdout"`
			}
			if err := c.Observed.Decode(&obs); err != nil {
				t.Fatalf("%s: %v", c.Name(m), err)
			}
			if obs.Exit != "0" || strings.HasSuffix(obs.Stdout, "...<truncated>") {
				continue
			}
			e := c.Expect
			e.StderrContains, e.StderrNotContains, e.CheckoutHas, e.CheckoutLacks = nil, nil, nil, nil
			if why := e.Check(Outcome{Stdout: obs.Stdout}); why != nil {
				t.Errorf("%s: bst 1.6.8's output rejected: %q", c.Name(m), why)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no observations checked")
	}
	t.Logf("%d observations accepted", checked)
}
