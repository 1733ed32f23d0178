package options

import (
	"slices"
	"sort"
	"sync"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// Pool is the set of options one project declares, with their values
// (BuildStream's OptionPool).
type Pool struct {
	gen  Generation
	host Host

	opts   []*option // in declaration order
	byName map[string]*option

	elements       func() ([]string, error)
	elementList    []string
	elementsListed bool

	resolved bool
	scope    scope // option values for expressions, built by Resolve

	mu    sync.Mutex
	cache map[string]compiled
}

type compiled struct {
	expr *expression
	err  error
}

// NewPool returns an empty pool for a project of generation gen on host.
func NewPool(gen Generation, host Host) *Pool {
	if gen != Gen2 {
		gen = Gen1
	}
	return &Pool{gen: gen, host: host, byName: map[string]*option{}, cache: map[string]compiled{}}
}

// SetElementPath makes element-mask options accept the element files found
// under dir (the project's element path), as BuildStream lists them. Call
// it before Load.
func (p *Pool) SetElementPath(dir string) {
	p.elements = func() ([]string, error) { return ListElementFiles(p.gen, dir) }
}

// SetElementLister is SetElementPath with a custom listing of element
// names (relative paths ending in ".bst").
func (p *Pool) SetElementLister(list func() ([]string, error)) { p.elements = list }

// Generation returns the generation the pool follows.
func (p *Pool) Generation() Generation { return p.gen }

// Load declares the options of a project.conf `options` mapping.
func (p *Pool) Load(decls *yamlnode.Mapping) error {
	if decls == nil {
		return nil
	}
	for i, name := range decls.Keys {
		def := decls.Vals[i]
		if err := yamlnode.AssertSymbolName(def.Pos(), name, "option name", false); err != nil {
			return err
		}
		m, ok := def.(*yamlnode.Mapping)
		if !ok {
			return wrongType(def, name, "dict")
		}
		o, err := p.declare(name, m)
		if err != nil {
			return err
		}
		if _, dup := p.byName[name]; !dup {
			p.opts = append(p.opts, o)
		} else {
			p.opts[slices.IndexFunc(p.opts, func(x *option) bool { return x.name == name })] = o
		}
		p.byName[name] = o
	}
	p.resolved = false
	return nil
}

// LoadYAMLValues takes option values from a YAML mapping: the user
// configuration's projects.<name>.options, or a junction's config.options.
// transform, if not nil, rewrites each string value first (BuildStream 1
// expands the junction element's variables in junction options).
func (p *Pool) LoadYAMLValues(node *yamlnode.Mapping, transform func(string) string) error {
	if node == nil {
		return nil
	}
	for i, name := range node.Keys {
		o, ok := p.byName[name]
		if !ok {
			return invalid(node.Vals[i].Pos(), "Unknown option '%s' specified", name)
		}
		if err := p.loadValue(o, node, transform); err != nil {
			return err
		}
	}
	p.resolved = false
	return nil
}

// loadValue is Option.load_value.
func (p *Pool) loadValue(o *option, node *yamlnode.Mapping, transform func(string) string) error {
	r := reader{p.gen}
	prov := node.Get(o.name).Pos()
	switch {
	case o.typ == TypeBool:
		if transform == nil {
			var err error
			o.b, o.none, err = r.boolean(node, o.name)
			return err
		}
		s, _, none, err := r.str(node, o.name, true)
		if err != nil {
			return err
		}
		if none {
			s = "None"
		}
		return o.setValue(transform(s))
	case o.isFlags():
		list, _, err := r.strList(node, o.name, true)
		if err != nil {
			return err
		}
		if list == nil {
			list = []string{}
		}
		if transform != nil {
			for i := range list {
				list[i] = transform(list[i])
			}
		}
		slices.Sort(list)
		if err := o.validateFlags(list, prov); err != nil {
			return err
		}
		o.list, o.none = list, false
		return nil
	}
	s, _, none, err := r.str(node, o.name, true)
	if err != nil {
		return err
	}
	if transform != nil && !none {
		s = transform(s)
	}
	if err := o.validateEnum(s, none, prov); err != nil {
		return err
	}
	o.s, o.none = s, none
	return nil
}

// LoadCLIValues takes option values given on the command line
// (-o NAME VALUE). Unknown names are errors unless ignoreUnknown.
func (p *Pool) LoadCLIValues(pairs [][2]string, ignoreUnknown bool) error {
	for _, kv := range pairs {
		o, ok := p.byName[kv[0]]
		if !ok {
			if ignoreUnknown {
				continue
			}
			return invalid(nil, "Unknown option '%s' specified on the command line", kv[0])
		}
		if err := o.setValue(kv[1]); err != nil {
			return err
		}
	}
	p.resolved = false
	return nil
}

// Resolve validates the final values; it must be called after the values
// are loaded and before Process, ExportVariables and Evaluate.
func (p *Pool) Resolve() error {
	sc := make(scope, len(p.opts))
	for i, o := range p.opts {
		if err := o.resolve(); err != nil {
			return err
		}
		v := o.exprValue()
		v.id = i + 1
		sc[o.name] = v
	}
	p.scope, p.resolved = sc, true
	return nil
}

// ExportVariables sets, in vars, the variable of every option declared
// with `variable:` to the option's value in string form: bool options are
// "1" or "0", flags are comma-joined.
func (p *Pool) ExportVariables(vars *yamlnode.Mapping) {
	for _, o := range p.opts {
		if o.variable != "" {
			vars.Set(o.variable, &yamlnode.Scalar{Value: o.printable(), P: o.varProv})
		}
	}
}

// Names returns the declared option names, sorted.
func (p *Pool) Names() []string {
	names := make([]string, 0, len(p.opts))
	for _, o := range p.opts {
		names = append(names, o.name)
	}
	sort.Strings(names)
	return names
}

// Value returns an option's value in string form, as `bst show` prints
// it, and whether the option exists.
func (p *Pool) Value(name string) (string, bool) {
	o, ok := p.byName[name]
	if !ok {
		return "", false
	}
	return o.printable(), true
}

// Type returns an option's type ("bool", "enum", ...), or "" if it does
// not exist.
func (p *Pool) Type(name string) string {
	if o, ok := p.byName[name]; ok {
		return o.typ
	}
	return ""
}

// Evaluate evaluates a (?) expression against the resolved options. Errors
// are EXPRESSION_FAILED, without provenance.
func (p *Pool) Evaluate(expr string) (bool, error) {
	if !p.resolved {
		panic("options: Evaluate called before Resolve")
	}
	c := p.compile(expr)
	if c.err != nil {
		return false, expressionFailed(expr, c.err)
	}
	ok, err := c.expr.eval(p.scope)
	if err != nil {
		return false, expressionFailed(expr, err)
	}
	return ok, nil
}

func expressionFailed(expr string, err error) error {
	if err == errNotBool {
		return bsterr.Load(bsterr.ExpressionFailed, nil, "Failed to evaluate expression: %s", expr)
	}
	return bsterr.Load(bsterr.ExpressionFailed, nil, "Failed to evaluate expression (%s): %s", expr, err.Error())
}

func (p *Pool) compile(expr string) compiled {
	p.mu.Lock()
	c, ok := p.cache[expr]
	p.mu.Unlock()
	if ok {
		return c
	}
	e, err := compileExpression(expr)
	c = compiled{expr: e, err: err}
	p.mu.Lock()
	p.cache[expr] = c
	p.mu.Unlock()
	return c
}
