package cas

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"example.org/bst/internal/digest"
)

// importTree imports files as a tree.
func importTree(t testing.TB, l *Local, files map[string]string) digest.Digest {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	d, err := l.ImportTree(context.Background(), dir, TreeOptions{})
	must(t, err)
	return d
}

func TestRefs(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	l := openLocal(t, root, LocalOptions{})
	tree := importTree(t, l, map[string]string{"a": "1", "b/c": "2"})
	for _, ref := range []string{"artifacts/p/e/key2", "artifacts/p/e/key1", "artifacts/p/other/k", "sources/tar/abc"} {
		must(t, l.SetRef(ctx, ref, tree))
	}
	got, err := l.GetRef(ctx, "artifacts/p/e/key1")
	if err != nil || got != tree {
		t.Fatalf("GetRef = %v, %v", got, err)
	}
	// The file holds a serialized REAPI Digest, as BuildStream 1's refs.
	b, err := os.ReadFile(filepath.Join(root, "artifacts", "refs", "p", "e", "key1"))
	must(t, err)
	var p remoteexecution.Digest
	if err := proto.Unmarshal(b, &p); err != nil || p.GetHash() != tree.Hash() || p.GetSizeBytes() != tree.SizeBytes() {
		t.Errorf("ref file holds %v, %v", &p, err)
	}
	refs, err := l.ListRefs(ctx, "artifacts")
	must(t, err)
	if want := "artifacts/p/e/key1 artifacts/p/e/key2 artifacts/p/other/k"; strings.Join(refs, " ") != want {
		t.Errorf("ListRefs = %v, want %s", refs, want)
	}
	if refs, err := l.ListRefs(ctx, "nothing"); err != nil || len(refs) != 0 {
		t.Errorf("ListRefs(empty namespace) = %v, %v", refs, err)
	}
	must(t, l.DeleteRef(ctx, "artifacts/p/e/key1"))
	_, err = l.GetRef(ctx, "artifacts/p/e/key1")
	wantReason(t, err, RefNotFound)
	wantReason(t, l.DeleteRef(ctx, "artifacts/p/e/key1"), RefNotFound)
	checkConsistent(t, l)
}

func TestRefErrors(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir(), LocalOptions{})
	tree := importTree(t, l, map[string]string{"a": "1"})
	for _, ref := range []string{"", "noslash", "cas/x", "a/../b", "a//b", "a/b/", "/a/b", "a/./b", "a/b\nc"} {
		wantReason(t, l.SetRef(ctx, ref, tree), InvalidRef)
		_, err := l.GetRef(ctx, ref)
		wantReason(t, err, InvalidRef)
	}
	_, err := l.ListRefs(ctx, "cas")
	wantReason(t, err, InvalidRef)
	blob, _ := l.PutBlob(ctx, []byte("a plain blob"))
	wantReason(t, l.SetRef(ctx, "x/plain", blob), InvalidTree)
	wantReason(t, l.SetRef(ctx, "x/missing", digest.NewFromBlob([]byte("?"))), InvalidTree)
	checkConsistent(t, l)
}

// TestGetRefTouchesCoarsely: GetRef moves the ref's mtime (and logs the
// use) only when it is more than a minute old, as cmd/go's markUsed.
func TestGetRefTouchesCoarsely(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	root := t.TempDir()
	l := openLocal(t, root, LocalOptions{Now: clock.now})
	tree := importTree(t, l, map[string]string{"a": "1"})
	must(t, l.SetRef(ctx, "artifacts/r", tree))
	path := filepath.Join(root, "artifacts", "refs", "r")
	mtime := func() time.Time {
		info, err := os.Stat(path)
		must(t, err)
		return info.ModTime()
	}
	t0 := clock.now()
	if !mtime().Equal(t0) {
		t.Fatalf("SetRef mtime %v, want %v", mtime(), t0)
	}
	clock.advance(30 * time.Second)
	_, err := l.GetRef(ctx, "artifacts/r")
	must(t, err)
	if !mtime().Equal(t0) {
		t.Errorf("GetRef after 30s moved mtime to %v", mtime())
	}
	clock.advance(90 * time.Second)
	_, err = l.GetRef(ctx, "artifacts/r")
	must(t, err)
	if !mtime().Equal(clock.now()) {
		t.Errorf("GetRef after 2m: mtime %v, want %v", mtime(), clock.now())
	}
	log, err := os.ReadFile(l.refLogPath())
	must(t, err)
	want := fmt.Sprintf("%d artifacts/r\n%d artifacts/r\n", t0.Unix(), clock.now().Unix())
	if string(log) != want {
		t.Errorf("ref log:\n%s\nwant\n%s", log, want)
	}
}

// TestDeleteRefFreesObjects: what only the deleted ref held goes, what is
// shared stays; a store whose refs are all gone is empty.
func TestDeleteRefFreesObjects(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir(), LocalOptions{})
	shared := map[string]string{"shared/lib": "common", "own": "one"}
	t1 := importTree(t, l, shared)
	shared["own"] = "two"
	shared["extra/dir/f"] = "deep"
	t2 := importTree(t, l, shared)
	must(t, l.SetRef(ctx, "a/one", t1))
	must(t, l.SetRef(ctx, "a/two", t2))
	must(t, l.ReleasePins(ctx)) // only the refs hold the trees now
	must(t, l.DeleteRef(ctx, "a/one"))
	onDisk := objectsOnDisk(t, l)
	for _, d := range closure(t, l, t2) {
		if !onDisk[d.Hash()] {
			t.Errorf("%s of the remaining ref was removed", d)
		}
	}
	if onDisk[t1.Hash()] || onDisk[digest.NewFromBlob([]byte("one")).Hash()] {
		t.Error("objects only the deleted ref held are still stored")
	}
	checkConsistent(t, l)
	must(t, l.DeleteRef(ctx, "a/two"))
	if n := len(objectsOnDisk(t, l)); n != 0 {
		t.Errorf("%d objects left after deleting every ref", n)
	}
	if b, o, err := l.Usage(ctx); b != 0 || o != 0 || err != nil {
		t.Errorf("Usage = %d bytes, %d objects, %v; want 0", b, o, err)
	}
	checkConsistent(t, l)
}

// TestSetRefReplaces: pointing a ref elsewhere releases the old tree.
func TestSetRefReplaces(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir(), LocalOptions{})
	t1 := importTree(t, l, map[string]string{"v": "1"})
	t2 := importTree(t, l, map[string]string{"v": "2"})
	must(t, l.SetRef(ctx, "a/r", t1))
	must(t, l.SetRef(ctx, "a/r", t1)) // same tree: still one holder
	must(t, l.ReleasePins(ctx))
	must(t, l.SetRef(ctx, "a/r", t2))
	if onDisk := objectsOnDisk(t, l); onDisk[t1.Hash()] {
		t.Error("old tree kept after the ref moved")
	}
	checkConsistent(t, l)
}

// TestPinsProtectAcrossSessions: what a live session stored or read is
// kept whatever other sessions do, until it ends.
func TestPinsProtectAcrossSessions(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	a := openLocal(t, root, LocalOptions{})
	b := openLocal(t, root, LocalOptions{})
	inFlight := importTree(t, a, map[string]string{"x": "in flight"}) // no ref yet
	tree := importTree(t, b, map[string]string{"y": "used"})
	must(t, b.SetRef(ctx, "a/used", tree))
	must(t, b.ReleasePins(ctx))
	if _, err := a.GetRef(ctx, "a/used"); err != nil { // a uses it now
		t.Fatal(err)
	}
	must(t, b.DeleteRef(ctx, "a/used"))
	if _, err := b.Expire(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, root := range []digest.Digest{inFlight, tree} {
		if err := b.Checkout(ctx, root, t.TempDir(), CheckoutOptions{Hardlinks: true}); err != nil {
			t.Errorf("tree pinned by a live session is gone: %v", err)
		}
	}
	must(t, a.SetRef(ctx, "a/late", inFlight)) // still possible
	must(t, a.Close())
	st, err := b.Expire(ctx, nil)
	must(t, err)
	if st.SessionsCollected != 1 {
		t.Errorf("collected %d sessions, want 1", st.SessionsCollected)
	}
	onDisk := objectsOnDisk(t, b)
	if onDisk[tree.Hash()] {
		t.Error("tree whose only user ended is still stored")
	}
	if !onDisk[inFlight.Hash()] {
		t.Error("tree held by a ref was removed")
	}
	checkConsistent(t, b)
}

// GetRefs answers as GetRef for each ref, missing ones included, and marks
// the ones it finds used.
func TestGetRefs(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	root := t.TempDir()
	l := openLocal(t, root, LocalOptions{Now: clock.now})
	one := importTree(t, l, map[string]string{"a": "1"})
	two := importTree(t, l, map[string]string{"b": "2"})
	must(t, l.SetRef(ctx, "artifacts/p/one/k", one))
	must(t, l.SetRef(ctx, "artifacts/p/two/k", two))
	clock.advance(2 * time.Minute)
	refs := []string{"artifacts/p/two/k", "artifacts/p/missing/k", "artifacts/p/one/k", "artifacts/nothing/here/k"}
	roots, found, err := l.GetRefs(ctx, refs)
	must(t, err)
	info, err := os.Stat(filepath.Join(root, "artifacts", "refs", "p", "one", "k"))
	must(t, err)
	if !info.ModTime().Equal(clock.now()) {
		t.Errorf("GetRefs did not mark a found ref used: mtime %v, want %v", info.ModTime(), clock.now())
	}
	for i, ref := range refs {
		want, err := l.GetRef(ctx, ref)
		if (err == nil) != found[i] || found[i] && roots[i] != want {
			t.Errorf("GetRefs %s = %v, %v; GetRef = %v, %v", ref, roots[i], found[i], want, err)
		}
	}
	if _, _, err := l.GetRefs(ctx, []string{"artifacts/../escape"}); err == nil {
		t.Errorf("GetRefs accepted a ref that leaves the refs directory")
	}
	checkConsistent(t, l)
}
