package variables

import (
	"slices"
	"strings"

	"example.org/bst/internal/bsterr"
)

// step is one node of the resolution walk that explain replays.
type step struct {
	referee int32 // slot of the variable being expanded; -1 for a bare string
	tmpl    *Template
	refs    []int32 // slot of each reference; -1 for a name nowhere in the table
	parent  int32   // index of the referring step; -1 at the top
}

// explainVar returns the error BuildStream reports when resolving the
// variable in slot s, which resolve marked bad.
func (o *overlay) explainVar(s int32) error {
	t, refs, _ := o.def(s)
	return o.explain(step{referee: s, tmpl: t, refs: refs, parent: -1}, bsterr.Provenance{})
}

// explain replays BuildStream's iterative resolver
// (Variables._slow_expand_value_expression, the same in 1.6 and 2.x) far
// enough to find the error it reports first:
//
//   - steps are taken from a stack, last pushed first;
//   - a step whose variable already appears among its ancestors is a cycle;
//   - otherwise each reference in order must be defined, and each one not
//     yet resolved is pushed as a child step.
//
// BuildStream also pushes references that are unresolved only because it
// has not got to them yet; their subtrees cannot fail, so skipping the
// references resolve proved good does not change which error comes first.
// Every pushed step is bad, so the walk follows one path and ends within
// one step per variable.
func (o *overlay) explain(top step, prov bsterr.Provenance) error {
	steps := []step{top}
	stack := []int32{0}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		cur := steps[i]
		for p := cur.parent; p >= 0; p = steps[p].parent {
			if steps[p].referee == cur.referee {
				return o.circular(steps, i, p)
			}
		}
		for k, r := range cur.refs {
			if r < 0 || !o.defined(r) {
				return o.undefined(cur.tmpl.names[k], cur.referee, prov)
			}
			if _, st := o.result(r); st != stGood {
				t, refs, _ := o.def(r)
				steps = append(steps, step{referee: r, tmpl: t, refs: refs, parent: i})
				stack = append(stack, int32(len(steps)-1))
			}
		}
	}
	panic("variables: a variable marked unresolvable has neither an undefined reference nor a cycle")
}

// undefined reports a reference to name, found in the value of referee or,
// if referee is -1, in a string expanded at prov.
func (o *overlay) undefined(name string, referee int32, prov bsterr.Provenance) error {
	if referee >= 0 {
		_, _, prov = o.def(referee)
	}
	return bsterr.Load(bsterr.UnresolvedVariable, &prov, "Reference to undefined variable '%s'", name)
}

// circular reports the cycle from steps[conflict] down to steps[i], which
// expand the same variable: one line per reference, outermost first.
func (o *overlay) circular(steps []step, i, conflict int32) error {
	var lines []string
	for j := i; j != conflict; j = steps[j].parent {
		from := steps[steps[j].parent].referee
		_, _, prov := o.def(from)
		line := "Variable '" + o.name(from) + "' refers to variable '" + o.name(steps[j].referee) + "'"
		if prov.File != "" {
			line = prov.String() + ": " + line
		}
		lines = append(lines, line)
	}
	slices.Reverse(lines)
	return bsterr.Load(bsterr.CircularReferenceVariable, nil,
		"Circular dependency detected on variable '%s'", o.name(steps[i].referee)).
		WithDetail("%s", strings.Join(lines, "\n"))
}
