package element

import (
	"context"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/cachekey"
	"example.org/bst/internal/options"
	"example.org/bst/internal/plugins/elementkey"
	"example.org/bst/internal/plugins/sourcekey"
	"example.org/bst/internal/project"
	"example.org/bst/internal/yamlnode"
)

// Keys are an element's cache keys; zero keys are unknown (a source without
// a reference).
type Keys struct {
	Weak, Strict, Strong cachekey.Key
	Known                bool
	NoRef                bool // some source has no reference
}

// coreArtifactVersion1 is BuildStream 1.6's BST_CORE_ARTIFACT_VERSION, a
// tuple formatted by Python.
const coreArtifactVersion1 = "('bst-1.2', 5)"

// coreArtifactVersion2 is BuildStream 2's BST_CORE_ARTIFACT_VERSION.
const coreArtifactVersion2 = 11

// CacheKeys computes the keys of every element in elems, which must be in
// an order where dependencies come first (e.g. Dependencies(..., ScopeAll)).
func CacheKeys(ctx context.Context, elems []*Element, h *cachekey.Hasher) error {
	if h != nil && h.Debugging() {
		// Sequential, so that the debug output is in a stable order.
		for _, e := range elems {
			if err := e.computeKeys(ctx, h); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, len(elems))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = elems[i].computeKeys(ctx, h)
			}
		}()
	}
	for i := range elems {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// computeKeys computes e's keys once; concurrent callers wait for the first.
// Dependencies are computed first (recursively), so any order of calls
// gives the same keys.
func (e *Element) computeKeys(ctx context.Context, h *cachekey.Hasher) error {
	e.keysOnce.Do(func() { e.keysErr = e.doComputeKeys(ctx, h) })
	return e.keysErr
}

func (e *Element) doComputeKeys(ctx context.Context, h *cachekey.Hasher) error {
	base, err := e.keyBase(ctx)
	if err != nil {
		return err
	}
	if base == nil {
		e.Keys.NoRef = true
		return nil
	}
	deps := e.BuildDependencies()
	for _, d := range deps {
		if err := d.computeKeys(ctx, h); err != nil {
			return err
		}
		if !d.Keys.Known {
			return nil
		}
	}
	gen2 := e.Project.Gen == project.Gen2
	strictDeps := make([]any, 0, len(deps))
	for _, d := range deps {
		if gen2 {
			strictDeps = append(strictDeps, []any{d.Project.Name, d.Name, d.Keys.Strict.String()})
		} else {
			strictDeps = append(strictDeps, d.Keys.Strict.String())
		}
	}
	// The dictionary is the same for every key but for its dependencies
	// (and 2.x's weak-cache-key): encode it once.
	tmpl, err := cachekey.NewTemplate(base, "dependencies", "weak-cache-key")
	if err != nil {
		return err
	}
	e.weak = weakInputs{tmpl: tmpl, deps: deps, hasher: h}
	strict := cachekey.Dict{{Name: "dependencies", Value: strictDeps}}
	if gen2 {
		// 2.x hashes the weak key into the strict one.
		strict = append(strict, cachekey.Field{Name: "weak-cache-key", Value: e.WeakKey().String()})
	}
	e.Keys.Strict = h.GenerateTemplate(e.FullName+" (strict)", tmpl, strict)
	e.Keys.Strong = e.Keys.Strict
	e.Keys.Known = true
	return nil
}

// weakInputs keeps what the weak key needs, computed on first use: in
// strict mode BuildStream 1 needs it only for strict-rebuild dependants.
type weakInputs struct {
	tmpl   *cachekey.Template
	deps   []*Element
	hasher *cachekey.Hasher
	once   sync.Once
}

// WeakKey returns e's weak key (computed once, after e's keys are known):
// dependencies by name, or by weak key for strict-rebuild elements and
// strict dependencies.
func (e *Element) WeakKey() cachekey.Key {
	e.weak.once.Do(func() {
		if e.weak.tmpl == nil {
			return
		}
		gen2 := e.Project.Gen == project.Gen2
		strictRebuild := e.Plugin.StrictRebuild
		weakDeps := make([]any, 0, len(e.weak.deps))
		for _, d := range e.weak.deps {
			useWeak := strictRebuild || containsElem(e.StrictDeps, d)
			switch {
			case gen2 && useWeak:
				weakDeps = append(weakDeps, []any{d.Project.Name, d.Name, d.WeakKey().String()})
			case gen2:
				weakDeps = append(weakDeps, []any{d.Project.Name, d.Name})
			case useWeak:
				weakDeps = append(weakDeps, d.WeakKey().String())
			default:
				weakDeps = append(weakDeps, d.Name)
			}
		}
		e.Keys.Weak = e.weak.hasher.GenerateTemplate(e.FullName+" (weak)", e.weak.tmpl,
			cachekey.Dict{{Name: "dependencies", Value: weakDeps}})
	})
	return e.Keys.Weak
}

func containsElem(list []*Element, e *Element) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

// keyBase returns the dictionary hashed for every key of e, without
// dependencies; nil if a source has no reference.
func (e *Element) keyBase(ctx context.Context) (cachekey.Dict, error) {
	pluginKey, err := e.pluginKey()
	if err != nil {
		return nil, err
	}
	var sources []any
	for _, s := range e.Sources {
		cfg, err := e.sourceKeyConfig(s)
		if err != nil {
			return nil, err
		}
		in := sourcekey.Input{Gen: int(e.Project.Gen), Kind: s.Kind, Config: cfg, ProjectDir: e.Project.Dir,
			Alias: e.alias}
		if j := e.Project.Junction; j != nil && j.Staging != nil {
			in.Staging = j.Staging
		}
		in.Cache = e.sourceKeys
		k, err := sourcekey.Key(ctx, in)
		if err != nil {
			if sourcekey.IsNoRef(err) {
				return nil, nil
			}
			return nil, withElement(err, e)
		}
		if e.Project.Gen == project.Gen2 {
			sd := map[string]any{"key": k, "name": s.Kind}
			if s.Directory != "" {
				sd["directory"] = s.Directory
			}
			sources = append(sources, sd)
			continue
		}
		var dir any
		if s.Directory != "" {
			dir = s.Directory
		}
		sources = append(sources, map[string]any{"directory": dir, "unique": k})
	}
	if sources == nil {
		sources = []any{}
	}
	env := envKey{env: e.Env, nocache: e.EnvNocache}
	fatal := append([]string{}, e.Project.FatalWarnings...)
	sort.Strings(fatal) // sorted(project._fatal_warnings)
	if e.Project.Gen == project.Gen2 {
		return e.keyBase2(pluginKey, sources, env, fatal)
	}
	exec := map[string]any{"os": e.Sandbox.BuildOS, "arch": e.Sandbox.BuildArch}
	if e.Sandbox.BuildUID != 0 {
		exec["build-uid"] = e.Sandbox.BuildUID
	}
	if e.Sandbox.BuildGID != 0 {
		exec["build-gid"] = e.Sandbox.BuildGID
	}
	empty := cachekey.Generate(map[string]any{}).String()
	return cachekey.Dict{
		{Name: "artifact-version", Value: coreArtifactVersion1 + "." + strconv.Itoa(e.Plugin.ArtifactVersion)},
		{Name: "cache", Value: "CASCache"},
		{Name: "context", Value: empty},
		{Name: "element", Value: pluginKey},
		{Name: "environment", Value: env},
		{Name: "execution-environment", Value: exec},
		{Name: "fatal-warnings", Value: fatal},
		{Name: "project", Value: empty},
		{Name: "public", Value: plainPublic(e)},
		{Name: "sources", Value: sources},
		{Name: "workspace", Value: ""},
	}, nil
}

func (e *Element) keyBase2(pluginKey any, sources []any, env envKey, fatal []string) (cachekey.Dict, error) {
	buildRoot, _, err := e.Vars.Get("build-root")
	if err != nil {
		return nil, err
	}
	d := cachekey.Dict{
		{Name: "core-artifact-version", Value: coreArtifactVersion2},
		{Name: "element-base-key", Value: map[string]any{"build-root": buildRoot}},
		{Name: "element-plugin-key", Value: pluginKey},
		{Name: "element-plugin-name", Value: e.Kind},
		{Name: "element-plugin-version", Value: e.Plugin.ArtifactVersion},
		{Name: "fatal-warnings", Value: fatal},
		{Name: "public", Value: plainPublic(e)},
		{Name: "sources", Value: sources},
	}
	runCommands := e.Plugin.RunCommands
	if e.Kind == "compose" {
		if integrate, err := e.Config.Bool("integrate", true); err == nil && !integrate {
			runCommands = false
		}
	}
	if runCommands {
		arch, ok := options.CanonicalArch(e.Sandbox.BuildArch)
		if !ok {
			// SandboxConfig.new_from_node raises PlatformError.
			return nil, &bsterr.Error{Domain: "PLATFORM", Msg: "Unknown architecture: " + e.Sandbox.BuildArch,
				Prov: &bsterr.Provenance{File: e.Name}}
		}
		sb := map[string]any{"build-os": strings.ToLower(e.Sandbox.BuildOS), "build-arch": arch}
		if e.Sandbox.HasUID {
			sb["build-uid"] = e.Sandbox.BuildUID
		}
		if e.Sandbox.HasGID {
			sb["build-gid"] = e.Sandbox.BuildGID
		}
		d = append(d, cachekey.Field{Name: "sandbox", Value: sb}, cachekey.Field{Name: "environment", Value: env})
	}
	return d, nil
}

// sourceKeyConfig returns the configuration a source plugin keys: in 2.x
// the element's variables are expanded in it (Source.__init__ calls
// variables.expand on the composited config; `directory` is not part of
// it and stays as written). 1.x sources never substitute.
// The expansion happens when the element is created (resolveSources).
func (e *Element) sourceKeyConfig(s *Source) (*yamlnode.Mapping, error) {
	return s.Config, nil
}

// alias returns the value of one of the project's URL aliases.
func (e *Element) alias(name string) (string, bool) {
	a := e.Project.Second.Aliases
	if a == nil {
		return "", false
	}
	v, ok, err := a.String(name)
	return v, ok && err == nil
}

// plainPublic is the public data as keyed: 1.x keeps everything but the
// split rules raw; 2.x expanded every string (stripped when loaded, then
// expanded), and the expansion is not stripped again.
func plainPublic(e *Element) any {
	if e.Public == nil {
		return cachekey.Dict{}
	}
	return nodeKey{n: e.Public, strip: e.Project.Gen == project.Gen2}
}

func withElement(err error, e *Element) error {
	if be, ok := err.(*bsterr.Error); ok && be.Prov == nil {
		be.Prov = &bsterr.Provenance{File: e.Name}
	}
	return err
}

// pluginKey returns the element plugin's unique key (computed once).
func (e *Element) pluginKey() (any, error) {
	if e.plugKeyDone {
		return e.plugKey, e.plugKeyErr
	}
	e.plugKeyDone = true
	in := elementkey.Input{
		Gen: int(e.Project.Gen), Kind: e.Kind, Plugin: e.Plugin, Config: e.Config,
		Subst: e.Vars.Expand,
		Var:   func(n string) string { v, _, _ := e.Vars.Get(n); return v },
	}
	// 2.x kinds that implement configure_dependencies() key their
	// dependency configuration.
	if e.Project.Gen == project.Gen2 && elementkey.UsesDependencies(e.Kind, e.Plugin.BuildElement) {
		deps, err := e.dependencyConfig()
		if err != nil {
			e.plugKeyErr = withElement(err, e)
			return nil, e.plugKeyErr
		}
		in.Deps = deps
	}
	e.plugKey, e.plugKeyErr = elementkey.Key(in)
	if e.plugKeyErr != nil {
		e.plugKeyErr = withElement(e.plugKeyErr, e)
	}
	return e.plugKey, e.plugKeyErr
}
