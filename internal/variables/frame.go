package variables

import (
	"example.org/bst/internal/bsterr"
)

// state is the resolution state of one variable slot.
type state uint8

const (
	stUnvisited state = iota // defined, not yet resolved
	stVisiting               // on the resolution stack
	stGood                   // resolved; the value is known
	stBad                    // its closure holds an undefined reference or a cycle
	stUndefined              // referenced somewhere but not defined
)

// frame is the fully materialized, resolved view of a table that serves as a
// parent. Every variable name the table defines or references has a slot;
// a child table extends the slot space without copying it.
//
// A frame is immutable once built, so any number of goroutines may read it.
type frame struct {
	n     int32
	names []string
	slot  map[string]int32
	tmpl  []*Template // nil: referenced but not defined
	prov  []bsterr.Provenance
	refs  [][]int32 // slot of each reference of tmpl
	vals  []string  // valid where st is stGood
	st    []state

	// Reverse dependencies in compressed form: the slots whose values
	// reference slot s are rdep[rdepOff[s]:rdepOff[s+1]].
	rdepOff []int32
	rdep    []int32

	order  []int32 // defined slots in definition order
	sorted []int32 // defined slots sorted by name
}

func (f *frame) referrers(s int32) []int32 { return f.rdep[f.rdepOff[s]:f.rdepOff[s+1]] }

// materialize returns the frame of a table whose parent frame is f and whose
// own definitions produced the overlay o.
func materialize(f *frame, o *overlay) *frame {
	nNew := int32(len(o.newNames))
	n := f.n + nNew
	nf := &frame{
		n:     n,
		names: concat(f.names, o.newNames),
		slot:  make(map[string]int32, n),
		tmpl:  concat(f.tmpl, make([]*Template, nNew)),
		prov:  concat(f.prov, make([]bsterr.Provenance, nNew)),
		refs:  concat(f.refs, make([][]int32, nNew)),
		vals:  concat(f.vals, make([]string, nNew)),
		st:    concat(f.st, make([]state, nNew)),
		order: concat(f.order, o.order),
	}
	for k, s := range f.slot {
		nf.slot[k] = s
	}
	for k, s := range o.newSlot {
		nf.slot[k] = s
	}
	for li, l := range o.loc {
		s := o.slotAt(int32(li))
		nf.tmpl[s], nf.prov[s], nf.refs[s], nf.vals[s], nf.st[s] = l.tmpl, l.prov, l.refs, l.val, l.st
	}
	nf.sorted = mergeByName(f.sorted, f.names, o.sortedNew, o.name)
	nf.buildReverse()
	return nf
}

func (f *frame) buildReverse() {
	f.rdepOff = make([]int32, f.n+1)
	for _, rs := range f.refs {
		for _, r := range rs {
			f.rdepOff[r+1]++
		}
	}
	for i := int32(0); i < f.n; i++ {
		f.rdepOff[i+1] += f.rdepOff[i]
	}
	f.rdep = make([]int32, f.rdepOff[f.n])
	fill := make([]int32, f.n)
	copy(fill, f.rdepOff[:f.n])
	for s, rs := range f.refs {
		for _, r := range rs {
			f.rdep[fill[r]] = int32(s)
			fill[r]++
		}
	}
}

// mergeByName merges two slices of slots, each sorted by name.
func mergeByName(a []int32, aNames []string, b []int32, bName func(int32) string) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if aNames[a[i]] <= bName(b[j]) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func concat[T any](a, b []T) []T {
	out := make([]T, len(a)+len(b))
	copy(out, a)
	copy(out[len(a):], b)
	return out
}
