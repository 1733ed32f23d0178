package loader

import (
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
	"example.org/bst/internal/yamlnode"
)

// DepType says when a dependency is needed.
type DepType uint8

// Dependency types. DepAll is both build and runtime.
const (
	DepAll DepType = iota
	DepBuild
	DepRuntime
)

func (t DepType) hasBuild() bool   { return t != DepRuntime }
func (t DepType) hasRuntime() bool { return t != DepBuild }

// Dependency is one declared dependency of an element.
type Dependency struct {
	Name     string // element name in the project it lives in
	Junction string // junction path ("a.bst" or "a.bst:b.bst"), "" if local
	Type     DepType
	Strict   bool
	Config   []*yamlnode.Mapping // 2.x dependency configuration
	Prov     bsterr.Provenance
	Element  *LoadElement // resolved target (after links)
}

// parseDeps extracts depends, build-depends and runtime-depends of node
// (removing them), in BuildStream's order: build, runtime, then depends.
func parseDeps(node *yamlnode.Mapping, gen project.Generation) ([]*Dependency, error) {
	var out []*Dependency
	for _, key := range []string{"build-depends", "runtime-depends", "depends"} {
		v := node.Get(key)
		if v == nil {
			continue
		}
		if sc, ok := v.(*yamlnode.Scalar); ok && sc.Null && gen == project.Gen2 {
			return nil, bsterr.Load(bsterr.InvalidData, sc.Pos(), "Value of '%s' is not of the expected type 'list'", key)
		}
		seq, err := node.SequenceAt(key)
		if err != nil {
			return nil, err
		}
		node.Delete(key)
		if seq == nil {
			continue
		}
		def := DepAll
		explicit := false
		switch key {
		case "build-depends":
			def, explicit = DepBuild, true
		case "runtime-depends":
			def, explicit = DepRuntime, true
		}
		for _, it := range seq.Items {
			deps, err := parseDep(it, def, explicit, gen)
			if err != nil {
				return nil, err
			}
			out = append(out, deps...)
		}
	}
	if gen == project.Gen2 {
		out = mergeDeps(out)
	}
	return out, nil
}

func parseDep(it yamlnode.Node, def DepType, explicit bool, gen project.Generation) ([]*Dependency, error) {
	prov := *it.Pos()
	switch t := it.(type) {
	case *yamlnode.Scalar:
		d := &Dependency{Name: t.Str(), Type: def, Prov: prov}
		if err := d.finish(gen); err != nil {
			return nil, err
		}
		return []*Dependency{d}, nil
	case *yamlnode.Mapping:
		return parseDepMapping(t, def, explicit, gen)
	}
	return nil, bsterr.Load(bsterr.InvalidData, &prov, "Dependency is not specified as a string or a dictionary")
}

func parseDepMapping(m *yamlnode.Mapping, def DepType, explicit bool, gen project.Generation) ([]*Dependency, error) {
	valid := []string{"filename", "junction", "strict"}
	if !explicit {
		valid = append(valid, "type")
	}
	if gen == project.Gen2 {
		valid = append(valid, "config")
	}
	if err := m.ValidateKeys(valid...); err != nil {
		return nil, err
	}
	typ := def
	if !explicit {
		ts, ok, err := m.String("type")
		if err != nil {
			return nil, err
		}
		if ok {
			switch ts {
			case "all":
				typ = DepAll
			case "build":
				typ = DepBuild
			case "runtime":
				typ = DepRuntime
			default:
				return nil, bsterr.Load(bsterr.InvalidData, m.Get("type").Pos(), "Dependency type '%s' is not 'build', 'runtime' or 'all'", ts)
			}
		}
	}
	junction, _, err := m.String("junction")
	if err != nil {
		return nil, err
	}
	strict, err := m.Bool("strict", false)
	if err != nil {
		return nil, err
	}
	if !strict && m.Has("strict") {
		return nil, bsterr.Load(bsterr.InvalidData, m.Get("strict").Pos(), "Setting 'strict' to False is unsupported")
	}
	var cfg []*yamlnode.Mapping
	if gen == project.Gen2 {
		c, err := m.MappingAt("config")
		if err != nil {
			return nil, err
		}
		if c != nil {
			cfg = []*yamlnode.Mapping{c}
		}
	}
	var names []string
	var provs []bsterr.Provenance
	switch fv := m.Get("filename").(type) {
	case nil:
		return nil, bsterr.Load(bsterr.InvalidData, &m.P, "Dictionary did not contain expected key 'filename'")
	case *yamlnode.Scalar:
		names, provs = []string{fv.Str()}, []bsterr.Provenance{m.P}
	case *yamlnode.Sequence:
		if gen != project.Gen2 {
			return nil, bsterr.Load(bsterr.InvalidData, fv.Pos(), "Value of 'filename' is not of the expected type 'str'")
		}
		for _, it := range fv.Items {
			sc, ok := it.(*yamlnode.Scalar)
			if !ok {
				return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'filename' is not of the expected type 'str'")
			}
			names = append(names, sc.Str())
			provs = append(provs, *it.Pos())
		}
	default:
		return nil, bsterr.Load(bsterr.InvalidData, fv.Pos(), "Value of 'filename' is not of the expected type 'str'")
	}
	out := make([]*Dependency, 0, len(names))
	for i, n := range names {
		d := &Dependency{Name: n, Junction: junction, Type: typ, Strict: strict, Config: cfg, Prov: provs[i]}
		if err := d.finish(gen); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// finish validates the dependency and splits "junction.bst:element.bst".
func (d *Dependency) finish(gen project.Generation) error {
	if d.Strict && d.Type == DepRuntime {
		return bsterr.Load(bsterr.InvalidData, &d.Prov, "Runtime dependency %s specified as `strict`.", d.Name).
			WithDetail("Only dependencies required at build time may be declared `strict`.")
	}
	if gen == project.Gen1 {
		if d.Junction != "" && strings.Contains(d.Name, ":") {
			return bsterr.Load(bsterr.InvalidData, &d.Prov, "Dependency %s contains `:` in its name. `:` characters are not allowed in filename when junction attribute is specified.", d.Name)
		}
		if strings.Count(d.Name, ":") > 1 {
			return bsterr.Load(bsterr.InvalidData, &d.Prov, "Dependency %s contains multiple `:` in its name. Recursive lookups for cross-junction elements is not allowed.", d.Name)
		}
	}
	if d.Junction == "" {
		if i := strings.LastIndexByte(d.Name, ':'); i >= 0 {
			d.Junction, d.Name = d.Name[:i], d.Name[i+1:]
		}
	} else if gen == project.Gen2 && strings.Contains(d.Name, ":") {
		return bsterr.Load(bsterr.InvalidData, &d.Prov, "Dependency %s contains `:` in its name. `:` characters are not allowed in filename when junction attribute is specified.", d.Name)
	}
	if gen == project.Gen2 && d.Config != nil && d.Type == DepRuntime {
		return bsterr.Load(bsterr.InvalidData, &d.Prov, "Dependency configuration is only allowed on build dependencies")
	}
	return nil
}

// mergeDeps merges redundant 2.x dependencies on the same element: types and
// strictness OR-ed, configurations concatenated.
func mergeDeps(deps []*Dependency) []*Dependency {
	out := deps[:0]
	seen := map[[2]string]*Dependency{}
	for _, d := range deps {
		k := [2]string{d.Junction, d.Name}
		prev := seen[k]
		if prev == nil {
			seen[k] = d
			out = append(out, d)
			continue
		}
		if prev.Type != d.Type {
			prev.Type = DepAll
		}
		prev.Strict = prev.Strict || d.Strict
		prev.Config = append(prev.Config, d.Config...)
	}
	return out
}
