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
// with it; the closures are computed once per element and shared.
func (e *Element) BuildDependencies() []*Element {
	seen := make(map[*Element]struct{}, 32)
	var out []*Element
	for _, d := range e.BuildDeps {
		for _, x := range d.runList() {
			if _, ok := seen[x]; !ok {
				seen[x] = struct{}{}
				out = append(out, x)
			}
		}
	}
	return out
}
