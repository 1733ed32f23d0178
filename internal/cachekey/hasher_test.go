package cachekey_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"example.org/bst/internal/cachekey"
)

func TestDebugEnabled(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", false},
		{"cachekey", true},
		{"scheduler,cachekey", true},
		{"cachekey:loader", true},
		{"loader cachekey", true},
		{"cachekeys", false},
		{"nocachekey", false},
	}
	for _, tt := range tests {
		if got := cachekey.DebugEnabled(tt.in); got != tt.want {
			t.Errorf("DebugEnabled(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestHasherDebugOutput(t *testing.T) {
	var buf bytes.Buffer
	h := cachekey.NewHasher(&buf)
	v := cachekey.Dict{{"b", "é/x"}, {"a", 1}}
	k := h.GenerateNamed("weak key of a.bst", v)
	if want := cachekey.Generate(v); k != want {
		t.Fatalf("Hasher key %v != Generate %v", k, want)
	}
	h.Generate([]string{})
	want := fmt.Sprintf("cachekey %s \"weak key of a.bst\" {\"a\":1,\"b\":\"\\u00e9/x\"}\n", k) +
		fmt.Sprintf("cachekey %s []\n", cachekey.Generate([]string{}))
	if buf.String() != want {
		t.Errorf("debug output\n got %q\nwant %q", buf.String(), want)
	}
}

func TestHasherWithoutDebug(t *testing.T) {
	var nilHasher *cachekey.Hasher
	v := map[string]any{"x": []any{1}}
	if nilHasher.Generate(v) != cachekey.Generate(v) || cachekey.NewHasher(nil).Generate(v) != cachekey.Generate(v) {
		t.Error("Hasher without writer disagrees with Generate")
	}
}

// TestHasherConcurrent checks (with -race) that lines never interleave.
func TestHasherConcurrent(t *testing.T) {
	var buf bytes.Buffer
	h := cachekey.NewHasher(&buf)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				h.Generate([]int{i, j})
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 400 {
		t.Fatalf("got %d lines, want 400", len(lines))
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] != "cachekey" || !cachekey.IsKey(f[1]) {
			t.Fatalf("malformed line %q", l)
		}
	}
}
