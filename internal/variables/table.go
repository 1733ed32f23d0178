package variables

import (
	"slices"
	"strings"
	"sync"

	"example.org/bst/internal/bsterr"
)

// Def is one variable definition as it comes from YAML.
type Def struct {
	Name  string
	Value string // raw, unexpanded; already whitespace-stripped by the YAML layer
	// Prov locates the value. A zero Prov (no File) marks a value set by bst
	// itself (project-name, element-name, max-jobs, exported options); if it
	// replaces an existing definition, that definition's provenance is kept,
	// as BuildStream does, so CheckProtected still sees the user's file.
	Prov bsterr.Provenance
}

// Var is a resolved variable.
type Var struct {
	Name  string
	Value string
}

// Table is an immutable layer of variable definitions over an optional
// parent table. It is safe for concurrent use.
//
// Definitions in a layer replace those of the same name below; iteration
// (and so error) order is that of a composited mapping: the parent's names
// first, then the names new in this layer.
//
// A table resolves lazily on the first query. A table that is extended is
// also materialized once into a frame shared by all its children; children
// hold only what their own definitions change. Build shared layers (project,
// kind defaults) once and extend them per element, rather than re-creating
// them.
type Table struct {
	parent *Table
	parser *Parser
	gen    Generation
	defs   []Def
	root   *frame // the empty frame below a table without parent

	rawOnce sync.Once
	raw     *overlay // own definitions as given

	viewOnce sync.Once
	view     *overlay // own definitions plus the notparallel rule
	viewErr  error

	frameOnce sync.Once
	fr        *frame
}

// NewTable returns a table with no parent. The parser is used for these
// definitions, those of every table extending this one, and [Table.Expand].
// gen must be BuildStream1 or BuildStream2.
func NewTable(p *Parser, gen Generation, defs []Def) *Table {
	if !gen.valid() {
		panic("variables: NewTable needs generation 1 or 2, got " + gen.String())
	}
	return &Table{parser: p, gen: gen, defs: slices.Clone(defs), root: &frame{}}
}

// Extend returns a table holding defs on top of t. It is cheap: t is
// materialized once for all its children, and the child only re-resolves
// the variables defs can affect.
func (t *Table) Extend(defs []Def) *Table {
	return &Table{parent: t, parser: t.parser, gen: t.gen, defs: slices.Clone(defs)}
}

// Generation returns the generation the table follows.
func (t *Table) Generation() Generation { return t.gen }

// Parser returns the parser the table uses.
func (t *Table) Parser() *Parser { return t.parser }

func (t *Table) base() *frame {
	if t.parent == nil {
		return t.root
	}
	return t.parent.frame()
}

func (t *Table) rawOverlay() *overlay {
	t.rawOnce.Do(func() {
		t.raw = buildOverlay(t.base(), t.parser, t.defs)
		t.raw.resolve()
	})
	return t.raw
}

func (t *Table) frame() *frame {
	t.frameOnce.Do(func() { t.fr = materialize(t.base(), t.rawOverlay()) })
	return t.fr
}

// overlay returns the table's view: its definitions with BuildStream's
// notparallel rule applied (a true notparallel sets max-jobs to 1), which
// like BuildStream applies to the composited variables of each table
// queried, not to the layers below it.
func (t *Table) overlay() (*overlay, error) {
	t.viewOnce.Do(func() {
		np, err := t.notParallel()
		if err != nil || !np {
			t.view, t.viewErr = t.rawOverlay(), err
			return
		}
		defs := append(slices.Clip(t.defs), Def{Name: "max-jobs", Value: "1"})
		t.view = buildOverlay(t.base(), t.parser, defs)
		t.view.resolve()
	})
	return t.view, t.viewErr
}

// notParallel reads the raw value of notparallel, if defined.
func (t *Table) notParallel() (bool, error) {
	const name = "notparallel"
	for i := len(t.defs) - 1; i >= 0; i-- {
		if d := t.defs[i]; d.Name == name {
			return t.gen.parseBool(name, d.Value, d.Prov)
		}
	}
	f := t.base()
	if s, ok := f.slot[name]; ok && f.tmpl[s] != nil {
		return t.gen.parseBool(name, f.tmpl[s].src, f.prov[s])
	}
	return false, nil
}

// Has reports whether name is defined.
func (t *Table) Has(name string) bool {
	o, _ := t.overlay()
	s, ok := o.lookup(name)
	return ok && o.defined(s)
}

// Provenance returns where name's value was defined.
func (t *Table) Provenance(name string) (bsterr.Provenance, bool) {
	o, _ := t.overlay()
	s, ok := o.lookup(name)
	if !ok {
		return bsterr.Provenance{}, false
	}
	tm, _, prov := o.def(s)
	return prov, tm != nil
}

// Names returns the defined names in definition order.
func (t *Table) Names() []string {
	o, _ := t.overlay()
	out := make([]string, 0, len(o.f.order)+len(o.order))
	for _, s := range o.f.order {
		out = append(out, o.f.names[s])
	}
	for _, s := range o.order {
		out = append(out, o.name(s))
	}
	return out
}

// Get returns the resolved value of name; ok is false if name is not
// defined. The error is that of resolving name alone.
func (t *Table) Get(name string) (value string, ok bool, err error) {
	o, err := t.overlay()
	if err != nil {
		return "", false, err
	}
	s, found := o.lookup(name)
	if !found || !o.defined(s) {
		return "", false, nil
	}
	v, st := o.result(s)
	if st != stGood {
		return "", true, o.explainVar(s)
	}
	return v, true, nil
}

// Expand substitutes the variables referenced in s. prov locates s and is
// reported when s itself references an undefined variable; a problem deeper
// down is reported at the variable that has it.
func (t *Table) Expand(s string, prov bsterr.Provenance) (string, error) {
	o, err := t.overlay()
	if err != nil {
		return "", err
	}
	if !strings.Contains(s, "%{") {
		return s, nil
	}
	tm := t.parser.Parse(s)
	if tm.IsLiteral() {
		return s, nil
	}
	var buf [8]string
	vals := buf[:0]
	for _, name := range tm.names {
		r, found := o.lookup(name)
		var v string
		st := stUndefined
		if found {
			v, st = o.result(r)
		}
		if st != stGood {
			return "", o.explainExpr(tm, prov)
		}
		vals = append(vals, v)
	}
	return tm.expand(vals), nil
}

func (o *overlay) explainExpr(tm *Template, prov bsterr.Provenance) error {
	refs := make([]int32, len(tm.names))
	for i, name := range tm.names {
		if s, ok := o.lookup(name); ok {
			refs[i] = s
		} else {
			refs[i] = -1
		}
	}
	return o.explain(step{referee: -1, tmpl: tm, refs: refs}, prov)
}

// Check resolves every variable, as BuildStream does when it loads an
// element (Variables.check: 1.6 for all but junctions, 2.x for all but
// first-pass elements), and returns the first error in definition order.
func (t *Table) Check() error {
	o, err := t.overlay()
	if err != nil {
		return err
	}
	for _, s := range o.f.order {
		if _, st := o.result(s); st != stGood {
			return o.explainVar(s)
		}
	}
	for _, s := range o.order {
		if _, st := o.result(s); st != stGood {
			return o.explainVar(s)
		}
	}
	return nil
}

// ResolveAll checks the table like [Table.Check] and returns every variable
// sorted by name.
func (t *Table) ResolveAll() ([]Var, error) {
	if err := t.Check(); err != nil {
		return nil, err
	}
	o, _ := t.overlay()
	f := o.f
	out := make([]Var, 0, len(f.sorted)+len(o.sortedNew))
	emit := func(s int32) {
		v, _ := o.result(s)
		out = append(out, Var{Name: o.name(s), Value: v})
	}
	i, j := 0, 0
	for i < len(f.sorted) && j < len(o.sortedNew) {
		if f.names[f.sorted[i]] <= o.name(o.sortedNew[j]) {
			emit(f.sorted[i])
			i++
		} else {
			emit(o.sortedNew[j])
			j++
		}
	}
	for ; i < len(f.sorted); i++ {
		emit(f.sorted[i])
	}
	for ; j < len(o.sortedNew); j++ {
		emit(o.sortedNew[j])
	}
	return out, nil
}

// ProtectedNames returns the variables only bst may set.
func ProtectedNames() []string { return []string{"project-name", "element-name", "max-jobs"} }

// CheckProtected reports a protected variable whose value comes from a user
// file (PROTECTED_VARIABLE_REDEFINED), as BuildStream checks each element's
// composited variables. Values bst sets itself carry no file, and keep the
// provenance of a user value they replace, so that one is still reported.
func (t *Table) CheckProtected() error {
	o, _ := t.overlay()
	for _, name := range ProtectedNames() {
		s, ok := o.lookup(name)
		if !ok {
			continue
		}
		if tm, _, prov := o.def(s); tm != nil && prov.File != "" {
			return bsterr.Load(bsterr.ProtectedVariableRedefined, &prov,
				"invalid redefinition of protected variable '%s'", name)
		}
	}
	return nil
}
