package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"example.org/bst/internal/artifact"
	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/cachekey"
	"example.org/bst/internal/element"
	"example.org/bst/internal/pipeline"
	"example.org/bst/internal/sandbox"
	"example.org/bst/internal/sandbox/bwrap"
	"example.org/bst/internal/splitrules"
	"example.org/bst/internal/yamlnode"
)

// BuildOptions are the arguments of `bst build`.
type BuildOptions struct {
	Targets  []string
	Deps     pipeline.Scope
	Fetchers int
	Builders int
	// OnError is what to do after a failure when OnFailure is nil
	// ("" means quit).
	OnError OnError
	// OnFailure, if not nil, is asked what to do after each failure (the
	// interactive prompt).
	OnFailure FailureHandler
	// RetryFailed rebuilds elements whose failed build is cached, instead
	// of reporting the cached failure again.
	RetryFailed bool
	// ErrorLines is how many lines of a failed job's log its FAILURE
	// message shows (BuildStream's --error-lines; 0 means 20).
	ErrorLines int
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
//
// In non-strict mode an element is also cached when an artifact is found
// under its weak key, and its strong key is then that artifact's; the
// strong keys of the other elements are computed from their dependencies'
// (BuildStream's non-strict build plan). That needs the whole dependency
// closure, in staging order.
func (s *Session) checkCached(ctx context.Context, elems []*element.Element) error {
	ac, err := s.artifacts()
	if err != nil {
		return err
	}
	strict, err := s.StrictMode()
	if err != nil {
		return err
	}
	if !strict {
		elems = element.Dependencies(elems, element.ScopeAll)
	}
	// The strict keys' refs are read in one batch per worker (one lock of
	// the cache each); weak keys, only asked in non-strict mode for what
	// is missing, one by one.
	var wg sync.WaitGroup
	errs := make([]error, len(elems))
	viaWeak := make([]*artifact.Artifact, len(elems))
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(elems) + workers - 1) / workers
	for lo := 0; lo < len(elems); lo += chunk {
		part := elems[lo:min(lo+chunk, len(elems))]
		wg.Add(1)
		go func(lo int) {
			defer wg.Done()
			var ids []artifact.ID
			var which []int
			for i, e := range part {
				if e.Keys.Known && !e.IsJunction {
					ids = append(ids, artifact.ID{Project: e.Project.Name, Element: e.Name, Key: e.Keys.Strict.String()})
					which = append(which, i)
				}
			}
			found, err := ac.LookupAll(ctx, ids)
			if err != nil {
				errs[lo] = err
				return
			}
			for j, i := range which {
				e, a := part[i], found[j]
				ok := a != nil
				if !strict && !(ok && a.BuildSuccess) {
					wa, wok, err := ac.Lookup(ctx, e.Project.Name, e.Name, e.WeakKey().String())
					if err != nil {
						errs[lo+i] = err
						continue
					}
					if wok && wa.BuildSuccess {
						viaWeak[lo+i] = wa
						continue
					}
				}
				// A cached failed build is not an artifact to build on.
				// BuildStream 1 did not cache failures, so for 1.x
				// projects one is simply built again.
				e.SetCached(ok && a.BuildSuccess)
				e.SetCachedFailure(ok && !a.BuildSuccess && e.Project.Gen != 1)
			}
		}(lo)
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
	if !strict {
		for i, e := range elems {
			switch {
			case viaWeak[i] != nil:

				k, err := cachekey.ParseKey(viaWeak[i].StrongKey)
				if err != nil {
					return bsterr.Stream(bsterr.Reason("corrupt-artifact"), "%s: the artifact found by its weak key has a bad strong key %q", e.FullName, viaWeak[i].StrongKey)
				}
				e.SetStrong(k)
				e.SetCached(true)
				e.SetCachedFailure(false)
			case e.Keys.Known && !e.Cached():
				e.SetStrongFromDependencies()
			}
		}
	}
	return nil
}

// StrictMode reports whether builds follow the strict build plan: the
// --strict/--no-strict option, else the user configuration's
// projects.<name>.strict for the toplevel project, else true.
func (s *Session) StrictMode() (bool, error) {
	if s.Strict != nil {
		return *s.Strict, nil
	}
	if s.Project == nil {
		return true, nil
	}
	return s.Config.ProjectStrict(s.Project.Name)
}

// Build builds the targets and what they need, skipping cached elements:
// sources are fetched first, then elements are assembled in staging order
// and committed to the artifact cache.
func (s *Session) Build(ctx context.Context, o BuildOptions) (err error) {
	start := time.Now()
	s.activity("START", 0, "Build")
	defer func() {
		kind := "SUCCESS"
		if err != nil {
			kind = "FAILURE"
		}
		s.activity(kind, time.Since(start), "Build")
	}()
	var sel, targets []*element.Element
	if err := s.timed("Loading elements", func() (err error) {
		if targets, _, err = s.loadTargets(ctx, o.Targets, nil, true); err != nil {
			return err
		}
		sel = pipeline.Dependencies(targets, o.Deps)
		return element.CacheKeys(ctx, element.Dependencies(targets, element.ScopeAll), nil)
	}); err != nil {
		return err
	}
	all := element.Dependencies(targets, element.ScopeAll)
	if err := s.timed("Resolving cached state", func() error { return s.checkCached(ctx, all) }); err != nil {
		return err
	}
	// The plan covers every element the targets need, whatever --deps
	// selects (BuildStream builds the build dependencies of a required
	// element that is not cached).
	todo := buildPlan(all, targets)
	for _, e := range todo {
		if e.Keys.NoRef {
			return bsterr.Stream(bsterr.Reason("inconsistent-pipeline"),
				"Cannot build %s: a source has no reference; track it first with `bst source track %s`", e.FullName, e.FullName)
		}
	}
	_ = s.timed("Checking sources", func() error { s.checkSourcesCached(todo); return nil })
	s.plan(len(todo), len(sel))
	s.heading(o.Targets, sel)
	if err := runEach(ctx, todo, o.Fetchers, s.fetchElement); err != nil {
		return err
	}
	handler := o.OnFailure
	if handler != nil {
		// BuildStream suspends the running jobs while it asks.
		handler = func(ctx context.Context, f *Failure) FailureAction {
			s.jobs.Suspend()
			defer s.jobs.Resume()
			return o.OnFailure(ctx, f)
		}
	}
	sc := &scheduler{n: o.Builders, onError: o.OnError, handler: handler,
		run: func(ctx context.Context, e *element.Element, decide func(*Failure) FailureAction) error {
			return s.buildElement(ctx, e, o.RetryFailed, o.ErrorLines, decide)
		}}
	failures := sc.runAll(ctx, todo)
	switch len(failures) {
	case 0:
		return nil
	case 1:
		return failures[0]
	}
	return joinErrors(failures)
}

// buildPlan returns the elements of sel (in staging order) that must be
// built, as BuildStream's planner chooses them: the targets and, through
// runtime dependencies always and through build dependencies only of an
// element that is not cached, what they need; minus what is cached. So
// the build dependencies of a cached element are not built (in non-strict
// mode an element cached by its weak key needs nothing rebuilt below it).
func buildPlan(sel, targets []*element.Element) []*element.Element {
	needed := make(map[*element.Element]bool, len(sel))
	var visit func(e *element.Element)
	visit = func(e *element.Element) {
		if needed[e] {
			return
		}
		needed[e] = true
		for _, d := range e.RuntimeDeps {
			visit(d)
		}
		if !e.Cached() {
			for _, d := range e.BuildDeps {
				visit(d)
			}
		}
	}
	for _, t := range targets {
		visit(t)
	}
	var todo []*element.Element
	for _, e := range sel {
		if needed[e] && !e.Cached() {
			todo = append(todo, e)
		}
	}
	return todo
}

// buildJob is one running build: what the assembly staged, so that a
// failure can be inspected (and its build tree cached) before the
// directories go.
type buildJob struct {
	mu        sync.Mutex
	dirs      []string // to remove when the job ends
	sysroot   string   // the sandbox root, once staged
	buildtree string   // the build directory in it
	env       []string
	log       io.Writer // the job's log
}

type jobKey struct{}

// jobLog is the log of the build running under ctx (nil outside one).
func jobLog(ctx context.Context) io.Writer {
	if j, ok := ctx.Value(jobKey{}).(*buildJob); ok {
		return j.log
	}
	return nil
}

// withJob makes ctx carry the build job.
func withJob(ctx context.Context, j *buildJob) context.Context {
	return context.WithValue(ctx, jobKey{}, j)
}

// jobSysroot creates the sandbox root of the build running under ctx. It
// stays until the job ends, after a failure has been handled; outside a
// build job it is removed when the session closes.
func (s *Session) jobSysroot(ctx context.Context, e *element.Element, buildtree string) (string, error) {
	root, err := s.mkTemp("sysroot-")
	if err != nil {
		return "", err
	}
	if j, ok := ctx.Value(jobKey{}).(*buildJob); ok {
		j.mu.Lock()
		j.dirs = append(j.dirs, root)
		j.sysroot = root
		if buildtree != "" {
			j.buildtree = filepath.Join(root, strings.TrimPrefix(buildtree, "/"))
		}
		j.env = j.env[:0]
		for _, kv := range e.Env {
			j.env = append(j.env, kv.Name+"="+kv.Value)
		}
		j.mu.Unlock()
	}
	return root, nil
}

// buildElement runs one build job: assembly, then the artifact commit.
// A failure is committed too (BuildStream 2 caches failed builds with
// their logs and build tree), then handed to decide while the sandbox
// still exists. An element whose failed build is cached fails again with
// the cached log, unless retryFailed.
func (s *Session) buildElement(ctx context.Context, e *element.Element, retryFailed bool, errorLines int, decide func(*Failure) FailureAction) error {
	log, logPath, err := s.elementLog(e, "build")
	if err != nil {
		return err
	}
	defer log.Close()
	start := time.Now()
	s.message("START", "build", e, 0, logPath)
	ac, err := s.artifacts()
	if err != nil {
		return err
	}
	if e.CachedFailure() && !retryFailed {
		err := s.replayCachedFailure(ctx, ac, e, log)
		log.Close()
		s.message("FAILURE", "build", e, time.Since(start), err.Error()+logTail(logPath, errorLines))
		decide(&Failure{Element: e, Err: err, LogPath: logPath})
		return err
	}
	job := &buildJob{log: log}
	defer func() {
		for _, d := range job.dirs {
			_ = os.RemoveAll(d)
		}
	}()
	ctx = withJob(ctx, job)
	files, err := s.mkTemp("files-")
	if err != nil {
		return err
	}
	job.dirs = append(job.dirs, files)
	var deps []artifact.Dependency
	for _, d := range e.BuildDependencies() {
		deps = append(deps, artifact.Dependency{ProjectName: d.Project.Name, ElementName: d.Name, CacheKey: d.Keys.Strong.String()})
	}
	info := artifact.ArtifactInfo{
		Project: e.Project.Name, Element: e.Name,
		StrongKey: e.Keys.Strong.String(), WeakKey: e.WeakKey().String(), StrictKey: e.Keys.Strict.String(),
		BuildDeps: deps, LogFiles: map[string]string{filepath.Base(logPath): logPath},
	}
	if err := s.assemble(ctx, e, files, log); err != nil {
		fmt.Fprintf(log, "FAILURE %s\n", err.Error())
		log.Close()
		s.message("FAILURE", "build", e, time.Since(start), err.Error()+logTail(logPath, errorLines))
		job.mu.Lock()
		f := &Failure{Element: e, Err: err, LogPath: logPath, Sysroot: job.sysroot, Buildtree: job.buildtree, Env: job.env}
		job.mu.Unlock()
		// Only a failure of the build itself is cached (BuildStream 2
		// caches element and command errors, not the sandbox's or the
		// cache's; BuildStream 1 caches none, and a 1.x commit would
		// replace a good artifact under the weak key).
		if ctx.Err() == nil && e.Keys.Known && e.Project.Gen != 1 && cacheableFailure(err) {
			info.BuildError, info.BuildErrorDetails = failureSummary(err)
			if fi, err := os.Stat(f.Buildtree); err == nil && fi.IsDir() {
				info.BuildtreeDir = f.Buildtree
			}
			if _, cerr := ac.Commit(ctx, info); cerr != nil {
				s.message("WARNING", "build", e, time.Since(start), "cannot cache the failed build: "+cerr.Error())
			} else {
				e.SetCachedFailure(e.Project.Gen != 1)
			}
		}
		decide(f)
		return err
	}
	info.BuildSuccess = true
	info.FilesDir = files
	info.GiveFiles = true // a temporary directory, removed when the job ends
	info.PublicData = []byte(yamlnode.Dump(yamlnode.Plain(e.Public, false)))
	log.Close()
	if _, err := ac.Commit(ctx, info); err != nil {
		return err
	}
	e.SetCached(true)
	e.SetCachedFailure(false)
	if e.Workspace != nil {
		if err := s.recordWorkspaceBuild(e); err != nil {
			return err
		}
	}
	s.message("SUCCESS", "build", e, time.Since(start), logPath)
	return nil
}

// cacheableFailure reports whether a failed build is worth caching: a
// command failed, or the project made a warning fatal.
func cacheableFailure(err error) bool {
	switch bsterr.ReasonOf(err) {
	case "command-failed", "overlaps", "unstaged-files":
		return true
	}
	return false
}

// logTail is the detail BuildStream adds to a failed job's message: the
// last n lines of its log (n <= 0 means 20).
func logTail(path string, n int) string {
	if n <= 0 {
		n = 20
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	rule := strings.Repeat("=", 70)
	return fmt.Sprintf("\n\nPrinting the last %d lines from log file:\n%s\n%s\n    %s\n%s", n, path, rule,
		strings.Join(lines, "\n    "), rule)
}

// failureSummary splits an error into the Artifact's build_error (its
// first line) and build_error_details (the rest).
func failureSummary(err error) (string, string) {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		return msg[:i], msg[i+1:]
	}
	return msg, ""
}

// replayCachedFailure copies the logs of e's cached failed build into log
// and returns the cached failure as an error (BuildStream 2's
// CachedFailure).
func (s *Session) replayCachedFailure(ctx context.Context, ac *artifact.Cache, e *element.Element, log io.Writer) error {
	a, ok, err := ac.Lookup(ctx, e.Project.Name, e.Name, e.Keys.Strong.String())
	if err != nil {
		return err
	}
	if !ok {
		return bsterr.Element(bsterr.Reason("cached-failure"), nil, "%s: the cached failed build has gone", e.FullName)
	}
	for _, l := range a.Logs {
		if data, err := ac.Log(ctx, a, l.Name); err == nil {
			_, _ = log.Write(data)
		}
	}
	msg := a.BuildError
	if msg == "" {
		msg = "build failed"
	}
	if !strings.HasPrefix(msg, e.FullName+":") {
		msg = e.FullName + ": " + msg
	}
	be := bsterr.Element(bsterr.Reason("cached-failure"), nil, "%s (cached failure; use --retry-failed to build again)", msg)
	if a.BuildErrorDetails != "" {
		be = be.WithDetail("%s", a.BuildErrorDetails)
	}
	return be
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

// moveTree makes the tree at from the (empty) directory to: a rename when
// both are on one file system (the build directory), else a copy. from is
// gone or must no longer be used afterwards.
func moveTree(from, to string) error {
	if err := os.Remove(to); err == nil || errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(from, to); err == nil {
			return nil
		}
		if err := os.MkdirAll(to, 0o755); err != nil {
			return err
		}
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
	// Integrate runs the staged elements' integration commands in a
	// sandbox over the checkout (BuildStream's default).
	Integrate bool
	// Tar, if set, writes a tarball there ("-" = Stdout) instead of a
	// directory, compressed as Compression says ("", gz).
	Tar         string
	Compression string
	Stdout      io.Writer
}

// ArtifactCheckout stages the artifacts of the target and its selected
// dependencies, integrates them when asked (each element's integration
// commands, with its own environment, in a sandbox whose environment is
// the target's) and writes the result as a directory or a tarball.
func (s *Session) ArtifactCheckout(ctx context.Context, o ArtifactCheckoutOptions) error {
	tels, _, err := s.loadTargets(ctx, []string{o.Target}, nil, true)
	if err != nil {
		return err
	}
	if len(tels) != 1 {
		return bsterr.Stream(bsterr.Reason("invalid-target"), "%s: not one element", o.Target)
	}
	target := tels[0]
	sel := pipeline.Dependencies(tels, o.Deps)
	if err := element.CacheKeys(ctx, element.Dependencies(tels, element.ScopeAll), nil); err != nil {
		return err
	}
	if err := s.checkCached(ctx, sel); err != nil {
		return err
	}
	ac, err := s.artifacts()
	if err != nil {
		return err
	}
	env := make([]string, 0, len(target.Env))
	for _, kv := range target.Env {
		env = append(env, kv.Name+"="+kv.Value)
	}
	var integration, shown []string
	if o.Integrate {
		if integration, shown, err = integrationBatch(sel, env); err != nil {
			return err
		}
	}
	dest := o.Directory
	staging := o.Tar != "" || len(integration) > 0
	if !staging {
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(s.Dir, dest)
		}
		if ents, err := os.ReadDir(dest); err == nil && len(ents) > 0 && !o.Force {
			return bsterr.Stream(bsterr.Reason("checkout-exists"), "Checkout directory '%s' is not empty; use --force to overwrite", dest)
		}
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return bsterr.Stream(bsterr.Unknown, "cannot create %s: %v", dest, err)
		}
	} else if dest, err = s.mkTemp("checkout-"); err != nil {
		return err
	}
	for _, e := range sel {
		a, ok, err := ac.Lookup(ctx, e.Project.Name, e.Name, e.Keys.Strong.String())
		if err != nil {
			return err
		}
		if !ok || !a.BuildSuccess {
			return bsterr.Stream(bsterr.Reason("uncached-checkout-attempt"),
				"Artifact of %s is not cached; build it first with `bst build %s`", e.FullName, e.FullName)
		}
		// Integration writes into the tree: never into the cache's files.
		if err := ac.Checkout(ctx, a, dest, o.Hardlinks && len(integration) == 0); err != nil {
			return err
		}
	}
	if len(integration) > 0 {
		cfg := sandbox.Config{BuildUID: target.Sandbox.BuildUID, BuildGID: target.Sandbox.BuildGID,
			BuildOS: target.Sandbox.BuildOS, BuildArch: target.Sandbox.BuildArch}
		opts, err := s.sandboxOptions(ctx, nil)
		if err != nil {
			return err
		}
		sb, err := bwrap.New(ctx, dest, cfg, opts)
		if err != nil {
			return err
		}
		var log tailWriter
		if err := runBatch(ctx, sb, target, integration, shown, []string{"sh", "-e", "-c"}, "", "/", env, 0, &log); err != nil {
			return err
		}
	}
	switch {
	case o.Tar != "":
		return writeTar(dest, o.Tar, o.Compression, o.Stdout, s.Dir)
	case staging:
		final := o.Directory
		if !filepath.IsAbs(final) {
			final = filepath.Join(s.Dir, final)
		}
		if ents, err := os.ReadDir(final); err == nil && len(ents) > 0 && !o.Force {
			return bsterr.Stream(bsterr.Reason("checkout-exists"), "Checkout directory '%s' is not empty; use --force to overwrite", final)
		}
		return copyTree(dest, final)
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
	a, ok, err := s.lookupArtifact(ctx, ac, d)
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
