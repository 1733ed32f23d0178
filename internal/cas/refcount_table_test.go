package cas

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func randomKey(rng *rand.Rand) tableKey {
	var k tableKey
	binary.LittleEndian.PutUint64(k[:8], rng.Uint64())
	binary.LittleEndian.PutUint64(k[8:], rng.Uint64())
	return k
}

// TestRefTableModel checks the table against a map through inserts,
// updates, removals and the rehashes they cause, and after reopening.
func TestRefTableModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "refcounts")
	tbl, err := openRefTable(path, true)
	must(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	model := map[tableKey]refcount{}
	var keys []tableKey
	for i := range 30000 {
		var k tableKey
		if len(keys) > 0 && rng.IntN(3) == 0 {
			k = keys[rng.IntN(len(keys))]
		} else {
			k = randomKey(rng)
			keys = append(keys, k)
		}
		r := refcount{holders: int64(rng.IntN(4)), dir: rng.IntN(4) == 0}
		must(t, tbl.set(k, r))
		if r.holders == 0 && !r.dir {
			delete(model, k)
		} else {
			model[k] = r
		}
		if i%997 == 0 {
			for _, k := range keys[:min(len(keys), 50)] {
				if got, err := tbl.get(k); err != nil || got != model[k] {
					t.Fatalf("step %d: get = %+v, %v; want %+v", i, got, err, model[k])
				}
			}
		}
	}
	if tbl.live != uint64(len(model)) {
		t.Errorf("live = %d, model has %d", tbl.live, len(model))
	}
	must(t, tbl.close())
	tbl, err = openRefTable(path, false)
	must(t, err)
	defer tbl.close()
	if tbl.capacity <= minCapacity {
		t.Errorf("capacity %d: the table never grew", tbl.capacity)
	}
	seen := 0
	must(t, tbl.records(func(k tableKey, r refcount) {
		seen++
		if model[k] != r {
			t.Errorf("record %x = %+v, want %+v", k[:4], r, model[k])
		}
	}))
	if seen != len(model) {
		t.Errorf("%d records, want %d", seen, len(model))
	}
	for _, k := range keys {
		if got, err := tbl.get(k); err != nil || got != model[k] {
			t.Fatalf("after reopen: get = %+v, %v; want %+v", got, err, model[k])
		}
	}
}

// TestRefTableTombstones: churn on a few keys reuses tombstones and
// rehashes in place instead of growing.
func TestRefTableTombstones(t *testing.T) {
	tbl, err := openRefTable(filepath.Join(t.TempDir(), "refcounts"), true)
	must(t, err)
	defer tbl.close()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		k := randomKey(rng)
		must(t, tbl.set(k, refcount{holders: 1}))
		must(t, tbl.set(k, refcount{}))
	}
	if tbl.capacity != minCapacity || tbl.live != 0 {
		t.Errorf("capacity %d, live %d after churn; want %d, 0", tbl.capacity, tbl.live, minCapacity)
	}
}

func TestRefTableBadHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "refcounts")
	must(t, os.WriteFile(path, make([]byte, 8192), 0o644))
	if _, err := openRefTable(path, true); err == nil {
		t.Fatal("opened a table without a header")
	}
}

// TestRefTableRebuiltWhenMissing: a table deleted from a used cache is
// rebuilt from the refs and objects, so no count is lost.
func TestRefTableRebuiltWhenMissing(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	clock := newFakeClock()
	roots := fillCache(t, root, clock, 5, 100)
	must(t, os.Remove(filepath.Join(root, "cas", refcountsName)))
	l := openLocal(t, root, LocalOptions{Now: clock.now})
	must(t, l.DeleteRef(ctx, "artifacts/r000"))
	checkConsistent(t, l)
	for i, d := range roots[1:] {
		if err := l.Checkout(ctx, d, filepath.Join(t.TempDir(), "out"), CheckoutOptions{}); err != nil {
			t.Errorf("ref %d: %v", i+1, err)
		}
	}
}
