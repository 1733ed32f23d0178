// Package gctune sets the garbage collector up for bst's work: a short,
// allocation-heavy load followed by little garbage.
//
// Tune turns proportional collection off and lets the heap grow to a
// soft limit before the first collection: a `bst show` of a thousand
// elements then never collects at all (the early collections of the
// default policy cost a tenth of such a run). After each collection the
// limit is kept at least twice the live heap, so a project whose live heap
// outgrows the limit is not collected continuously.
//
// Imports: the standard library only.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// DefaultLimit is the first soft limit of the heap, which keeps the peak
// memory of a 5000-element `bst show` under 200 MB.
const DefaultLimit = 150 << 20

// Tune applies the policy with limit as the first soft limit. It does
// nothing to what the user set: with gogcSet (GOGC in the environment)
// collection stays proportional, with limitSet (GOMEMLIMIT) the limit
// stays the user's.
func Tune(limit int64, gogcSet, limitSet bool) {
	if gogcSet {
		if !limitSet {
			debug.SetMemoryLimit(limit)
		}
		return
	}
	if limitSet {
		// The user's limit alone decides: no proportional collection
		// below it could surprise them, so keep the default.
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(limit)
	t := &tuner{limit: limit, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.arm()
}

// tuner raises the limit after a collection that left a large live heap.
type tuner struct {
	limit  int64
	sample []metrics.Sample
}

// sentinel is garbage whose finalizer runs after the next collection.
type sentinel struct {
	t *tuner
	_ [16]byte // not a tiny allocation, so that it is finalized on its own
}

func (t *tuner) arm() {
	runtime.SetFinalizer(&sentinel{t: t}, func(s *sentinel) {
		s.t.adjust()
		s.t.arm()
	})
}

// adjust keeps the limit at least twice the live heap.
func (t *tuner) adjust() {
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	live := int64(t.sample[0].Value.Uint64())
	if 2*live > t.limit {
		t.limit = 2 * live
		debug.SetMemoryLimit(t.limit)
	}
}
