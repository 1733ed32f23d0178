package element

import (
	"context"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

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
	// An element is handed to a worker once every element it depends on
	// (directly; so its whole closure) has its keys: no worker waits for
	// another one's key, as they would if each took the next element in
	// order and recursed into dependencies a second worker is computing.
	n := len(elems)
	index := make(map[*Element]int32, n)
	for i, e := range elems {
		index[e] = int32(i)
	}
	pending := make([]atomic.Int32, n)
	dependents := make([][]int32, n)
	seenBy := make([]int32, n) // seenBy[j] == i+1: j already counted for i
	for i, e := range elems {
		for _, list := range [2][]*Element{e.BuildDeps, e.RuntimeDeps} {
			for _, d := range list {
				j, ok := index[d]
				if !ok || seenBy[j] == int32(i)+1 {
					continue // outside elems (computed on demand), or listed twice
				}
				seenBy[j] = int32(i) + 1
				pending[i].Add(1)
				dependents[j] = append(dependents[j], int32(i))
			}
		}
	}
	ready := make(chan int32, n)
	for i := range elems {
		if pending[i].Load() == 0 {
			ready <- int32(i)
		}
	}
	var left atomic.Int64
	left.Store(int64(n))
	if n == 0 {
		close(ready)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ready {
				errs[i] = elems[i].computeKeys(ctx, h)
				for _, k := range dependents[i] {
					if pending[k].Add(-1) == 0 {
						ready <- k
					}
				}
				if left.Add(-1) == 0 {
					close(ready)
				}
			}
		}()
	}
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
	e.weak = weakInputs{base: base, depsAt: slices.IndexFunc(base, isDepsField), deps: deps, hasher: h}
	var weak cachekey.Key
	if gen2 {
		// 2.x hashes the weak key into the strict one. It is computed
		// first: its dictionary is base too.
		weak = e.WeakKey()
	}
	// The strict dictionary is base with its dependencies filled in (and
	// 2.x's weak-cache-key, last in name order, appended in base's spare
	// room).
	strict := base
	strict[e.weak.depsAt].Value = strictDeps{deps: deps, gen2: gen2}
	if gen2 {
		strict = append(strict, cachekey.Field{Name: "weak-cache-key", Value: weak})
	}
	e.Keys.Strict = h.GenerateNamed(debugName(h, e, " (strict)"), strict)
	e.Keys.Strong = e.Keys.Strict
	e.Keys.Known = true
	return nil
}

// isDepsField reports whether f is the "dependencies" field that
// doComputeKeys and WeakKey fill in.
func isDepsField(f cachekey.Field) bool { return f.Name == "dependencies" }

// debugName is the name printed beside a key's input when debugging (and
// "" otherwise, without building it).
func debugName(h *cachekey.Hasher, e *Element, what string) string {
	if !h.Debugging() {
		return ""
	}
	return e.FullName + what
}

// weakInputs keeps what the weak key needs, computed on first use: in
// strict mode BuildStream 1 needs it only for strict-rebuild dependants.
type weakInputs struct {
	base   cachekey.Dict // the key dictionary, in name order
	depsAt int           // the index of its "dependencies" field
	deps   []*Element
	hasher *cachekey.Hasher
	once   sync.Once
}

// WeakKey returns e's weak key (computed once, after e's keys are known):
// dependencies by name, or by weak key for strict-rebuild elements and
// strict dependencies.
func (e *Element) WeakKey() cachekey.Key {
	e.weak.once.Do(func() {
		if e.weak.base == nil {
			return
		}
		gen2 := e.Project.Gen == project.Gen2
		weak := weakDeps{deps: e.weak.deps, gen2: gen2}
		if e.Plugin.StrictRebuild {
			weak.all = true
		} else {
			weak.strict = e.StrictDeps
		}
		// base is the strict dictionary too: the two are never built at
		// the same time (keysOnce and weak.once order them).
		d := e.weak.base
		d[e.weak.depsAt].Value = weak
		e.Keys.Weak = e.weak.hasher.GenerateNamed(debugName(e.weak.hasher, e, " (weak)"), d)
	})
	return e.Keys.Weak
}

// strictDeps encodes the dependencies of a strict key: each one's strict
// key (1.x), or [project, name, strict key] (2.x); with strong, their
// strong keys instead (a non-strict strong key).
type strictDeps struct {
	deps   []*Element
	gen2   bool
	strong bool
}

func (s strictDeps) key(d *Element) cachekey.Key {
	if s.strong {
		return d.Keys.Strong
	}
	return d.Keys.Strict
}

func (s strictDeps) AppendCanonical(dst []byte) []byte {
	dst = append(dst, '[')
	for i, d := range s.deps {
		if i > 0 {
			dst = append(dst, ',')
		}
		if s.gen2 {
			dst = appendDepName(dst, d)
			dst = append(dst, ',')
			dst = s.key(d).AppendCanonical(dst)
			dst = append(dst, ']')
			continue
		}
		dst = s.key(d).AppendCanonical(dst)
	}
	return append(dst, ']')
}

// weakDeps encodes the dependencies of a weak key: by name (1.x), or by
// [project, name] (2.x); those in strict (or all of them) by weak key
// instead (1.x), or [project, name, weak key] (2.x).
type weakDeps struct {
	deps   []*Element
	gen2   bool
	all    bool // strict-rebuild: every dependency by weak key
	strict []*Element
}

func (w weakDeps) AppendCanonical(dst []byte) []byte {
	dst = append(dst, '[')
	for i, d := range w.deps {
		if i > 0 {
			dst = append(dst, ',')
		}
		useWeak := w.all || containsElem(w.strict, d)
		switch {
		case w.gen2 && useWeak:
			dst = appendDepName(dst, d)
			dst = append(dst, ',')
			dst = d.WeakKey().AppendCanonical(dst)
			dst = append(dst, ']')
		case w.gen2:
			dst = appendDepName(dst, d)
			dst = append(dst, ']')
		case useWeak:
			dst = d.WeakKey().AppendCanonical(dst)
		default:
			dst = cachekey.AppendString(dst, d.Name)
		}
	}
	return append(dst, ']')
}

// appendDepName appends `["project","name"` (a 2.x dependency entry, left
// open).
func appendDepName(dst []byte, d *Element) []byte {
	dst = append(dst, '[')
	dst = cachekey.AppendString(dst, d.Project.Name)
	dst = append(dst, ',')
	return cachekey.AppendString(dst, d.Name)
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
	sources := make([]cachekey.Dict, 0, len(e.Sources))
	var workspaceKey any = ""
	if e.Workspace != nil {
		if sources, workspaceKey, err = e.workspaceSources(ctx); err != nil {
			return nil, err
		}
	}
	for _, s := range e.Sources {
		if e.Workspace != nil {
			break
		}
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
		// Fields in name order.
		if e.Project.Gen == project.Gen2 {
			sd := make(cachekey.Dict, 0, 3)
			if s.Directory != "" {
				sd = append(sd, cachekey.Field{Name: "directory", Value: s.Directory})
			}
			sources = append(sources, append(sd, cachekey.Field{Name: "key", Value: k}, cachekey.Field{Name: "name", Value: s.Kind}))
			continue
		}
		var dir any
		if s.Directory != "" {
			dir = s.Directory
		}
		sources = append(sources, cachekey.Dict{{Name: "directory", Value: dir}, {Name: "unique", Value: k}})
	}
	env := envKey{env: e.Env, nocache: e.EnvNocache}
	fatal := e.Project.FatalWarnings
	if !sort.StringsAreSorted(fatal) {
		fatal = append([]string(nil), fatal...)
		sort.Strings(fatal) // sorted(project._fatal_warnings)
	}
	if fatal == nil {
		fatal = []string{}
	}
	if e.Project.Gen == project.Gen2 {
		return e.keyBase2(pluginKey, sources, env, fatal)
	}
	// In name order.
	exec := make(cachekey.Dict, 0, 4)
	exec = append(exec, cachekey.Field{Name: "arch", Value: e.Sandbox.BuildArch})
	if e.Sandbox.BuildGID != 0 {
		exec = append(exec, cachekey.Field{Name: "build-gid", Value: e.Sandbox.BuildGID})
	}
	if e.Sandbox.BuildUID != 0 {
		exec = append(exec, cachekey.Field{Name: "build-uid", Value: e.Sandbox.BuildUID})
	}
	exec = append(exec, cachekey.Field{Name: "os", Value: e.Sandbox.BuildOS})
	// In name order; doComputeKeys fills in the dependencies.
	return cachekey.Dict{
		{Name: "artifact-version", Value: artifactVersion1(e.Plugin.ArtifactVersion)},
		{Name: "cache", Value: "CASCache"},
		{Name: "context", Value: emptyDictKey},
		{Name: "dependencies"},
		{Name: "element", Value: pluginKey},
		{Name: "environment", Value: env},
		{Name: "execution-environment", Value: exec},
		{Name: "fatal-warnings", Value: fatal},
		{Name: "project", Value: emptyDictKey},
		{Name: "public", Value: plainPublic(e)},
		{Name: "sources", Value: sources},
		{Name: "workspace", Value: workspaceKey},
	}, nil
}

// emptyDictKey is the key of an empty dictionary, generate_key({}): what
// BuildStream 1.6 hashes for the context's and the project's cache keys.
const emptyDictKey = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

// artifactVersion1 is BuildStream 1.6's artifact-version field for a
// plugin's BST_ARTIFACT_VERSION.
func artifactVersion1(v int) string {
	if v == 0 {
		return coreArtifactVersion1 + ".0"
	}
	return coreArtifactVersion1 + "." + strconv.Itoa(v)
}

func (e *Element) keyBase2(pluginKey any, sources []cachekey.Dict, env envKey, fatal []string) (cachekey.Dict, error) {
	buildRoot, _, err := e.Vars.Get("build-root")
	if err != nil {
		return nil, err
	}
	runCommands := e.Plugin.RunCommands
	if e.Kind == "compose" {
		if integrate, err := e.Config.Bool("integrate", true); err == nil && !integrate {
			runCommands = false
		}
	}
	var sb cachekey.Dict
	if runCommands {
		arch, ok := options.CanonicalArch(e.Sandbox.BuildArch)
		if !ok {
			// SandboxConfig.new_from_node raises PlatformError.
			return nil, &bsterr.Error{Domain: "PLATFORM", Msg: "Unknown architecture: " + e.Sandbox.BuildArch,
				Prov: &bsterr.Provenance{File: e.Name}}
		}
		// In name order.
		sb = cachekey.Dict{{Name: "build-arch", Value: arch}}
		if e.Sandbox.HasGID {
			sb = append(sb, cachekey.Field{Name: "build-gid", Value: e.Sandbox.BuildGID})
		}
		sb = append(sb, cachekey.Field{Name: "build-os", Value: strings.ToLower(e.Sandbox.BuildOS)})
		if e.Sandbox.HasUID {
			sb = append(sb, cachekey.Field{Name: "build-uid", Value: e.Sandbox.BuildUID})
		}
	}
	// In name order, with room for the weak key (last); doComputeKeys
	// fills in the dependencies. Elements that run no commands key no
	// environment and no sandbox.
	d := make(cachekey.Dict, 0, 12)
	d = append(d,
		cachekey.Field{Name: "core-artifact-version", Value: coreArtifactVersion2},
		cachekey.Field{Name: "dependencies"},
		cachekey.Field{Name: "element-base-key", Value: cachekey.Dict{{Name: "build-root", Value: buildRoot}}},
		cachekey.Field{Name: "element-plugin-key", Value: pluginKey},
		cachekey.Field{Name: "element-plugin-name", Value: e.Kind},
		cachekey.Field{Name: "element-plugin-version", Value: e.Plugin.ArtifactVersion},
	)
	if runCommands {
		d = append(d, cachekey.Field{Name: "environment", Value: env})
	}
	d = append(d,
		cachekey.Field{Name: "fatal-warnings", Value: fatal},
		cachekey.Field{Name: "public", Value: plainPublic(e)},
	)
	if runCommands {
		d = append(d, cachekey.Field{Name: "sandbox", Value: sb})
	}
	return append(d, cachekey.Field{Name: "sources", Value: sources}), nil
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
	k := nodeKey{n: e.Public, strip: e.Project.Gen == project.Gen2}
	if e.kind != nil && !k.strip {
		k.shared, k.sharedEnc = e.kind.splitsKey()
	}
	return k
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

// SetStrongFromDependencies sets e's strong key for non-strict mode:
// the strict key's dictionary with each build dependency's strong key in
// place of its strict key (BuildStream's __cache_key from
// _get_cache_key() of the dependencies). Unless a dependency's strong key
// differs from its strict one, that is the strict key. Call it in staging
// order, once the dependencies' strong keys are settled, and not
// concurrently with other key computations of e.
func (e *Element) SetStrongFromDependencies() {
	if !e.Keys.Known || e.weak.base == nil {
		return
	}
	changed := false
	for _, d := range e.weak.deps {
		if d.Keys.Strong != d.Keys.Strict {
			changed = true
			break
		}
	}
	if !changed {
		e.Keys.Strong = e.Keys.Strict
		return
	}
	gen2 := e.Project.Gen == project.Gen2
	weak := e.WeakKey() // before base is reused below
	d := e.weak.base
	d[e.weak.depsAt].Value = strictDeps{deps: e.weak.deps, gen2: gen2, strong: true}
	if gen2 {
		d = append(d, cachekey.Field{Name: "weak-cache-key", Value: weak})
	}
	e.Keys.Strong = e.weak.hasher.GenerateNamed(debugName(e.weak.hasher, e, " (strong)"), d)
}

// SetStrong records the strong key of the artifact found for e by its
// weak key in non-strict mode.
func (e *Element) SetStrong(k cachekey.Key) { e.Keys.Strong = k }
