package pipeline

import (
	"sort"

	"example.org/bst/internal/element"
)

// Scope selects which dependencies to follow.
type Scope = element.Scope

// Scopes, as BuildStream's Scope.
const (
	ScopeAll   = element.ScopeAll
	ScopeBuild = element.ScopeBuild
	ScopeRun   = element.ScopeRun
	ScopeNone  = element.ScopeNone
)

// Dependencies returns the elements of targets' closures in scope, in
// BuildStream's deterministic staging order (basemost first).
func Dependencies(targets []*element.Element, scope Scope) []*element.Element {
	if scope == ScopeNone {
		return dedup(targets)
	}
	return element.Dependencies(targets, scope)
}

func dedup(list []*element.Element) []*element.Element {
	seen := map[*element.Element]bool{}
	out := make([]*element.Element, 0, len(list))
	for _, e := range list {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// Except removes the except elements and everything only they bring in:
// an element stays if some target reaches it without passing through an
// excepted element (BuildStream's Pipeline.except_elements).
func Except(targets, elements, except []*element.Element) []*element.Element {
	if len(except) == 0 {
		return elements
	}
	excluded := map[*element.Element]bool{}
	for _, e := range except {
		excluded[e] = true
	}
	keep := map[*element.Element]bool{}
	var visit func(e *element.Element)
	visit = func(e *element.Element) {
		if excluded[e] || keep[e] {
			return
		}
		keep[e] = true
		for _, d := range e.BuildDeps {
			visit(d)
		}
		for _, d := range e.RuntimeDeps {
			visit(d)
		}
	}
	for _, t := range targets {
		visit(t)
	}
	out := make([]*element.Element, 0, len(elements))
	for _, e := range elements {
		if keep[e] {
			out = append(out, e)
		}
	}
	return out
}

// SortAlpha sorts elements by full name (--order alpha).
func SortAlpha(list []*element.Element) {
	sort.SliceStable(list, func(i, j int) bool { return list[i].FullName < list[j].FullName })
}
