package element_test

import (
	"os"
	"path/filepath"
	"testing"

	"example.org/bst/internal/yamlnode"
)

// loadSplits loads a 1.x project of the given elements (and a stack over
// them) and returns each manual element's split rules.
func loadSplits(t *testing.T, elems map[string]string) map[string]*yamlnode.Mapping {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"project.conf": "name: p\nformat-version: 18\nelement-path: elements\n"}
	all := "kind: stack\ndepends:\n"
	for name, text := range elems {
		files["elements/"+name] = text
		all += "- " + name + "\n"
	}
	files["elements/all.bst"] = all
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	splits := map[string]*yamlnode.Mapping{}
	for _, e := range loadSynthetic(t, dir) {
		if e.Kind != "manual" {
			continue
		}
		bst, err := e.Public.MappingAt("bst")
		if err != nil {
			t.Fatal(err)
		}
		if splits[e.Name], err = bst.MappingAt("split-rules"); err != nil {
			t.Fatal(err)
		}
	}
	return splits
}

func develRule(t *testing.T, splits map[string]*yamlnode.Mapping, e string) string {
	t.Helper()
	seq, err := splits[e].SequenceAt("devel")
	if err != nil || seq == nil {
		t.Fatalf("%s: no devel rules (%v)", e, err)
	}
	return seq.Items[0].(*yamlnode.Scalar).Value
}

// TestSharedSplitRules checks that 1.x elements share their kind's
// expanded split rules when the variables the rules use agree, and only
// then.
func TestSharedSplitRules(t *testing.T) {
	splits := loadSplits(t, map[string]string{
		"a.bst": "kind: manual\n",
		"b.bst": "kind: manual\nvariables:\n  component-flags: x\n",
	})
	if splits["a.bst"] != splits["b.bst"] {
		t.Error("a.bst and b.bst expand the rules alike but do not share them")
	}
	splits = loadSplits(t, map[string]string{
		"a.bst": "kind: manual\n",
		"c.bst": "kind: manual\nvariables:\n  prefix: /opt\n",
		"d.bst": "kind: manual\npublic:\n  bst:\n    split-rules:\n      extra: ['%{prefix}/extra']\n",
	})
	for e, want := range map[string]string{"a.bst": "/usr/include", "c.bst": "/opt/include", "d.bst": "/usr/include"} {
		if got := develRule(t, splits, e); got != want {
			t.Errorf("%s: devel rule %q, want %q", e, got, want)
		}
	}
	if splits["a.bst"] == splits["c.bst"] || splits["a.bst"] == splits["d.bst"] || splits["c.bst"] == splits["d.bst"] {
		t.Error("elements with different split rules share them")
	}
}
