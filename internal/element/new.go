package element

import (
	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/loader"
	"example.org/bst/internal/project"
	"example.org/bst/internal/variables"
	"example.org/bst/internal/yamlnode"
	"path/filepath"
	"sort"
	"strings"
)

// New resolves le's variables, environment, configuration, public data,
// sandbox configuration and sources. Dependencies are wired by the caller.
func (f *Factory) New(le *loader.LoadElement) (*Element, error) {
	p := le.Loader.Project
	junction := le.Kind == "junction"
	ke, err := f.kindDefaults(le, junction)
	if err != nil {
		return nil, err
	}
	e := &Element{Name: le.Name, FullName: le.FullName, Kind: le.Kind, Project: p, Load: le, Plugin: ke.plugin, IsJunction: junction,
		sourceKeys: &f.sourceKeys, kind: ke, seq: f.seq.Add(1), fac: f}
	node := le.Node
	if e.Description, err = node.StringDefault("description", ""); err != nil {
		return nil, err
	}
	if err := f.resolveVars(e, ke, node, junction); err != nil {
		return nil, err
	}
	if err := f.resolveEnv(e, ke, node, junction); err != nil {
		return nil, err
	}
	if err := f.resolvePublic(e, ke, node); err != nil {
		return nil, err
	}
	if err := f.resolveConfig(e, ke, node); err != nil {
		return nil, err
	}
	if err := f.resolveSandbox(e, ke, node, junction); err != nil {
		return nil, err
	}
	if err := f.resolveSources(e, node); err != nil {
		return nil, err
	}
	if !junction && p.Gen == project.Gen1 {
		// BuildStream 1 plugins substitute variables when they configure,
		// so errors in commands surface at load time.
		if _, err := e.pluginKey(); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (f *Factory) resolveVars(e *Element, ke *kindEntry, node *yamlnode.Mapping, junction bool) error {
	ev, err := node.MappingAt("variables")
	if err != nil {
		return err
	}
	var defs []variables.Def
	if ev != nil {
		if err := yamlnode.FinalAssertions(ev); err != nil {
			return err
		}
		if defs, err = mappingDefs(ev); err != nil {
			return err
		}
	}
	defs = append(defs, variables.Def{Name: "element-name", Value: e.Name})
	e.Vars = ke.vars.Extend(defs)
	if err := e.Vars.CheckProtected(); err != nil {
		return err
	}
	if !junction {
		return e.Vars.Check()
	}
	return nil
}

func (f *Factory) resolveEnv(e *Element, ke *kindEntry, node *yamlnode.Mapping, junction bool) error {
	env := ke.env
	if m, err := node.MappingAt("environment"); err != nil {
		return err
	} else if m != nil {
		env = ke.env.CloneMapping()
		if err := yamlnode.Composite(env, m); err != nil {
			return err
		}
		if err := yamlnode.FinalAssertions(env); err != nil {
			return err
		}
	}
	e.Env = make([]KV, 0, len(env.Keys))
	for i, k := range env.Keys {
		sc, ok := env.Vals[i].(*yamlnode.Scalar)
		if !ok {
			return bsterr.Load(bsterr.InvalidData, env.Vals[i].Pos(), "Value of '%s' is not of the expected type 'str'", k)
		}
		v, err := e.Vars.Expand(sc.Str(), sc.P)
		if err != nil {
			return err
		}
		e.Env = append(e.Env, KV{Name: k, Value: v})
	}
	sort.Slice(e.Env, func(i, j int) bool { return e.Env[i].Name < e.Env[j].Name })
	el, err := node.StringList("environment-nocache")
	if err != nil {
		return err
	}
	if len(el) == 0 {
		e.EnvNocache = ke.nocache
		return nil
	}
	seen := map[string]bool{}
	for _, l := range [][]string{ke.nocache, el} {
		for _, n := range l {
			if !seen[n] {
				seen[n] = true
				e.EnvNocache = append(e.EnvNocache, n)
			}
		}
	}
	return nil
}

func (f *Factory) resolvePublic(e *Element, ke *kindEntry, node *yamlnode.Mapping) error {
	baseSplits := ke.splits
	pub := yamlnode.NewMapping(node.P)
	if ep, err := node.MappingAt("public"); err != nil {
		return err
	} else if ep != nil {
		pub = ep.CloneMapping()
	}
	bst, err := pub.MappingAt("bst")
	if err != nil {
		return err
	}
	if bst == nil {
		bst = yamlnode.NewMapping(pub.P)
	}
	es, err := bst.MappingAt("split-rules")
	if err != nil {
		return err
	}
	if es != nil {
		baseSplits = baseSplits.CloneMapping()
		if err := yamlnode.Composite(baseSplits, es); err != nil {
			return err
		}
	}
	bst.Set("split-rules", baseSplits)
	pub.Set("bst", bst)
	if err := yamlnode.FinalAssertions(pub); err != nil {
		return err
	}
	e.Public = pub
	if e.IsJunction {
		bst.Set("split-rules", baseSplits.CloneMapping())
		return nil
	}
	if e.Project.Gen == project.Gen2 {
		if es == nil {
			bst.Set("split-rules", baseSplits.CloneMapping())
		}
		return expandNode(pub, e.Vars)
	}
	// 1.x expands only the split rules, into new nodes (the kind's rules
	// are shared between elements). Most elements expand them to the same
	// strings: they share one copy (and its key encoding), found without
	// expanding anything when the variables the rules refer to have the
	// same values.
	if es == nil {
		if sh := ke.sharedSplits1(e.Vars); sh != nil {
			bst.Set("split-rules", sh)
			return nil
		}
	}
	expanded := &yamlnode.Mapping{P: baseSplits.P, Keys: baseSplits.Keys, Vals: make([]yamlnode.Node, len(baseSplits.Vals))}
	for i, domain := range baseSplits.Keys {
		seq, ok := baseSplits.Vals[i].(*yamlnode.Sequence)
		if !ok {
			return bsterr.Load(bsterr.InvalidData, baseSplits.Vals[i].Pos(), "Value of '%s' is not of the expected type 'list'", domain)
		}
		out := &yamlnode.Sequence{P: seq.P, Items: make([]yamlnode.Node, len(seq.Items))}
		for j, it := range seq.Items {
			sc, ok := it.(*yamlnode.Scalar)
			if !ok {
				return bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of '%s[%d]' is not of the expected type 'str'", domain, j)
			}
			v, err := e.Vars.Expand(sc.Str(), sc.P)
			if err != nil {
				return err
			}
			out.Items[j] = &yamlnode.Scalar{Value: v, P: sc.P}
		}
		expanded.Vals[i] = out
	}
	if es == nil {
		expanded = f.shareSplits1(ke, expanded, baseSplits, e.Vars)
	}
	bst.Set("split-rules", expanded)
	return nil
}

// expandNode substitutes variables in every string of n, stripping them.
func expandNode(n yamlnode.Node, vars *variables.Table) error {
	switch t := n.(type) {
	case *yamlnode.Mapping:
		for i, v := range t.Vals {
			if sc, ok := v.(*yamlnode.Scalar); ok {
				if sc.Null {
					continue
				}
				s, err := vars.Expand(sc.Str(), sc.P)
				if err != nil {
					return err
				}
				t.Vals[i] = &yamlnode.Scalar{Value: s, P: sc.P}
				continue
			}
			if err := expandNode(v, vars); err != nil {
				return err
			}
		}
	case *yamlnode.Sequence:
		for i, v := range t.Items {
			if sc, ok := v.(*yamlnode.Scalar); ok {
				if sc.Null {
					continue
				}
				s, err := vars.Expand(sc.Str(), sc.P)
				if err != nil {
					return err
				}
				t.Items[i] = &yamlnode.Scalar{Value: s, P: sc.P}
				continue
			}
			if err := expandNode(v, vars); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *Factory) resolveConfig(e *Element, ke *kindEntry, node *yamlnode.Mapping) error {
	cfg := ke.config
	ec, err := node.MappingAt("config")
	if err != nil {
		return err
	}
	// The kind's configuration is shared when the element adds nothing
	// and nothing will be expanded in place (1.x keeps it raw).
	if ec != nil || e.Project.Gen == project.Gen2 {
		cfg = ke.config.CloneMapping()
	}
	if ec != nil {
		if err := yamlnode.Composite(cfg, ec); err != nil {
			return err
		}
	}
	if err := yamlnode.FinalAssertions(cfg); err != nil {
		return err
	}
	if keys := e.Plugin.ConfigKeys; keys != nil {
		if err := cfg.ValidateKeys(keys...); err != nil {
			return err
		}
	}
	if e.Project.Gen == project.Gen2 && !e.IsJunction {
		if err := expandNode(cfg, e.Vars); err != nil {
			return err
		}
	}
	e.Config = cfg
	return nil
}

func (f *Factory) resolveSandbox(e *Element, ke *kindEntry, node *yamlnode.Mapping, junction bool) error {
	sb := yamlnode.NewMapping(node.P)
	if !junction {
		sb = e.Project.Sandbox.CloneMapping()
	} else if e.Project.Gen == project.Gen1 {
		sb.Set("build-uid", &yamlnode.Scalar{Value: "0"})
		sb.Set("build-gid", &yamlnode.Scalar{Value: "0"})
	}
	for _, src := range []*yamlnode.Mapping{ke.defaults, node} {
		m, err := src.MappingAt("sandbox")
		if err != nil {
			return err
		}
		if m != nil {
			if err := yamlnode.Composite(sb, m); err != nil {
				return err
			}
		}
	}
	if err := yamlnode.FinalAssertions(sb); err != nil {
		return err
	}
	valid := []string{"build-uid", "build-gid", "build-os", "build-arch"}
	if e.Project.Gen == project.Gen2 {
		valid = append(valid, "remote-apis-socket")
	}
	if err := sb.ValidateKeys(valid...); err != nil {
		return err
	}
	get := func(key, def string) (string, bool, error) {
		v, ok, err := sb.String(key)
		if err != nil || !ok {
			return def, false, err
		}
		if junction {
			return v, true, nil
		}
		s, err := e.Vars.Expand(v, *sb.Get(key).Pos())
		return s, true, err
	}
	c := SandboxConfig{}
	var err error
	var s string
	if s, c.HasUID, err = get("build-uid", "0"); err != nil {
		return err
	}
	if c.BuildUID, err = atoiField(s, "build-uid", posOf(sb, "build-uid")); err != nil {
		return err
	}
	if s, c.HasGID, err = get("build-gid", "0"); err != nil {
		return err
	}
	if c.BuildGID, err = atoiField(s, "build-gid", posOf(sb, "build-gid")); err != nil {
		return err
	}
	if c.BuildOS, _, err = get("build-os", f.Host.OS); err != nil {
		return err
	}
	if c.BuildArch, _, err = get("build-arch", f.Host.Arch); err != nil {
		return err
	}
	e.Sandbox = c
	return nil
}

func (f *Factory) resolveSources(e *Element, node *yamlnode.Mapping) error {
	seq, err := node.SequenceAt("sources")
	if err != nil || seq == nil {
		return err
	}
	p := e.Project
	overrides := p.Second.SourceOverrides
	if e.IsJunction {
		overrides = p.First.SourceOverrides
	}
	for i, it := range seq.Items {
		m, ok := it.(*yamlnode.Mapping)
		if !ok {
			return bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'sources[%d]' is not of the expected type 'dict'", i)
		}
		kind, ok, err := m.String("kind")
		if err != nil {
			return err
		}
		if !ok {
			return bsterr.Load(bsterr.InvalidData, &m.P, "Dictionary did not contain expected key 'kind'")
		}
		sp, known := f.Registry.Source(int(p.Gen), kind)
		if !known {
			return bsterr.Plugin(bsterr.UnsupportedPlugin, m.Get("kind").Pos(),
				"No Source plugin registered for kind '%s' (element %s): bst does not implement this kind", kind, e.FullName)
		}
		if sp.Origin != "core" && !declared(p, kind, false) {
			return bsterr.Plugin(bsterr.UnsupportedPlugin, m.Get("kind").Pos(),
				"No Source plugin registered for kind '%s': the project does not declare it in its plugins", kind)
		}
		dir, _, err := m.String("directory")
		if err != nil {
			return err
		}
		src := m.CloneMapping()
		src.Delete("kind")
		src.Delete("directory")
		cfg := yamlnode.NewMapping(m.P)
		if ov, err := overrides.MappingAt(kind); err != nil {
			return err
		} else if ov != nil {
			if oc, err := ov.MappingAt("config"); err != nil {
				return err
			} else if oc != nil {
				cfg = oc.CloneMapping()
			}
		}
		if err := yamlnode.Composite(cfg, src); err != nil {
			return err
		}
		if err := yamlnode.FinalAssertions(cfg); err != nil {
			return err
		}
		if keys := sp.ConfigKeys; keys != nil {
			if err := m.ValidateKeys(keys...); err != nil {
				return err
			}
		}
		if err := f.applyProjectRef(e, i, cfg, sp.RefKeys); err != nil {
			return err
		}
		if p.Gen == project.Gen2 && !e.IsJunction {
			// 2.x sources see their configuration with variables expanded.
			if err := expandNode(cfg, e.Vars); err != nil {
				return err
			}
		}
		es := &Source{Kind: kind, Directory: dir, Config: cfg, Plugin: sp, Index: i, Prov: m.P}
		es.File = sourceFile(e, m.P.File)
		e.Sources = append(e.Sources, es)
	}
	return nil
}

// posOf returns the provenance of key's value in m, or m's own.
func posOf(m *yamlnode.Mapping, key string) *bsterr.Provenance {
	if v := m.Get(key); v != nil {
		return v.Pos()
	}
	return &m.P
}

// sourceFile is the file a source mapping was read from: the element file,
// or a project-relative include.
func sourceFile(e *Element, display string) string {
	if display == e.Load.Prov.File || display == e.FullName || display == e.Name {
		return filepath.Join(e.Project.ElementPath, e.Name)
	}
	if strings.Contains(display, ":") {
		return ""
	}
	return filepath.Join(e.Project.Dir, display)
}
