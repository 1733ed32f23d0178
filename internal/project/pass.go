package project

import (
	"sort"
	"strconv"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/options"
	"example.org/bst/internal/yamlnode"
)

var gen1TopKeys = []string{
	"format-version", "element-path", "variables", "environment", "environment-nocache",
	"split-rules", "elements", "plugins", "aliases", "name", "artifacts", "options",
	"fail-on-overlap", "shell", "fatal-warnings", "ref-storage", "sandbox", "mirrors",
}

var gen2TopKeys = []string{
	"min-version", "element-path", "variables", "environment", "environment-nocache",
	"split-rules", "elements", "plugins", "aliases", "name", "defaults", "artifacts",
	"options", "fail-on-overlap", "shell", "fatal-warnings", "ref-storage", "sandbox",
	"mirrors", "sources", "source-caches", "junctions", "source-provenance-attributes",
	"remote-execution", "(@)", "(?)", "conf-root",
}

func (p *Project) optGen() options.Generation {
	if p.Gen == Gen2 {
		return options.Gen2
	}
	return options.Gen1
}

// loadPass loads what differs between passes into out.
func (p *Project) loadPass(cfg *yamlnode.Mapping, out *PassConfig, ignoreUnknown bool) error {
	if err := p.loadPlugins(cfg); err != nil {
		return err
	}
	pool := options.NewPool(p.optGen(), p.opts.Host)
	pool.SetElementPath(p.ElementPath)
	decls, err := cfg.MappingAt("options")
	if err != nil {
		return err
	}
	if decls != nil {
		if err := pool.Load(decls); err != nil {
			return err
		}
	}
	if j := p.Junction; j != nil && j.Options != nil {
		if err := pool.LoadYAMLValues(j.Options, j.Expand); err != nil {
			return err
		}
	}
	var user *yamlnode.Mapping
	if p.opts.UserProject != nil {
		user = p.opts.UserProject(p.Name)
	}
	if user != nil {
		uo, err := user.MappingAt("options")
		if err != nil {
			return err
		}
		if uo != nil {
			if err := pool.LoadYAMLValues(uo, nil); err != nil {
				return err
			}
		}
	}
	if len(p.opts.CLIOptions) > 0 {
		if err := pool.LoadCLIValues(p.opts.CLIOptions, ignoreUnknown); err != nil {
			return err
		}
	}
	if err := pool.Resolve(); err != nil {
		return err
	}
	out.Options = pool
	var restricted []string
	if p.Gen == Gen2 {
		restricted = []string{"min-version", "name", "element-path", "junctions", "defaults",
			"fatal-warnings", "ref-storage", "options", "plugins"}
	}
	if err := pool.Process(cfg, restricted...); err != nil {
		return err
	}
	if out.ElementOverrides, err = cfg.MappingAt("elements"); err != nil {
		return err
	}
	if out.SourceOverrides, err = cfg.MappingAt("sources"); err != nil {
		return err
	}
	cfg.Delete("elements")
	cfg.Delete("sources")
	if err := yamlnode.FinalAssertions(cfg); err != nil {
		return err
	}
	vars, err := cfg.MappingAt("variables")
	if err != nil {
		return err
	}
	if vars == nil {
		vars = yamlnode.NewMapping(cfg.P)
	}
	for i, k := range vars.Keys {
		if err := yamlnode.AssertSymbolName(vars.Vals[i].Pos(), k, "variable name", true); err != nil {
			return err
		}
	}
	setAuto(vars, "project-name", p.Name)
	setAuto(vars, "max-jobs", strconv.Itoa(p.maxJobs()))
	pool.ExportVariables(vars)
	out.Variables = vars
	out.DefaultMirror = p.opts.DefaultMirror
	if out.DefaultMirror == "" && user != nil {
		dm, _, err := user.String("default-mirror")
		if err != nil {
			return err
		}
		out.DefaultMirror = dm
	}
	if err := p.loadMirrors(cfg, out); err != nil {
		return err
	}
	if out.Aliases, err = cfg.MappingAt("aliases"); err != nil {
		return err
	}
	if out.Aliases == nil {
		out.Aliases = yamlnode.NewMapping(cfg.P)
	}
	return nil
}

func (p *Project) maxJobs() int {
	if p.opts.MaxJobs > 0 {
		return p.opts.MaxJobs
	}
	n := p.opts.CPUs
	if n <= 0 {
		n = 1
	}
	if n > 8 {
		n = 8
	}
	return n
}

func (p *Project) loadMirrors(cfg *yamlnode.Mapping, out *PassConfig) error {
	seq, err := cfg.SequenceAt("mirrors")
	if err != nil || seq == nil {
		return err
	}
	out.Mirrors = out.Mirrors[:0]
	for _, it := range seq.Items {
		m, ok := it.(*yamlnode.Mapping)
		if !ok {
			return bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'mirrors' is not of the expected type 'dict'")
		}
		valid := []string{"name", "aliases"}
		if p.Gen == Gen2 {
			valid = append(valid, "kind", "config")
		}
		if err := m.ValidateKeys(valid...); err != nil {
			return err
		}
		name, err := m.RequiredString("name")
		if err != nil {
			return err
		}
		mirror := Mirror{Name: name, Aliases: map[string][]string{}}
		al, err := m.MappingAt("aliases")
		if err != nil {
			return err
		}
		if al != nil {
			for _, k := range al.Keys {
				uris, err := al.StringList(k)
				if err != nil {
					return err
				}
				mirror.Aliases[k] = uris
			}
		}
		out.Mirrors = append(out.Mirrors, mirror)
		if out.DefaultMirror == "" {
			out.DefaultMirror = name
		}
	}
	return nil
}

func (p *Project) loadPlugins(cfg *yamlnode.Mapping) error {
	seq, err := cfg.SequenceAt("plugins")
	if err != nil || seq == nil {
		return err
	}
	var origins []PluginOrigin
	seen := map[[2]string]bool{}
	for _, it := range seq.Items {
		m, ok := it.(*yamlnode.Mapping)
		if !ok {
			return bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'plugins' is not of the expected type 'dict'")
		}
		origin, err := m.RequiredString("origin")
		if err != nil {
			return err
		}
		switch origin {
		case "core", "local", "pip", "junction":
		default:
			return bsterr.Load(bsterr.InvalidData, m.Get("origin").Pos(), "Unknown plugin origin: %s", origin)
		}
		if origin == "local" {
			if _, err := projectPath(m, "path", p.Dir, true); err != nil {
				return err
			}
		}
		junction := ""
		if origin == "junction" {
			if junction, _, err = m.String("junction"); err != nil {
				return err
			}
		}
		first := len(origins)
		for _, group := range []string{"elements", "sources"} {
			v := m.Get(group)
			isElement := group == "elements"
			switch t := v.(type) {
			case *yamlnode.Mapping:
				for i, k := range t.Keys {
					ver := ""
					if sc, ok := t.Vals[i].(*yamlnode.Scalar); ok {
						ver = sc.Str()
					}
					origins = append(origins, PluginOrigin{Origin: origin, Kind: k, Element: isElement, Version: ver})
				}
			case *yamlnode.Sequence:
				for _, e := range t.Items {
					switch et := e.(type) {
					case *yamlnode.Scalar:
						origins = append(origins, PluginOrigin{Origin: origin, Kind: et.Str(), Element: isElement})
					case *yamlnode.Mapping:
						k, err := et.RequiredString("kind")
						if err != nil {
							return err
						}
						origins = append(origins, PluginOrigin{Origin: origin, Kind: k, Element: isElement})
					}
				}
			}
		}
		for i := first; i < len(origins); i++ {
			origins[i].Junction, origins[i].Prov = junction, &m.P
		}
	}
	for _, o := range origins {
		group := "source"
		if o.Element {
			group = "element"
		}
		k := [2]string{group, o.Kind}
		if seen[k] {
			if p.Gen == Gen2 {
				return bsterr.Plugin("duplicate-plugin", nil, "Duplicate listing of %s '%s'", group, o.Kind)
			}
			return bsterr.Load(bsterr.InvalidYAML, nil, "Duplicate listing of %s '%s'", group, o.Kind)
		}
		seen[k] = true
	}
	p.Plugins = origins
	return nil
}

// loadSecond runs the second pass: all includes, options, and the rest of
// the configuration.
func (p *Project) loadSecond() error {
	conf := p.conf.CloneMapping()
	if err := p.includes.Process(conf, p, false, false); err != nil {
		return err
	}
	cfg := p.defaults.CloneMapping()
	if err := yamlnode.Composite(cfg, conf); err != nil {
		return err
	}
	if err := p.loadPass(cfg, &p.Second, false); err != nil {
		return err
	}
	valid := gen1TopKeys
	if p.Gen == Gen2 {
		valid = gen2TopKeys
	}
	if err := cfg.ValidateKeys(valid...); err != nil {
		return err
	}
	var err error
	if p.Environment, err = cfg.MappingAt("environment"); err != nil {
		return err
	}
	if p.Environment == nil {
		p.Environment = yamlnode.NewMapping(cfg.P)
	}
	if p.EnvNocache, err = cfg.StringList("environment-nocache"); err != nil {
		return err
	}
	if p.Sandbox, err = cfg.MappingAt("sandbox"); err != nil {
		return err
	}
	if p.Sandbox == nil {
		p.Sandbox = yamlnode.NewMapping(cfg.P)
	}
	if p.SplitRules, err = cfg.MappingAt("split-rules"); err != nil {
		return err
	}
	if p.SplitRules == nil {
		p.SplitRules = yamlnode.NewMapping(cfg.P)
	}
	if p.FatalWarnings, err = cfg.StringList("fatal-warnings"); err != nil {
		return err
	}
	fail, err := cfg.Bool("fail-on-overlap", false)
	if err != nil {
		return err
	}
	if fail && !p.FatalWarning("overlaps") {
		p.FatalWarnings = append(p.FatalWarnings, "overlaps")
	}
	sort.Strings(p.FatalWarnings)
	if p.Shell, err = cfg.MappingAt("shell"); err != nil {
		return err
	}
	if p.Shell != nil {
		if err := p.Shell.ValidateKeys("command", "environment", "host-files"); err != nil {
			return err
		}
	}
	p.Artifacts = cfg.Get("artifacts")
	if p.Gen == Gen2 {
		if d, err := cfg.MappingAt("defaults"); err != nil {
			return err
		} else if d != nil {
			if p.TargetsDefault, err = d.StringList("targets"); err != nil {
				return err
			}
		}
	}
	p.loaded = true
	return nil
}

// setAuto sets a variable bst computes; a user definition it replaces keeps
// its provenance so that the protected-variable check still reports it.
func setAuto(vars *yamlnode.Mapping, name, value string) {
	sc := &yamlnode.Scalar{Value: value}
	if old := vars.Get(name); old != nil {
		sc.P = *old.Pos()
	}
	vars.Set(name, sc)
}
