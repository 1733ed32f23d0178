package stream

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"example.org/bst/internal/artifact"
	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/pipeline"
	"example.org/bst/internal/splitrules"
	"example.org/bst/internal/yamlnode"
)

// BuildOptions are the arguments of `bst build`.
type BuildOptions struct {
	Targets  []string
	Deps     pipeline.Scope
	Fetchers int
	Builders int
}

// artifacts opens the artifact cache (in the same CAS as the sources).
func (s *Session) artifacts() (*artifact.Cache, error) {
	sc, err := s.casStore()
	if err != nil {
		return nil, err
	}
	return artifact.New(sc.store), nil
}

// checkCached records which elements have artifacts under their strong key.
// The lookups are independent reads of the cache, so they run on
// GOMAXPROCS workers: `bst show` asks this for every element it prints.
func (s *Session) checkCached(ctx context.Context, elems []*element.Element) error {
	ac, err := s.artifacts()
	if err != nil {
		return err
	}
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	errs := make([]error, len(elems))
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(elems) || ctx.Err() != nil {
					return
				}
				e := elems[i]
				if !e.Keys.Known || e.IsJunction {
					continue
				}
				_, ok, err := ac.Lookup(ctx, e.Project.Name, e.Name, e.Keys.Strong.String())
				errs[i] = err
				e.SetCached(ok)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Build builds the targets and what they need, skipping cached elements:
// sources are fetched first, then elements are assembled in staging order
// and committed to the artifact cache.
func (s *Session) Build(ctx context.Context, o BuildOptions) error {
	sel, err := s.selectElements(ctx, o.Targets, nil, element.ScopeAll)
	if err != nil {
		return err
	}
	for _, e := range sel {
		if e.Keys.NoRef {
			return bsterr.Stream(bsterr.Reason("inconsistent-pipeline"),
				"Cannot build %s: a source has no reference; track it first with `bst source track %s`", e.FullName, e.FullName)
		}
	}
	if err := s.checkCached(ctx, sel); err != nil {
		return err
	}
	var todo []*element.Element
	for _, e := range sel {
		if !e.Cached() {
			todo = append(todo, e)
		}
	}
	if err := runEach(ctx, todo, o.Fetchers, s.fetchElement); err != nil {
		return err
	}
	return s.buildAll(ctx, todo, o.Builders)
}

// buildAll builds elements (in staging order) with up to n builds at a
// time: an element starts once every element it stages is built. The
// first failure stops new builds (BuildStream's on-error quit).
func (s *Session) buildAll(ctx context.Context, todo []*element.Element, n int) error {
	if n <= 0 {
		n = 4
	}
	pending := make(map[*element.Element]bool, len(todo))
	for _, e := range todo {
		pending[e] = true
	}
	ready := func(e *element.Element) bool {
		for _, d := range e.BuildDependencies() {
			if pending[d] {
				return false
			}
		}
		return true
	}
	type result struct {
		e   *element.Element
		err error
	}
	results := make(chan result)
	running := 0
	var firstErr error
	queue := append([]*element.Element(nil), todo...)
	for len(queue) > 0 || running > 0 {
		if firstErr == nil && ctx.Err() == nil {
			for i := 0; i < len(queue) && running < n; {
				e := queue[i]
				if !ready(e) {
					i++
					continue
				}
				queue = append(queue[:i], queue[i+1:]...)
				running++
				go func(e *element.Element) { results <- result{e, s.buildElement(ctx, e)} }(e)
			}
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		if r.err != nil {
			if firstErr == nil {
				firstErr = r.err
			}
			continue
		}
		delete(pending, r.e)
	}
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func (s *Session) buildElement(ctx context.Context, e *element.Element) error {
	log, logPath, err := s.elementLog(e, "build")
	if err != nil {
		return err
	}
	defer log.Close()
	start := time.Now()
	s.message("START", "build", e, 0, logPath)
	files, err := s.mkTemp("files-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(files)
	if err := s.assemble(ctx, e, files, log); err != nil {
		s.message("FAILURE", "build", e, time.Since(start), err.Error())
		return err
	}
	ac, err := s.artifacts()
	if err != nil {
		return err
	}
	public := []byte(yamlnode.Dump(yamlnode.Plain(e.Public, false)))
	var deps []artifact.Dependency
	for _, d := range e.BuildDependencies() {
		deps = append(deps, artifact.Dependency{ProjectName: d.Project.Name, ElementName: d.Name, CacheKey: d.Keys.Strong.String()})
	}
	log.Close()
	if _, err := ac.Commit(ctx, artifact.ArtifactInfo{
		Project: e.Project.Name, Element: e.Name,
		StrongKey: e.Keys.Strong.String(), WeakKey: e.WeakKey().String(), StrictKey: e.Keys.Strict.String(),
		BuildSuccess: true, FilesDir: files, PublicData: public, BuildDeps: deps,
		LogFiles: map[string]string{filepath.Base(logPath): logPath},
	}); err != nil {
		return err
	}
	e.SetCached(true)
	s.message("SUCCESS", "build", e, time.Since(start), "")
	return nil
}

// assemble produces e's output in files, by kind.
func (s *Session) assemble(ctx context.Context, e *element.Element, files string, log io.Writer) error {
	switch e.Kind {
	case "stack":
		return nil
	case "import":
		return s.assembleImport(ctx, e, files)
	case "compose":
		return s.assembleCompose(ctx, e, files)
	case "script":
		return s.assembleScript(ctx, e, files, log)
	case "filter":
		return s.assembleFilter(ctx, e, files)
	}
	if e.Plugin.BuildElement {
		return s.assembleBuildElement(ctx, e, files, log)
	}
	return bsterr.Element(bsterr.NotImplemented, &e.Load.Prov,
		"%s: bst cannot build '%s' elements yet (it builds import, stack, compose and build elements)", e.FullName, e.Kind)
}

// assembleImport stages the sources and copies config.source of them to
// config.target of the output, as BuildStream's import element does.
func (s *Session) assembleImport(ctx context.Context, e *element.Element, files string) error {
	get := func(key string) (string, error) {
		v, err := e.Config.StringDefault(key, "/")
		if err != nil {
			return "", err
		}
		if e.Project.Gen == 1 {
			return e.Vars.Expand(v, *e.Config.Pos())
		}
		return v, nil
	}
	src, err := get("source")
	if err != nil {
		return err
	}
	tgt, err := get("target")
	if err != nil {
		return err
	}
	input, err := s.mkTemp("input-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(input)
	srcs, err := s.sources(e)
	if err != nil {
		return err
	}
	if err := s.stageCached(ctx, e, srcs, s.sourceEnv(e, io.Discard), input); err != nil {
		return err
	}
	from := filepath.Join(input, strings.TrimPrefix(src, "/"))
	to := filepath.Join(files, strings.TrimPrefix(tgt, "/"))
	if _, err := os.Lstat(from); err != nil {
		return bsterr.Element(bsterr.Reason("import-source-dir-missing"), e.Config.Pos(),
			"%s: Source directory '%s' does not exist in the staged sources", e.FullName, src)
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		return bsterr.Element(bsterr.Unknown, nil, "%s: cannot create %s: %v", e.FullName, to, err)
	}
	return copyTree(from, to)
}

// copyTree copies the contents of from into to (files, links, modes).
func copyTree(from, to string) error {
	return filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if rel == "." {
			return nil
		}
		dst := filepath.Join(to, rel)
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			os.Remove(dst)
			return os.Symlink(t, dst)
		case info.IsDir():
			return os.MkdirAll(dst, info.Mode().Perm()|0o700)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, data, info.Mode().Perm())
		}
	})
}

// ArtifactCheckoutOptions are the arguments of `bst artifact checkout`
// (and 1.x `bst checkout`).
type ArtifactCheckoutOptions struct {
	Target    string
	Deps      pipeline.Scope // run (default), build, none, all
	Directory string
	Hardlinks bool
	Force     bool
}

// ArtifactCheckout stages the artifacts of the target and its selected
// dependencies into a directory.
func (s *Session) ArtifactCheckout(ctx context.Context, o ArtifactCheckoutOptions) error {
	sel, err := s.selectTargets(ctx, []string{o.Target}, nil, o.Deps, false)
	if err != nil {
		return err
	}
	if err := s.checkCached(ctx, sel); err != nil {
		return err
	}
	ac, err := s.artifacts()
	if err != nil {
		return err
	}
	dest := o.Directory
	if !filepath.IsAbs(dest) {
		dest = filepath.Join(s.Dir, dest)
	}
	if ents, err := os.ReadDir(dest); err == nil && len(ents) > 0 && !o.Force {
		return bsterr.Stream(bsterr.Reason("checkout-exists"), "Checkout directory '%s' is not empty; use --force to overwrite", dest)
	}
	for _, e := range sel {
		a, ok, err := ac.Lookup(ctx, e.Project.Name, e.Name, e.Keys.Strong.String())
		if err != nil {
			return err
		}
		if !ok {
			return bsterr.Stream(bsterr.Reason("uncached-checkout-attempt"),
				"Artifact of %s is not cached; build it first with `bst build %s`", e.FullName, e.FullName)
		}
		if err := ac.Checkout(ctx, a, dest, o.Hardlinks); err != nil {
			return err
		}
	}
	return nil
}

// assembleCompose stages the artifacts of the build dependencies (their
// runtime closures) into the output, keeping the files of the included
// split domains of each dependency (BuildStream's compose). Compositions
// whose dependencies have integration commands to run are refused until
// compose runs them in the sandbox.
func (s *Session) assembleCompose(ctx context.Context, e *element.Element, files string) error {
	inc, exc, orphans, err := splitConfig(e, true)
	if err != nil {
		return err
	}
	integrate, err := e.Config.Bool("integrate", true)
	if err != nil {
		return err
	}
	deps := e.BuildDependencies()
	if integrate {
		for _, d := range deps {
			if cmds, _ := integrationCommands(d); len(cmds) > 0 {
				return bsterr.Element(bsterr.NotImplemented, e.Config.Pos(),
					"%s: bst cannot run %s's integration commands yet (compose needs the sandbox)", e.FullName, d.FullName)
			}
		}
	}
	for _, d := range deps {
		if err := s.stageSplit(ctx, e, d, files, inc, exc, orphans); err != nil {
			return err
		}
	}
	return nil
}

// assembleFilter keeps the files of its single build dependency's
// artifact that fall in the included split domains (BuildStream's filter).
func (s *Session) assembleFilter(ctx context.Context, e *element.Element, files string) error {
	if len(e.BuildDeps) != 1 {
		return bsterr.Element(bsterr.Reason("filter-bdepend-wrong-count"), e.Config.Pos(),
			"%s: filter elements need exactly one build dependency, not %d", e.FullName, len(e.BuildDeps))
	}
	inc, exc, orphans, err := splitConfig(e, false)
	if err != nil {
		return err
	}
	return s.stageSplit(ctx, e, e.BuildDeps[0], files, inc, exc, orphans)
}

func splitConfig(e *element.Element, defOrphans bool) (inc, exc []string, orphans bool, err error) {
	if inc, err = e.Config.StringList("include"); err != nil {
		return
	}
	if exc, err = e.Config.StringList("exclude"); err != nil {
		return
	}
	if e.Project.Gen == 1 {
		for i := range inc {
			if inc[i], err = e.Vars.Expand(inc[i], *e.Config.Pos()); err != nil {
				return
			}
		}
		for i := range exc {
			if exc[i], err = e.Vars.Expand(exc[i], *e.Config.Pos()); err != nil {
				return
			}
		}
	}
	orphans, err = e.Config.Bool("include-orphans", defOrphans)
	return
}

// stageSplit copies into out the files of d's artifact selected by d's
// split rules.
func (s *Session) stageSplit(ctx context.Context, e, d *element.Element, out string, inc, exc []string, orphans bool) error {
	ac, err := s.artifacts()
	if err != nil {
		return err
	}
	a, ok, err := ac.Lookup(ctx, d.Project.Name, d.Name, d.Keys.Strong.String())
	if err != nil {
		return err
	}
	if !ok {
		return bsterr.Element(bsterr.Reason("missing-dependency-artifact"), nil, "%s: the artifact of %s is missing", e.FullName, d.FullName)
	}
	tmp, err := s.mkTemp("split-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := ac.Checkout(ctx, a, tmp, false); err != nil {
		return err
	}
	paths, err := splitrules.ListRelativePaths(tmp)
	if err != nil {
		return bsterr.Element(bsterr.Unknown, nil, "%s: %v", e.FullName, err)
	}
	domains, err := splitDomains(d)
	if err != nil {
		return err
	}
	for _, p := range domains.Select(paths, inc, exc, orphans) {
		if p == "." {
			continue
		}
		if err := copyEntry(filepath.Join(tmp, p), filepath.Join(out, p)); err != nil {
			return bsterr.Element(bsterr.Unknown, nil, "%s: %v", e.FullName, err)
		}
	}
	return nil
}

// splitDomains reads d's public bst.split-rules (expanded).
func splitDomains(d *element.Element) (*splitrules.Domains, error) {
	var ds []splitrules.Domain
	if d.Public != nil {
		if bst, _ := d.Public.MappingAt("bst"); bst != nil {
			if sr, _ := bst.MappingAt("split-rules"); sr != nil {
				for _, name := range sr.Keys {
					rules, err := sr.StringList(name)
					if err != nil {
						return nil, err
					}
					ds = append(ds, splitrules.Domain{Name: name, Rules: rules})
				}
			}
		}
	}
	return splitrules.NewDomains(ds)
}

// copyEntry copies one file, symlink or directory (not its contents),
// creating parents.
func copyEntry(from, to string) error {
	info, err := os.Lstat(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	switch {
	case info.Mode()&os.ModeSymlink != 0:
		t, err := os.Readlink(from)
		if err != nil {
			return err
		}
		os.Remove(to)
		return os.Symlink(t, to)
	case info.IsDir():
		return os.MkdirAll(to, 0o755)
	default:
		data, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, info.Mode().Perm())
	}
}

// integrationCommands returns the public bst.integration-commands of e.
func integrationCommands(e *element.Element) ([]string, error) {
	if e.Public == nil {
		return nil, nil
	}
	bst, err := e.Public.MappingAt("bst")
	if err != nil || bst == nil {
		return nil, err
	}
	return bst.StringList("integration-commands")
}
