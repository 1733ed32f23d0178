package loader

import (
	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
	"example.org/bst/internal/pysort"
)

// checkCircular reports the first dependency cycle reachable from targets.
func checkCircular(targets []*LoadElement) error {
	const (
		visiting = 1
		done     = 2
	)
	state := map[*LoadElement]uint8{}
	var visit func(e *LoadElement) error
	visit = func(e *LoadElement) error {
		switch state[e] {
		case done:
			return nil
		case visiting:
			if e.Loader.Project.Gen == project.Gen2 {
				return bsterr.Load(bsterr.CircularDependency, nil, "Circular dependency detected at element: %s", e.FullName)
			}
			return bsterr.Load(bsterr.CircularDependency, nil, "Circular dependency detected for element: %s", e.Name)
		}
		state[e] = visiting
		for _, d := range e.Deps {
			if err := visit(d.Element); err != nil {
				return err
			}
		}
		state[e] = done
		return nil
	}
	for _, t := range targets {
		if err := visit(t); err != nil {
			return err
		}
	}
	return nil
}

// closure returns the transitive dependency set of e as a bitset over
// element indices (computed once).
func closure(e *LoadElement, n int) []uint64 {
	if e.closed != nil {
		return e.closed
	}
	set := make([]uint64, (n+63)/64)
	for _, d := range e.Deps {
		de := d.Element
		set[de.index/64] |= 1 << (uint(de.index) % 64)
		for i, w := range closure(de, n) {
			set[i] |= w
		}
	}
	e.closed = set
	return set
}

func (e *LoadElement) depends(o *LoadElement, n int) bool {
	c := closure(e, n)
	if o.index/64 >= len(c) {
		return false
	}
	return c[o.index/64]&(1<<(uint(o.index)%64)) != 0
}

// sortTargets sorts the dependencies of every element reachable from
// targets with BuildStream's comparator and CPython's sort algorithm (the
// comparator is not a total order, so the algorithm and the number of times
// a list is sorted decide the result). BuildStream 1 sorts the closure of
// each target afresh, dependencies first; BuildStream 2 sorts each element
// once across all targets (and each target again).
func sortTargets(targets []*LoadElement, n int) {
	shared := map[*LoadElement]bool{}
	var scratch []*Dependency
	for i, t := range targets {
		if t.Loader.Project.Gen == project.Gen2 {
			sortGen2(t, n, shared)
		} else {
			sortGen1(t, n, i+1, &scratch)
		}
	}
}

// sortGen1 sorts the closure of a target; epoch marks the elements already
// sorted for this target (a fresh visited set per target, as in 1.6).
func sortGen1(e *LoadElement, n int, epoch int, scratch *[]*Dependency) {
	if e.sortEpoch == epoch {
		return
	}
	e.sortEpoch = epoch
	for _, d := range e.Deps {
		sortGen1(d.Element, n, epoch, scratch)
	}
	// Sorting is a function of the list's order alone: once a sort
	// changes nothing, the following ones would not either.
	if e.sortStable || len(e.Deps) < 2 {
		return
	}
	before := append((*scratch)[:0], e.Deps...)
	*scratch = before
	sortDeps(e, n)
	e.sortStable = true
	for i, d := range e.Deps {
		if before[i] != d {
			e.sortStable = false
			break
		}
	}
}

func sortGen2(t *LoadElement, n int, visited map[*LoadElement]bool) {
	work := []*LoadElement{t}
	for len(work) > 0 {
		e := work[len(work)-1]
		work = work[:len(work)-1]
		for _, d := range e.Deps {
			if !visited[d.Element] {
				visited[d.Element] = true
				work = append(work, d.Element)
			}
		}
		sortDeps(e, n)
	}
}

func sortDeps(e *LoadElement, n int) {
	if len(e.Deps) < 2 {
		return
	}
	gen2 := e.Loader.Project.Gen == project.Gen2
	pysort.Sort(e.Deps, func(a, b *Dependency) bool { return depCmp(a, b, n, gen2) < 0 })
}

func depCmp(a, b *Dependency, n int, gen2 bool) int {
	ea, eb := a.Element, b.Element
	if ea.depends(eb, n) {
		return 1
	}
	if eb.depends(ea, n) {
		return -1
	}
	if a.Type != b.Type {
		if a.Type == DepRuntime {
			return 1
		}
		if b.Type == DepRuntime {
			return -1
		}
	}
	an, bn, aj, bj := a.Name, b.Name, a.Junction, b.Junction
	if gen2 {
		an, bn, aj, bj = ea.Name, eb.Name, ea.Junction(), eb.Junction()
	}
	if an > bn {
		return 1
	}
	if an < bn {
		return -1
	}
	switch {
	case aj != "" && bj != "":
		if aj > bj {
			return 1
		}
		if aj < bj {
			return -1
		}
	case aj != "":
		return -1
	case bj != "":
		return 1
	}
	return 0
}
