package element

import "sync"

// runClosure is e's runtime closure in staging order (dependencies first,
// e last), computed once: Dependencies([e], ScopeRun).
type runClosure struct {
	once sync.Once
	list []*Element
}

func (e *Element) runList() []*Element {
	e.run.once.Do(func() {
		if len(e.RuntimeDeps) == 0 {
			e.run.list = []*Element{e}
			return
		}
		var seen elemSet
		var out []*Element
		for _, d := range e.RuntimeDeps {
			for _, x := range d.runList() {
				if seen.add(x) {
					out = append(out, x)
				}
			}
		}
		if seen.add(e) {
			out = append(out, e)
		}
		e.run.list = out
	})
	return e.run.list
}

// BuildDependencies returns Dependencies([e], ScopeBuild): the runtime
// closures of e's build dependencies, in staging order. Walking the graph
// with one visited set, as BuildStream does, yields exactly the
// concatenation of the build dependencies' runtime closures without
// repeats, because a visited element's closure has always been visited
// with it; the closures are computed once per element and shared, and so
// is the result: callers must not modify it. Dependencies must be wired
// before the first call.
func (e *Element) BuildDependencies() []*Element {
	e.build.once.Do(func() {
		switch len(e.BuildDeps) {
		case 0:
			return
		case 1:
			e.build.list = e.BuildDeps[0].runList()
			return
		}
		n := 0
		for _, d := range e.BuildDeps {
			n += len(d.runList())
		}
		out := make([]*Element, 0, n)
		if n <= 32 {
			// Small closures (the common case): a linear scan beats a map.
			for _, d := range e.BuildDeps {
				for _, x := range d.runList() {
					if !containsElem(out, x) {
						out = append(out, x)
					}
				}
			}
			e.build.list = out
			return
		}
		var seen elemSet
		for _, d := range e.BuildDeps {
			for _, x := range d.runList() {
				if seen.add(x) {
					out = append(out, x)
				}
			}
		}
		e.build.list = out
	})
	return e.build.list
}

// elemSet is a set of elements for closure walks: a bitset over the
// sequence numbers of the first numbered element's factory, or a map for
// elements that have none (made without a Factory) or another factory's.
// The zero value is empty.
type elemSet struct {
	fac  *Factory
	bits []uint64
	m    map[*Element]struct{}
}

// add adds e and reports whether it was new.
func (s *elemSet) add(e *Element) bool {
	if s.fac == nil && e.seq > 0 {
		s.fac = e.fac
	}
	if e.seq <= 0 || e.fac != s.fac {
		if s.m == nil {
			s.m = map[*Element]struct{}{}
		}
		if _, ok := s.m[e]; ok {
			return false
		}
		s.m[e] = struct{}{}
		return true
	}
	w, b := int(e.seq)>>6, uint64(1)<<(e.seq&63)
	if w >= len(s.bits) {
		s.bits = append(s.bits, make([]uint64, w+1-len(s.bits))...)
	}
	if s.bits[w]&b != 0 {
		return false
	}
	s.bits[w] |= b
	return true
}
