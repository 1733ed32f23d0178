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
		seen := make(map[*Element]struct{}, 16)
		var out []*Element
		for _, d := range e.RuntimeDeps {
			for _, x := range d.runList() {
				if _, ok := seen[x]; !ok {
					seen[x] = struct{}{}
					out = append(out, x)
				}
			}
		}
		if _, ok := seen[e]; !ok {
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
		seen := make(map[*Element]struct{}, n)
		for _, d := range e.BuildDeps {
			for _, x := range d.runList() {
				if _, ok := seen[x]; !ok {
					seen[x] = struct{}{}
					out = append(out, x)
				}
			}
		}
		e.build.list = out
	})
	return e.build.list
}
