package options

import (
	"errors"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// RestrictedProjectKeys returns the project.conf keys that a generation
// forbids in (?) fragments at the top of project.conf (pass them to
// Process): BuildStream 2 reads them before options exist.
func RestrictedProjectKeys(gen Generation) []string {
	if gen != Gen2 {
		return nil
	}
	return []string{"min-version", "name", "element-path", "junctions", "defaults",
		"fatal-warnings", "ref-storage", "options", "plugins"}
}

// Directive keys.
const (
	KeyConditional = "(?)"
	KeyAssertion   = "(!)"
)

// Process resolves the (?) conditionals and (!) assertions in node and,
// recursively, in every mapping and list below it, in place
// (OptionPool.process_node).
//
// At each mapping, an assertion fails first (USER_ASSERTION with its
// message); then the conditionals are evaluated in order, each true one
// composited onto the mapping at once, until no directive is left. A
// conditional fragment may hold none of the restricted keys, whether or
// not its condition holds (BuildStream 2 passes the project.conf keys that
// may not be conditional; only node itself is checked).
func (p *Pool) Process(node *yamlnode.Mapping, restricted ...string) error {
	if !p.resolved {
		panic("options: Process called before Resolve")
	}
	return p.process(node, restricted, 0)
}

// maxNesting bounds the recursion over hostile documents.
const maxNesting = 10000

func (p *Pool) process(node *yamlnode.Mapping, restricted []string, depth int) error {
	if depth > maxNesting {
		return invalid(&node.P, "Document nested too deeply")
	}
	for {
		done, err := p.processOne(node, restricted)
		if err != nil {
			return err
		}
		if !done {
			break
		}
	}
	for _, v := range node.Vals {
		if err := p.processValue(v, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pool) processValue(v yamlnode.Node, depth int) error {
	switch t := v.(type) {
	case *yamlnode.Mapping:
		return p.process(t, nil, depth)
	case *yamlnode.Sequence:
		if depth > maxNesting {
			return invalid(&t.P, "Document nested too deeply")
		}
		for _, it := range t.Items {
			if err := p.processValue(it, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// processOne handles the directives directly in node and reports whether
// there were conditionals (whose fragments may have added more).
func (p *Pool) processOne(node *yamlnode.Mapping, restricted []string) (bool, error) {
	conditions, err := p.conditions(node)
	if err != nil {
		return false, err
	}
	if err := p.assertion(node); err != nil {
		return false, err
	}
	if conditions == nil {
		return false, nil
	}
	node.Delete(KeyConditional)
	for _, c := range conditions.Items {
		if err := p.applyCondition(node, c, restricted); err != nil {
			return false, err
		}
	}
	return true, nil
}

// conditions returns the (?) list of node, or nil.
func (p *Pool) conditions(node *yamlnode.Mapping) (*yamlnode.Sequence, error) {
	v := node.Get(KeyConditional)
	if v == nil {
		return nil, nil
	}
	switch t := v.(type) {
	case *yamlnode.Sequence:
		return t, nil
	case *yamlnode.Scalar:
		if t.Null && p.gen == Gen1 {
			return nil, nil
		}
	}
	return nil, wrongType(v, KeyConditional, "list")
}

// assertion fails with the (!) message of node, if any.
func (p *Pool) assertion(node *yamlnode.Mapping) error {
	v := node.Get(KeyAssertion)
	if v == nil {
		return nil
	}
	sc, ok := v.(*yamlnode.Scalar)
	if !ok {
		if p.gen == Gen1 {
			return wrongType(v, KeyAssertion, "str")
		}
		return wrongType(v, KeyAssertion, "scalar")
	}
	if sc.Null {
		return nil
	}
	return bsterr.Load(bsterr.UserAssertion, &sc.P, "%s", strings.TrimSpace(sc.Value))
}

func (p *Pool) applyCondition(node *yamlnode.Mapping, c yamlnode.Node, restricted []string) error {
	cond, ok := c.(*yamlnode.Mapping)
	prov := c.Pos()
	switch {
	case !ok:
		return invalid(prov, "Conditional statement is not a dictionary")
	case len(cond.Keys) > 1:
		return invalid(prov, "Conditional statement has more than one key")
	case len(cond.Keys) == 0:
		return invalid(prov, "Conditional statement has no expression")
	}
	expr := cond.Keys[0]
	apply, err := p.Evaluate(expr)
	if err != nil {
		var be *bsterr.Error
		if errors.As(err, &be) {
			be.Prov = copyProv(prov)
		}
		return err
	}
	fragment, ok := cond.Vals[0].(*yamlnode.Mapping)
	if !ok {
		return bsterr.Load(bsterr.IllegalComposite, prov, "Only values of type 'dict' can be composed.")
	}
	for _, key := range restricted {
		if v := fragment.Get(key); v != nil {
			return bsterr.Load(bsterr.IllegalComposite, v.Pos(), "The '%s' key cannot be specified conditionally.", key)
		}
	}
	if !apply {
		return nil
	}
	if err := yamlnode.Composite(node, fragment); err != nil {
		return err
	}
	if p.gen != Gen1 && fragment.P.File != "" {
		// BuildStream 2's MappingNode composite gives the target the
		// provenance of what was composited onto it (node.pyx).
		node.P = fragment.P
	}
	return nil
}

func copyProv(p *bsterr.Provenance) *bsterr.Provenance {
	if p == nil || p.File == "" {
		return nil
	}
	c := *p
	return &c
}
