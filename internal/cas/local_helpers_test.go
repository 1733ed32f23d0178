package cas

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/digest"
)

// fakeClock is an injected clock that tests move by hand.
type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// openLocal opens a Local on root that the test closes at cleanup.
func openLocal(t testing.TB, root string, opts LocalOptions) *Local {
	t.Helper()
	l, err := NewLocal(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func wantReason(t testing.TB, err error, reason bsterr.Reason) {
	t.Helper()
	if got := bsterr.ReasonOf(err); got != reason {
		t.Fatalf("err = %v (reason %q), want reason %q", err, got, reason)
	}
}

// writeFiles creates files under root: a name ending in "/" is a
// directory, "->target" a symlink, a leading "!" makes a file executable.
func writeFiles(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		exec := false
		if name[0] == '!' {
			exec, name = true, name[1:]
		}
		path := filepath.Join(root, name)
		switch {
		case name[len(name)-1] == '/':
			must(t, os.MkdirAll(path, 0o755))
		case len(content) > 2 && content[:2] == "->":
			must(t, os.MkdirAll(filepath.Dir(path), 0o755))
			must(t, os.Symlink(content[2:], path))
		default:
			must(t, os.MkdirAll(filepath.Dir(path), 0o755))
			mode := os.FileMode(0o644)
			if exec {
				mode = 0o755
			}
			must(t, os.WriteFile(path, []byte(content), mode))
			must(t, os.Chmod(path, mode))
		}
	}
}

// checkConsistent compares what the store keeps incrementally (reference
// counts, usage) with what Repair's audit computes from scratch, and checks
// that everything a ref or a pin needs is stored. It must run while no
// other goroutine uses the store.
func checkConsistent(t testing.TB, l *Local) {
	t.Helper()
	a, err := l.audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	present := map[tableKey]bool{}
	for hash := range a.objects {
		present[tableKeyOfHash(hash)] = true
	}
	for k, w := range a.want {
		if got := a.records[k]; got != w {
			bad = append(bad, fmt.Sprintf("refcount %x: have %+v, want %+v", k[:6], got, w))
		}
		if !present[k] {
			bad = append(bad, fmt.Sprintf("object %x is held but missing", k[:6]))
		}
	}
	for k, have := range a.records {
		if _, ok := a.want[k]; !ok {
			bad = append(bad, fmt.Sprintf("refcount %x: have %+v, want none", k[:6], have))
		}
	}
	var diskBytes, diskObjects int64
	for _, size := range a.objects {
		diskBytes += size
		diskObjects++
	}
	for _, size := range a.execs {
		diskBytes += size
		diskObjects++
	}
	bytes, objects, err := l.Usage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if bytes != diskBytes || objects != diskObjects {
		bad = append(bad, "usage: recorded "+itoa(bytes)+" bytes in "+itoa(objects)+" objects, on disk "+itoa(diskBytes)+" in "+itoa(diskObjects))
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
}

// objectsOnDisk returns the hashes of the objects stored (not counting
// executable copies).
func objectsOnDisk(t testing.TB, l *Local) map[string]bool {
	t.Helper()
	a, err := l.audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for h := range a.objects {
		out[h] = true
	}
	return out
}

// closure lists the digests of the tree at root (root included).
func closure(t testing.TB, s Store, root digest.Digest) []digest.Digest {
	t.Helper()
	out := []digest.Digest{root}
	must(t, Walk(context.Background(), s, root, func(e Entry) error {
		if e.Type != SymlinkEntry {
			out = append(out, e.Digest)
		}
		return nil
	}))
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
