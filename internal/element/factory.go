package element

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/loader"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sourcekey"
	"example.org/bst/internal/project"
	"example.org/bst/internal/variables"
	"example.org/bst/internal/yamlnode"
)

// Host is the machine bst runs on, for sandbox defaults.
type Host struct{ OS, Arch string }

// Factory creates Elements; it caches what is shared between elements of a
// project (variable tables, composited kind defaults) and is safe for
// concurrent use.
type Factory struct {
	Registry *plugin.Registry
	Parser   *variables.Parser
	Host     Host

	sourceKeys sourcekey.Cache
	// seq numbers the elements created (from 1), for closure walks.
	seq atomic.Int32

	mu     sync.Mutex
	refs   map[string]*projectRefs
	kinds  map[kindKey]*kindEntry
	tables map[tableKey]*tableEntry
}

type kindKey struct {
	p     *project.Project
	kind  string
	first bool
}

type kindEntry struct {
	once     sync.Once
	plugin   *plugin.ElementKind
	defaults *yamlnode.Mapping // kind YAML with project split rules and overrides
	vars     *variables.Table  // project variables extended with the kind's
	env      *yamlnode.Mapping // project environment composited with the kind's
	nocache  []string          // project and kind environment-nocache
	splits   *yamlnode.Mapping // the kind's split rules (over the project's)
	config   *yamlnode.Mapping // the kind's configuration
	err      error

	// splits1 is, in 1.x, the expanded split rules of the first element
	// of the kind that has none of its own; the later ones whose
	// expansion is equal share it, and its key encoding (splitsKey).
	splits1   atomic.Pointer[sharedSplits]
	splitsEnc struct {
		once sync.Once
		node *yamlnode.Mapping
		enc  []byte
	}
}

// sharedSplits is a kind's expanded split rules, with the variables they
// refer to and the values they were expanded with.
type sharedSplits struct {
	node  *yamlnode.Mapping
	names []string
	vals  []string
}

// sharedSplits1 returns the kind's shared expanded split rules if vars
// gives the variables they refer to the same values, else nil: the
// expansion would then give the same strings.
func (ke *kindEntry) sharedSplits1(vars *variables.Table) *yamlnode.Mapping {
	sh := ke.splits1.Load()
	if sh == nil {
		return nil
	}
	for i, n := range sh.names {
		v, ok, err := vars.Get(n)
		if !ok || err != nil || v != sh.vals[i] {
			return nil
		}
	}
	return sh.node
}

// shareSplits1 returns the kind's shared expanded split rules if they are
// equal to expanded, else expanded (which becomes the shared ones, with
// the values vars gives the variables they refer to, if there are none
// yet).
func (f *Factory) shareSplits1(ke *kindEntry, expanded, raw *yamlnode.Mapping, vars *variables.Table) *yamlnode.Mapping {
	if sh := ke.splits1.Load(); sh != nil {
		if equalSplits(sh.node, expanded) {
			return sh.node
		}
		return expanded
	}
	sh := &sharedSplits{node: expanded}
	seen := map[string]bool{}
	for _, v := range raw.Vals {
		for _, it := range v.(*yamlnode.Sequence).Items {
			for _, n := range f.Parser.Parse(it.(*yamlnode.Scalar).Str()).Refs() {
				if seen[n] {
					continue
				}
				seen[n] = true
				val, ok, err := vars.Get(n)
				if !ok || err != nil {
					return expanded // expanded without it: leave sharing to others
				}
				sh.names = append(sh.names, n)
				sh.vals = append(sh.vals, val)
			}
		}
	}
	if ke.splits1.CompareAndSwap(nil, sh) {
		return expanded
	}
	return f.shareSplits1(ke, expanded, raw, vars)
}

// equalSplits reports whether two expansions of the same split rules (same
// domains, same sequences) hold the same strings.
func equalSplits(a, b *yamlnode.Mapping) bool {
	if len(a.Keys) != len(b.Keys) {
		return false
	}
	for i := range a.Keys {
		sa, ok1 := a.Vals[i].(*yamlnode.Sequence)
		sb, ok2 := b.Vals[i].(*yamlnode.Sequence)
		if a.Keys[i] != b.Keys[i] || !ok1 || !ok2 || len(sa.Items) != len(sb.Items) {
			return false
		}
		for j := range sa.Items {
			x, ok1 := sa.Items[j].(*yamlnode.Scalar)
			y, ok2 := sb.Items[j].(*yamlnode.Scalar)
			if !ok1 || !ok2 || x.Value != y.Value || x.Null != y.Null || x.P != y.P {
				return false
			}
		}
	}
	return true
}

// splitsKey returns the shared split rules and their key encoding
// (computed once, when keys are first computed, after every element of the
// kind has been created), or nil.
func (ke *kindEntry) splitsKey() (*yamlnode.Mapping, []byte) {
	c := &ke.splitsEnc
	c.once.Do(func() {
		if sh := ke.splits1.Load(); sh != nil {
			c.node = sh.node
			c.enc = appendNode(nil, c.node, false, nil, nil)
		}
	})
	return c.node, c.enc
}

type tableKey struct {
	p     *project.Project
	first bool
}

type tableEntry struct {
	once  sync.Once
	table *variables.Table
	err   error
}

// NewFactory returns a factory using the kinds of reg.
func NewFactory(reg *plugin.Registry, host Host) *Factory {
	return &Factory{Registry: reg, Parser: variables.NewParser(), Host: host,
		kinds: map[kindKey]*kindEntry{}, tables: map[tableKey]*tableEntry{}}
}

func varGen(p *project.Project) variables.Generation {
	if p.Gen == project.Gen2 {
		return variables.BuildStream2
	}
	return variables.BuildStream1
}

// mappingDefs turns a variables mapping into definitions; every value must
// be a string.
func mappingDefs(m *yamlnode.Mapping) ([]variables.Def, error) {
	if m == nil {
		return nil, nil
	}
	defs := make([]variables.Def, 0, len(m.Keys))
	for i, k := range m.Keys {
		sc, ok := m.Vals[i].(*yamlnode.Scalar)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, m.Vals[i].Pos(), "Value of '%s' is not of the expected type 'str'", k)
		}
		defs = append(defs, variables.Def{Name: k, Value: sc.Str(), Prov: sc.P})
	}
	return defs, nil
}

func (f *Factory) projectTable(p *project.Project, first bool) (*variables.Table, error) {
	f.mu.Lock()
	k := tableKey{p, first}
	e := f.tables[k]
	if e == nil {
		e = &tableEntry{}
		f.tables[k] = e
	}
	f.mu.Unlock()
	e.once.Do(func() {
		vars := p.Second.Variables
		if first {
			vars = p.First.Variables
		}
		defs, err := mappingDefs(vars)
		if err != nil {
			e.err = err
			return
		}
		e.table = variables.NewTable(f.Parser, varGen(p), defs)
	})
	return e.table, e.err
}

// kindDefaults composes the kind's default YAML with the project's split
// rules and `elements:` override, once per project and kind.
func (f *Factory) kindDefaults(le *loader.LoadElement, junction bool) (*kindEntry, error) {
	p := le.Loader.Project
	f.mu.Lock()
	k := kindKey{p, le.Kind, junction}
	e := f.kinds[k]
	if e == nil {
		e = &kindEntry{}
		f.kinds[k] = e
	}
	f.mu.Unlock()
	e.once.Do(func() { e.err = f.composeKind(e, le, junction) })
	return e, e.err
}

func (f *Factory) composeKind(e *kindEntry, le *loader.LoadElement, junction bool) error {
	p := le.Loader.Project
	kp, ok := f.Registry.Element(int(p.Gen), le.Kind)
	if !ok {
		prov := le.Node.Get("kind").Pos()
		return bsterr.Plugin(bsterr.UnsupportedPlugin, prov,
			"No Element plugin registered for kind '%s' (element %s): bst does not implement this kind", le.Kind, le.FullName)
	}
	if kp.Origin != "core" && !declared(p, le.Kind, true) {
		prov := le.Node.Get("kind").Pos()
		return bsterr.Plugin(bsterr.UnsupportedPlugin, prov,
			"No Element plugin registered for kind '%s': the project does not declare it in its plugins", le.Kind)
	}
	e.plugin = kp
	defaults := yamlnode.NewMapping(bsterr.Provenance{File: le.Kind + ".yaml"})
	if kp.Defaults != nil {
		d, err := yamlnode.Parse(kp.Defaults, le.Kind+".yaml")
		if err != nil {
			return err
		}
		defaults = d
	}
	if err := composeDefaultSplits(defaults, p, junction); err != nil {
		return err
	}
	overrides := p.Second.ElementOverrides
	if junction {
		overrides = p.First.ElementOverrides
	}
	if ov, err := overrides.MappingAt(le.Kind); err != nil {
		return err
	} else if ov != nil {
		if err := yamlnode.Composite(defaults, ov); err != nil {
			return err
		}
	}
	e.defaults = defaults
	base, err := f.projectTable(p, junction)
	if err != nil {
		return err
	}
	dv, err := defaults.MappingAt("variables")
	if err != nil {
		return err
	}
	defs, err := mappingDefs(dv)
	if err != nil {
		return err
	}
	e.vars = base.Extend(defs)
	return f.composeKindRest(e, p, junction)
}

// composeKindRest prepares the environment, split rules and configuration
// every element of the kind starts from.
func (f *Factory) composeKindRest(e *kindEntry, p *project.Project, junction bool) error {
	d := e.defaults
	env := yamlnode.NewMapping(d.P)
	if !junction {
		env = p.Environment.CloneMapping()
	}
	if m, err := d.MappingAt("environment"); err != nil {
		return err
	} else if m != nil {
		if err := yamlnode.Composite(env, m); err != nil {
			return err
		}
	}
	if err := yamlnode.FinalAssertions(env); err != nil {
		return err
	}
	e.env = env
	seen := map[string]bool{}
	var lists [][]string
	if !junction {
		lists = append(lists, p.EnvNocache)
	}
	l, err := d.StringList("environment-nocache")
	if err != nil {
		return err
	}
	for _, l := range append(lists, l) {
		for _, n := range l {
			if !seen[n] {
				seen[n] = true
				e.nocache = append(e.nocache, n)
			}
		}
	}
	e.splits = yamlnode.NewMapping(d.P)
	if pub, err := d.MappingAt("public"); err != nil {
		return err
	} else if pub != nil {
		if bb, err := pub.MappingAt("bst"); err != nil {
			return err
		} else if bb != nil {
			if sr, err := bb.MappingAt("split-rules"); err != nil {
				return err
			} else if sr != nil {
				e.splits = sr
			}
		}
	}
	e.config = yamlnode.NewMapping(d.P)
	if dc, err := d.MappingAt("config"); err != nil {
		return err
	} else if dc != nil {
		e.config = dc
	}
	return nil
}

func declared(p *project.Project, kind string, element bool) bool {
	for _, o := range p.Plugins {
		if o.Kind == kind && o.Element == element {
			return true
		}
	}
	return false
}

// composeDefaultSplits puts the project's split rules under the kind's own
// in public.bst.split-rules.
func composeDefaultSplits(defaults *yamlnode.Mapping, p *project.Project, junction bool) error {
	pub, err := defaults.MappingAt("public")
	if err != nil {
		return err
	}
	if pub == nil {
		pub = yamlnode.NewMapping(defaults.P)
	}
	bst, err := pub.MappingAt("bst")
	if err != nil {
		return err
	}
	if bst == nil {
		bst = yamlnode.NewMapping(pub.P)
	}
	ks, err := bst.MappingAt("split-rules")
	if err != nil {
		return err
	}
	var splits *yamlnode.Mapping
	if junction {
		splits = yamlnode.NewMapping(bst.P)
		if ks != nil {
			splits = ks.CloneMapping()
		}
	} else {
		splits = p.SplitRules.CloneMapping()
		if ks != nil {
			if err := yamlnode.Composite(splits, ks); err != nil {
				return err
			}
		}
	}
	bst.Set("split-rules", splits)
	pub.Set("bst", bst)
	defaults.Set("public", pub)
	return nil
}

func atoiField(s, field string, prov *bsterr.Provenance) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, bsterr.Load(bsterr.InvalidData, prov, "Value of '%s' is not of the expected type 'int'", field)
	}
	return n, nil
}
