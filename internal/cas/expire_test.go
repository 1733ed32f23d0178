package cas

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/digest"
)

// fillCache stores n refs "artifacts/r<i>", one second apart, each a tree
// of a shared file plus size bytes of its own, in a session that then
// ends, so only the refs hold the trees.
func fillCache(t testing.TB, root string, clock *fakeClock, n, size int) []digest.Digest {
	t.Helper()
	ctx := context.Background()
	l, err := NewLocal(root, LocalOptions{Now: clock.now})
	must(t, err)
	defer l.Close()
	roots := make([]digest.Digest, n)
	for i := range n {
		roots[i] = importTree(t, l, map[string]string{
			"shared/license": strings.Repeat("L", 1000),
			"own/data":       fmt.Sprintf("%08d", i) + strings.Repeat("x", size-8),
			"own/empty/":     "",
		})
		must(t, l.SetRef(ctx, fmt.Sprintf("artifacts/r%03d", i), roots[i]))
		clock.advance(time.Second)
	}
	return roots
}

func TestExpireQuota(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	root := t.TempDir()
	roots := fillCache(t, root, clock, 60, 4000)
	const quota = 100_000
	l := openLocal(t, root, LocalOptions{Quota: quota, LowWatermark: 0.5, Now: clock.now})
	used, _, err := l.Usage(ctx)
	must(t, err)
	if used <= quota {
		t.Fatalf("filled only %d bytes, quota %d", used, quota)
	}
	// r005 is used again: no longer among the least recently used.
	clock.advance(2 * time.Minute)
	_, err = l.GetRef(ctx, "artifacts/r005")
	must(t, err)
	must(t, l.ReleasePins(ctx))
	protected := map[string]bool{"artifacts/r000": true, "artifacts/r001": true, "artifacts/r030": true}
	st, err := l.Expire(ctx, func(ref string) bool { return protected[ref] })
	if err != nil {
		t.Fatalf("Expire: %v (%v)", err, st)
	}
	t.Log(st)
	if st.Bytes > quota/2 || st.Target != quota/2 {
		t.Errorf("usage after Expire %d, target %d; want at most %d", st.Bytes, st.Target, quota/2)
	}
	if b, o, _ := l.Usage(ctx); b != st.Bytes || o != st.Objects {
		t.Errorf("Usage = %d, %d; Expire reported %d, %d", b, o, st.Bytes, st.Objects)
	}
	refs, err := l.ListRefs(ctx, "artifacts")
	must(t, err)
	kept := map[string]bool{}
	for _, r := range refs {
		kept[r] = true
	}
	for r := range protected {
		if !kept[r] {
			t.Errorf("protected %s was removed", r)
		}
	}
	if !kept["artifacts/r005"] {
		t.Error("recently used r005 was removed")
	}
	checkLRUOrder(t, kept, protected)
	if st.RefsRemoved != 60-len(refs) {
		t.Errorf("RefsRemoved %d, but %d refs are gone", st.RefsRemoved, 60-len(refs))
	}
	checkHeldExactly(t, l, refs, roots)
	checkConsistent(t, l)

	// Under the quota now: Expire does no work at all.
	st, err = l.Expire(ctx, nil)
	must(t, err)
	if st.RefsRemoved != 0 || st.RefLogLines != 0 || st.ObjectsExamined != 0 {
		t.Errorf("second Expire did work: %v", st)
	}
}

// checkLRUOrder checks that, protected refs and r005 (used again) aside,
// the refs kept are the most recently set ones.
func checkLRUOrder(t *testing.T, kept, protected map[string]bool) {
	t.Helper()
	firstKept := -1
	for i := range 60 {
		ref := fmt.Sprintf("artifacts/r%03d", i)
		if ref == "artifacts/r005" || protected[ref] {
			continue
		}
		if kept[ref] && firstKept < 0 {
			firstKept = i
		}
		if !kept[ref] && firstKept >= 0 {
			t.Errorf("%s removed although the older r%03d was kept", ref, firstKept)
		}
	}
}

// checkHeldExactly checks that the objects stored are exactly those the
// refs (artifacts/r<i> pointing at roots[i]) hold: unreachable ones are
// gone, reachable ones all there.
func checkHeldExactly(t *testing.T, l *Local, refs []string, roots []digest.Digest) {
	t.Helper()
	want := map[string]bool{}
	for _, ref := range refs {
		var i int
		fmt.Sscanf(ref, "artifacts/r%03d", &i)
		for _, d := range closure(t, l, roots[i]) {
			want[d.Hash()] = true
		}
	}
	onDisk := objectsOnDisk(t, l)
	if len(onDisk) != len(want) {
		t.Errorf("%d objects stored, the remaining refs hold %d", len(onDisk), len(want))
	}
	for h := range want {
		if !onDisk[h] {
			t.Errorf("object %s of a remaining ref is gone", h[:12])
		}
	}
}

// TestExpireCostDoesNotGrowWithCache: removing the same amount from a
// cache 8 times larger reads the same ref log lines and examines the same
// objects.
func TestExpireCostDoesNotGrowWithCache(t *testing.T) {
	ctx := context.Background()
	var stats []ExpireStats
	for _, n := range []int{25, 200} {
		clock := newFakeClock()
		root := t.TempDir()
		fillCache(t, root, clock, n, 2000)
		l := openLocal(t, root, LocalOptions{Now: clock.now})
		// Fold the filling session first: that work is proportional to
		// what it stored, and done once.
		_, err := l.Expire(ctx, nil)
		must(t, err)
		used, _, err := l.Usage(ctx)
		must(t, err)
		l.Close()
		// A quota just under the usage, low watermark such that about
		// five refs must go.
		quota := used - 1
		l = openLocal(t, root, LocalOptions{Quota: quota, LowWatermark: float64(used-5*2100) / float64(quota), Now: clock.now})
		st, err := l.Expire(ctx, nil)
		must(t, err)
		t.Logf("%d refs: %v", n, st)
		stats = append(stats, st)
	}
	small, large := stats[0], stats[1]
	if small.RefsRemoved != large.RefsRemoved || small.RefLogLines != large.RefLogLines || small.ObjectsExamined != large.ObjectsExamined {
		t.Errorf("work grew with the cache:\n 25 refs: %v\n200 refs: %v", small, large)
	}
	if large.RefLogLines > large.RefsRemoved || large.ObjectsExamined > 8*int64(large.RefsRemoved) {
		t.Errorf("more work than what was removed: %v", large)
	}
}

func TestExpireCacheFull(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	root := t.TempDir()
	fillCache(t, root, clock, 10, 2000)
	l := openLocal(t, root, LocalOptions{Quota: 5000, Now: clock.now})
	st, err := l.Expire(ctx, func(string) bool { return true })
	wantReason(t, err, CacheFull)
	if st.RefsRemoved != 0 {
		t.Errorf("removed %d protected refs", st.RefsRemoved)
	}
	refs, _ := l.ListRefs(ctx, "artifacts")
	if len(refs) != 10 {
		t.Errorf("%d refs left, want 10", len(refs))
	}
	// The protected refs went to the end of the log: once unprotected,
	// they expire oldest first still.
	st, err = l.Expire(ctx, func(ref string) bool { return ref == "artifacts/r009" })
	if err != nil {
		t.Fatalf("Expire: %v (%v)", err, st)
	}
	if refs, _ := l.ListRefs(ctx, "artifacts"); len(refs) != 1 || refs[0] != "artifacts/r009" {
		t.Errorf("refs left %v, want [artifacts/r009]", refs)
	}
	checkConsistent(t, l)
}

// TestExpireReservedDiskSpace: with too little free disk the effective
// quota shrinks to usage + free - reserved.
func TestExpireReservedDiskSpace(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	root := t.TempDir()
	fillCache(t, root, clock, 20, 2000)
	free := int64(1000)
	l := openLocal(t, root, LocalOptions{
		ReservedDiskSpace: 11000, Now: clock.now,
		DiskSpace: func(string) (int64, int64, error) { return 1 << 40, free, nil },
	})
	used, _, _ := l.Usage(ctx)
	st, err := l.Expire(ctx, nil)
	must(t, err)
	if want := used + free - 11000; st.Quota != want || st.Bytes > int64(float64(want)*0.8) {
		t.Errorf("Expire: %v; want quota %d and usage under 80%% of it", st, want)
	}
	checkConsistent(t, l)
}

// TestRepair: what a crash at the wrong moment leaves (a reference count
// too high, a lost usage total, a ref missing from the ref log, stray
// objects) is found and fixed by Repair.
func TestRepair(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	root := t.TempDir()
	roots := fillCache(t, root, clock, 5, 100)
	l := openLocal(t, root, LocalOptions{Now: clock.now})
	leaked := digest.NewFromBlob([]byte("leaked"))
	must(t, l.gcLocked(func() error {
		_, err := l.adjustRefcountLocked(roots[0], 1, false) // as if SetRef died
		if err != nil {
			return err
		}
		if _, err := l.storeBytes(leaked, []byte("leaked")); err != nil {
			return err
		}
		_, err = l.adjustRefcountLocked(leaked, 3, false)
		return err
	}))
	must(t, l.writeFileAtomic(l.usageFile(), []byte("garbage")))
	must(t, l.writeFileAtomic(l.refLogPath(), nil))
	must(t, l.ReleasePins(ctx))
	st, err := l.Repair(ctx)
	must(t, err)
	t.Logf("%+v", st)
	if st.ObjectsRemoved != 1 || st.RefcountsFixed != 2 {
		t.Errorf("Repair: %+v; want 1 object removed, 2 counts fixed", st)
	}
	checkConsistent(t, l)
	// The rebuilt ref log lets Expire work again.
	l2 := openLocal(t, root, LocalOptions{Quota: 1, Now: clock.now})
	est, err := l2.Expire(ctx, nil)
	if est.RefsRemoved != 5 {
		t.Errorf("Expire after Repair: %v, %v", est, err)
	}
}

// gcLocked runs f under the writer lock.
func (l *Local) gcLocked(f func() error) error {
	unlock, err := l.wlock(context.Background())
	if err != nil {
		return err
	}
	defer unlock()
	return f()
}
