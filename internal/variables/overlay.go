package variables

import (
	"math/bits"
	"slices"
	"strings"

	"example.org/bst/internal/bsterr"
)

// overlay is a table's own view on top of its parent's frame: the parent's
// results are reused for every slot the table's definitions cannot affect,
// and only the rest ("local" slots) are held and resolved here.
//
// Local slots are the affected parent slots, in ascending order, followed by
// the slots new in this table (names the parent neither defines nor
// references), in allocation order.
type overlay struct {
	f *frame

	aff      []uint64 // bit s set: parent slot s is local
	affRank  []int32  // number of set bits in aff[:w]
	affSlots []int32  // local index -> parent slot, for the affected slots

	newNames []string         // names of slots f.n, f.n+1, ...
	newSlot  map[string]int32 // inverse of newNames

	loc []local // per local slot

	order     []int32 // defined slots that the parent did not define, in definition order
	sortedNew []int32 // order, sorted by name
}

// local is the definition and resolution of one local slot.
type local struct {
	tmpl *Template // nil: referenced but not defined
	refs []int32
	prov bsterr.Provenance
	val  string
	st   state
}

// ownDef is one of a table's own definitions after merging duplicates.
type ownDef struct {
	name string
	tmpl *Template
	prov bsterr.Provenance
	slot int32
	refs []int32
}

// buildOverlay lays defs over f. It does not resolve anything.
func buildOverlay(f *frame, p *Parser, defs []Def) *overlay {
	o := &overlay{f: f}
	owns := collapse(f, p, defs)

	// Slots for the defined names. A synthetic definition (no file) over an
	// existing one keeps the existing provenance, as BuildStream's
	// MappingNode.__setitem__ does for values set by the core.
	var overrides []int // indices into owns of definitions of parent slots
	var newOwn []int    // indices into owns of definitions of new slots
	for k := range owns {
		d := &owns[k]
		if s, ok := f.slot[d.name]; ok {
			d.slot = s
			overrides = append(overrides, k)
			if f.tmpl[s] == nil {
				o.order = append(o.order, s)
			} else if d.prov.File == "" {
				d.prov = f.prov[s]
			}
			continue
		}
		d.slot = o.addSlot(d.name)
		newOwn = append(newOwn, k)
		o.order = append(o.order, d.slot)
	}
	// Slots for the references, adding undefined names as they come.
	for k := range owns {
		names := owns[k].tmpl.names
		if len(names) == 0 {
			continue
		}
		refs := make([]int32, len(names))
		for i, name := range names {
			s, ok := o.lookup(name)
			if !ok {
				s = o.addSlot(name)
			}
			refs[i] = s
		}
		owns[k].refs = refs
	}

	o.markAffected(owns, overrides)
	o.fillLocals(owns, overrides, newOwn)

	o.sortedNew = slices.Clone(o.order)
	slices.SortFunc(o.sortedNew, func(a, b int32) int { return strings.Compare(o.name(a), o.name(b)) })
	return o
}

// collapse parses defs and merges repeated names: the last value wins, at
// the position of the first, as when compositing a mapping.
func collapse(f *frame, p *Parser, defs []Def) []ownDef {
	owns := make([]ownDef, 0, len(defs))
	var index map[string]int
	if len(defs) > 8 {
		index = make(map[string]int, len(defs))
	}
	find := func(name string) int {
		if index != nil {
			if k, ok := index[name]; ok {
				return k
			}
			return -1
		}
		for k := range owns {
			if owns[k].name == name {
				return k
			}
		}
		return -1
	}
	for _, d := range defs {
		t := p.Parse(d.Value)
		if k := find(d.Name); k >= 0 {
			if d.Prov.File == "" {
				d.Prov = owns[k].prov
			}
			owns[k].tmpl, owns[k].prov = t, d.Prov
			continue
		}
		if index != nil {
			index[d.Name] = len(owns)
		}
		owns = append(owns, ownDef{name: d.Name, tmpl: t, prov: d.Prov})
	}
	return owns
}

func (o *overlay) addSlot(name string) int32 {
	s := o.f.n + int32(len(o.newNames))
	o.newNames = append(o.newNames, name)
	if o.newSlot == nil {
		o.newSlot = make(map[string]int32)
	}
	o.newSlot[name] = s
	return s
}

// markAffected sets aff to the overridden parent slots and every parent slot
// that transitively refers to one of them.
func (o *overlay) markAffected(owns []ownDef, overrides []int) {
	if len(overrides) == 0 {
		return
	}
	f := o.f
	o.aff = make([]uint64, (f.n+63)/64)
	queue := make([]int32, 0, 32)
	for _, k := range overrides {
		s := owns[k].slot
		if o.aff[s>>6]&(1<<(s&63)) == 0 {
			o.aff[s>>6] |= 1 << (s & 63)
			queue = append(queue, s)
		}
	}
	for len(queue) > 0 {
		s := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, r := range f.referrers(s) {
			if o.aff[r>>6]&(1<<(r&63)) == 0 {
				o.aff[r>>6] |= 1 << (r & 63)
				queue = append(queue, r)
			}
		}
	}
	o.affRank = make([]int32, len(o.aff))
	var n int32
	for w, word := range o.aff {
		o.affRank[w] = n
		n += int32(bits.OnesCount64(word))
	}
	o.affSlots = make([]int32, 0, n)
	for w, word := range o.aff {
		for word != 0 {
			o.affSlots = append(o.affSlots, int32(w*64+bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
}

func (o *overlay) fillLocals(owns []ownDef, overrides, newOwn []int) {
	f := o.f
	nAff := len(o.affSlots)
	o.loc = make([]local, nAff+len(o.newNames))

	slices.SortFunc(overrides, func(a, b int) int { return int(owns[a].slot - owns[b].slot) })
	oi := 0
	for li, s := range o.affSlots {
		if oi < len(overrides) && owns[overrides[oi]].slot == s {
			d := &owns[overrides[oi]]
			o.loc[li] = local{tmpl: d.tmpl, refs: d.refs, prov: d.prov}
			oi++
		} else {
			o.loc[li] = local{tmpl: f.tmpl[s], refs: f.refs[s], prov: f.prov[s]}
		}
	}
	for j, k := range newOwn {
		d := &owns[k]
		o.loc[nAff+j] = local{tmpl: d.tmpl, refs: d.refs, prov: d.prov}
	}
	for li := range o.loc {
		if o.loc[li].tmpl == nil {
			o.loc[li].st = stUndefined
		}
	}
}

// local returns the local index of slot s, if s is local.
func (o *overlay) local(s int32) (int32, bool) {
	if s >= o.f.n {
		return int32(len(o.affSlots)) + s - o.f.n, true
	}
	if o.aff == nil {
		return 0, false
	}
	w, bit := s>>6, uint64(1)<<(s&63)
	if o.aff[w]&bit == 0 {
		return 0, false
	}
	return o.affRank[w] + int32(bits.OnesCount64(o.aff[w]&(bit-1))), true
}

func (o *overlay) slotAt(li int32) int32 {
	if int(li) < len(o.affSlots) {
		return o.affSlots[li]
	}
	return o.f.n + li - int32(len(o.affSlots))
}

// lookup returns the slot of name, if the name is defined or referenced.
func (o *overlay) lookup(name string) (int32, bool) {
	if s, ok := o.f.slot[name]; ok {
		return s, true
	}
	s, ok := o.newSlot[name]
	return s, ok
}

func (o *overlay) name(s int32) string {
	if s < o.f.n {
		return o.f.names[s]
	}
	return o.newNames[s-o.f.n]
}

func (o *overlay) def(s int32) (*Template, []int32, bsterr.Provenance) {
	if li, ok := o.local(s); ok {
		l := &o.loc[li]
		return l.tmpl, l.refs, l.prov
	}
	return o.f.tmpl[s], o.f.refs[s], o.f.prov[s]
}

func (o *overlay) defined(s int32) bool {
	t, _, _ := o.def(s)
	return t != nil
}

func (o *overlay) result(s int32) (string, state) {
	if li, ok := o.local(s); ok {
		return o.loc[li].val, o.loc[li].st
	}
	return o.f.vals[s], o.f.st[s]
}

// resolve computes the value of every local slot whose closure is free of
// undefined references and cycles, and marks the others bad. Errors are
// explained on demand by explain, which follows BuildStream's order.
func (o *overlay) resolve() {
	type item struct {
		li  int32
		pos int32 // next reference to look at
		bad bool
	}
	stack := make([]item, 0, 16)
	scratch := make([]string, 0, 16)
	for root := range o.loc {
		if o.loc[root].st != stUnvisited {
			continue
		}
		o.loc[root].st = stVisiting
		stack = append(stack[:0], item{li: int32(root)})
	next:
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			refs := o.loc[top.li].refs
			for ; int(top.pos) < len(refs); top.pos++ {
				r := refs[top.pos]
				var st state
				if rl, ok := o.local(r); ok {
					st = o.loc[rl].st
					if st == stUnvisited {
						o.loc[rl].st = stVisiting
						stack = append(stack, item{li: rl})
						continue next // come back to this reference when rl is done
					}
				} else {
					st = o.f.st[r]
				}
				if st != stGood {
					top.bad = true // stVisiting means a cycle
				}
			}
			l := &o.loc[top.li]
			if top.bad {
				l.st = stBad
			} else {
				scratch = scratch[:0]
				for _, r := range refs {
					v, _ := o.result(r)
					scratch = append(scratch, v)
				}
				l.val = l.tmpl.expand(scratch)
				l.st = stGood
			}
			stack = stack[:len(stack)-1]
		}
	}
}
