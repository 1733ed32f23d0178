package options

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestListElementFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.bst", "x.txt", "sub/b.bst"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "empty.bst"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sub", filepath.Join(dir, "link.bst")); err != nil {
		t.Fatal(err)
	}
	for gen, want := range map[Generation][]string{
		Gen1: {"link.bst", "a.bst", "empty.bst", "sub/b.bst"},
		Gen2: {"a.bst", "link.bst", "empty.bst", "sub/b.bst"},
	} {
		got, err := ListElementFiles(gen, dir)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("generation %d: %v, want %v", gen, got, want)
		}
	}
	if _, err := ListElementFiles(Gen1, filepath.Join(dir, "missing")); err == nil {
		t.Error("listing a missing directory must fail")
	}
}
