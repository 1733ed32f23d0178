package element

// Scope selects which dependencies to follow.
type Scope uint8

// Scopes, as BuildStream's Scope.
const (
	ScopeAll Scope = iota + 1
	ScopeBuild
	ScopeRun
	ScopeNone
)

type scopeSet uint8

const (
	setBuild scopeSet = 1
	setRun   scopeSet = 2
)

func (s Scope) set() scopeSet {
	switch s {
	case ScopeAll:
		return setBuild | setRun
	case ScopeBuild:
		return setBuild
	case ScopeRun:
		return setRun
	}
	return 0
}

// Dependencies returns the elements of targets' closures in scope, in
// BuildStream's deterministic staging order (basemost first). The targets
// share one visited set, as BuildStream's pipeline does.
func Dependencies(targets []*Element, scope Scope) []*Element {
	w := walker{visited: map[*Element]scopeSet{}}
	for _, t := range targets {
		w.walk(t, scope, false)
	}
	return w.out
}

type walker struct {
	visited map[*Element]scopeSet
	out     []*Element
}

// walk mirrors Element.dependencies(scope, recurse=True).
func (w *walker) walk(e *Element, scope Scope, recursed bool) {
	set := scope.set()
	prev, seen := w.visited[e]
	if seen && prev&set == set {
		return
	}
	shouldYield := !seen
	w.visited[e] = prev | set
	switch scope {
	case ScopeAll:
		for _, d := range e.BuildDeps {
			w.walk(d, ScopeAll, true)
		}
		// BuildStream skips runtime dependencies that are also build
		// dependencies; walking them again stops at once (they were
		// visited with ScopeAll just above), without a linear search per
		// dependency (quadratic for a stack over thousands of elements).
		for _, d := range e.RuntimeDeps {
			w.walk(d, ScopeAll, true)
		}
	case ScopeBuild:
		for _, d := range e.BuildDeps {
			w.walk(d, ScopeRun, true)
		}
	case ScopeRun:
		for _, d := range e.RuntimeDeps {
			w.walk(d, ScopeRun, true)
		}
	}
	if shouldYield && scope != ScopeBuild {
		w.out = append(w.out, e)
	}
}
