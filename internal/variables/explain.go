package variables

import (
	"strings"

	"example.org/bst/internal/bsterr"
)

// step is one node of the resolution walk that explain replays.
type step struct {
	referee int32 // slot of the variable being expanded; -1 for a bare string
	tmpl    *Template
	refs    []int32 // slot of each reference; -1 for a name nowhere in the table
}

// explainVar returns the error BuildStream reports when resolving the
// variable in slot s, which resolve marked bad.
func (o *overlay) explainVar(s int32) error {
	t, refs, _ := o.def(s)
	return o.explain(step{referee: s, tmpl: t, refs: refs}, bsterr.Provenance{})
}

// explain replays BuildStream's iterative resolver
// (Variables._slow_expand_value_expression, the same in 1.6 and 2.x) far
// enough to find the error it reports first. That resolver takes steps from
// a stack, last pushed first; a step whose variable is already among its
// ancestors is a cycle; otherwise each of its references in order must be
// defined, and each one not yet resolved is pushed as a child step.
//
// BuildStream also pushes references that are unresolved only because it
// has not got to them yet; their subtrees cannot fail, so skipping those
// resolve proved good does not change which error comes first. Then every
// pushed step is bad, so it has a bad reference unless it fails itself, and
// the next step taken is always the last bad reference of the current one:
// the walk is a single path, and ancestors are the steps taken so far.
// (BuildStream walks the ancestors at each step; a map keeps long chains
// linear.)
func (o *overlay) explain(top step, prov bsterr.Provenance) error {
	path := []step{top}
	onPath := make(map[int32]int)
	if top.referee >= 0 {
		onPath[top.referee] = 0
	}
	for {
		cur := &path[len(path)-1]
		next := int32(-1)
		for k, r := range cur.refs {
			if r < 0 || !o.defined(r) {
				return o.undefined(cur.tmpl.names[k], cur.referee, prov)
			}
			if _, st := o.result(r); st != stGood {
				next = r
			}
		}
		if next < 0 {
			panic("variables: a variable marked unresolvable has neither an undefined reference nor a cycle")
		}
		if j, ok := onPath[next]; ok {
			return o.circular(path[j:], next)
		}
		t, refs, _ := o.def(next)
		onPath[next] = len(path)
		path = append(path, step{referee: next, tmpl: t, refs: refs})
	}
}

// undefined reports a reference to name, found in the value of referee or,
// if referee is -1, in a string expanded at prov.
func (o *overlay) undefined(name string, referee int32, prov bsterr.Provenance) error {
	if referee >= 0 {
		_, _, prov = o.def(referee)
	}
	return bsterr.Load(bsterr.UnresolvedVariable, &prov, "Reference to undefined variable '%s'", name)
}

// circular reports the cycle cycle[0] -> cycle[1] -> ... -> last, where
// last refers back to cycle[0]: one line per reference, as BuildStream
// lists them.
func (o *overlay) circular(cycle []step, last int32) error {
	lines := make([]string, len(cycle))
	for i, st := range cycle {
		to := last
		if i+1 < len(cycle) {
			to = cycle[i+1].referee
		}
		_, _, prov := o.def(st.referee)
		line := "Variable '" + o.name(st.referee) + "' refers to variable '" + o.name(to) + "'"
		if prov.File != "" {
			line = prov.String() + ": " + line
		}
		lines[i] = line
	}
	return bsterr.Load(bsterr.CircularReferenceVariable, nil,
		"Circular dependency detected on variable '%s'", o.name(last)).
		WithDetail("%s", strings.Join(lines, "\n"))
}
