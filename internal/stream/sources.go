package stream

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/plugin"
)

// Executors make the host-tool runner for sources; the cli supplies it so
// that stream does not depend on a particular implementation.
type ExecutorFactory func(log io.Writer) plugin.Executor

// sourceEnv builds the run-time environment of e's sources.
func (s *Session) sourceEnv(e *element.Element, log io.Writer) *plugin.SourceEnv {
	return s.sourceEnvFor(e, log, s.Config.FetchSource)
}

// sourceEnvFor is sourceEnv under a source policy (fetch.source or
// track.source).
func (s *Session) sourceEnvFor(e *element.Element, log io.Writer, policy string) *plugin.SourceEnv {
	p := e.Project
	env := &plugin.SourceEnv{
		SourceDir: s.Config.SourceDir,
		URLs:      func(url string) []string { return p.URLsWith(url, policy) },
		HTTP:      http.DefaultClient,
		Retries:   s.Config.NetworkRetries,
		Log:       log,
	}
	if s.Executor != nil {
		env.Exec = s.Executor(log)
	}
	if s.Messages != nil {
		env.Progress = s.progress(e)
	}
	return env
}

// progress reports download progress of e's sources as STATUS messages,
// at most once a second (and at the end).
func (s *Session) progress(e *element.Element) func(done, total int64) {
	var mu sync.Mutex
	var last time.Time
	start := time.Now()
	return func(done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if now.Sub(last) < time.Second && done != total {
			return
		}
		last = now
		text := fmt.Sprintf("Downloaded %s", humanBytes(done))
		if total > 0 {
			text = fmt.Sprintf("Downloaded %s of %s (%d%%)", humanBytes(done), humanBytes(total), done*100/total)
		}
		s.message("STATUS", "fetch", e, now.Sub(start), text)
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// sources instantiates the run-time behaviour of e's sources.
func (s *Session) sources(e *element.Element) ([]plugin.Source, error) {
	out := make([]plugin.Source, 0, len(e.Sources))
	for _, src := range e.Sources {
		if src.Plugin.New == nil {
			return nil, bsterr.Source(bsterr.NotImplemented, &src.Prov,
				"%s: bst cannot fetch or stage '%s' sources yet", e.FullName, src.Kind)
		}
		spec := plugin.SourceSpec{Kind: src.Kind, Gen: int(e.Project.Gen), Config: src.Config,
			Directory: src.Directory, ProjectDir: e.Project.Dir, Element: e.FullName}
		if j := e.Project.Junction; j != nil && j.Staging != nil {
			spec.Staging = j.Staging
		}
		ps, err := src.Plugin.New(spec)
		if err != nil {
			return nil, err
		}
		out = append(out, ps)
	}
	return out, nil
}

// elementLog opens the per-element log file for action (BuildStream's
// logdir/<project>/<element>/<key>-<action>.<pid>.log layout).
func (s *Session) elementLog(e *element.Element, action string) (io.WriteCloser, string, error) {
	key := "????????"
	if e.Keys.Known {
		key = e.Keys.Strong.String()[:8]
	}
	normal := strings.TrimSuffix(strings.ReplaceAll(e.Name, "/", "-"), ".bst")
	dir := filepath.Join(s.Config.LogDir, e.Project.Name, normal)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", bsterr.Stream(bsterr.Unknown, "cannot create log directory %s: %v", dir, err)
	}
	// BuildStream 1 names a log by the job's pid, BuildStream 2 by the
	// time it starts.
	suffix := strconv.Itoa(os.Getpid())
	if e.Project.Gen != 1 {
		suffix = time.Now().Format("20060102-150405")
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.%s.log", key, action, suffix))
	f, err := os.Create(path)
	if err != nil {
		return nil, "", bsterr.Stream(bsterr.Unknown, "cannot create log file %s: %v", path, err)
	}
	return f, path, nil
}

// Messages receives BuildStream-shaped progress lines.
type Messages interface {
	Message(kind, action string, e *element.Element, elapsed time.Duration, text string)
}

// PlanObserver, when the Messages implement it, is told the size of a
// session before its jobs start: the elements to process and all the
// elements of the pipeline (the status area's "(session/total)").
type PlanObserver interface {
	Plan(project string, session, total int)
}

// Heading, when the Messages implement it, is told about a build session
// before its jobs start, to print BuildStream's session heading.
type Heading interface {
	Heading(h SessionHeading)
}

// SessionHeading is what BuildStream's session heading shows.
type SessionHeading struct {
	Project    string
	ProjectDir string
	Targets    []string
	// Elements are the session's pipeline, in staging order, with their
	// states resolved.
	Elements []*element.Element
	// Strict is whether the build plan is strict.
	Strict bool
}

// heading tells the Messages, if they print one, the session heading.
func (s *Session) heading(targets []string, elems []*element.Element) {
	if h, ok := s.Messages.(Heading); ok {
		strict, _ := s.StrictMode()
		h.Heading(SessionHeading{Project: s.Project.Name, ProjectDir: s.Project.Dir, Targets: targets, Elements: elems, Strict: strict})
	}
}

// plan tells the Messages, if they observe plans, the session's size.
func (s *Session) plan(session, total int) {
	if po, ok := s.Messages.(PlanObserver); ok {
		po.Plan(s.Project.Name, session, total)
	}
}

// runEach runs job on each element with at most n in parallel, stopping
// new work after the first error (BuildStream's on-error quit); it returns
// every error in element order.
func runEach(ctx context.Context, elems []*element.Element, n int, job func(context.Context, *element.Element) error) error {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, len(elems))
	var wg sync.WaitGroup
	next := make(chan int)
	var failed sync.Once
	stop := make(chan struct{})
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := job(ctx, elems[i]); err != nil {
					errs[i] = err
					failed.Do(func() { close(stop) })
				}
			}
		}()
	}
feed:
	for i := range elems {
		select {
		case next <- i:
		case <-stop:
			break feed
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	if len(out) == 0 {
		return ctx.Err()
	}
	if len(out) == 1 {
		return out[0]
	}
	return joinErrors(out)
}

type multiError []error

func (m multiError) Error() string {
	parts := make([]string, len(m))
	for i, e := range m {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

func (m multiError) Unwrap() []error { return m }

func joinErrors(errs []error) error { return multiError(errs) }

// checkSourcesCached records, for elements whose source kinds bst can
// fetch, whether their sources are in the source cache.
func (s *Session) checkSourcesCached(elems []*element.Element) {
	// Each answer is a few file system lookups of one element's sources:
	// ask them on every core.
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(elems) {
					return
				}
				s.checkElementSourcesCached(elems[i])
			}
		}()
	}
	wg.Wait()
}

func (s *Session) checkElementSourcesCached(e *element.Element) {
	if e.Workspace != nil {
		e.SetSourcesCached(true) // the workspace's files are the sources
		return
	}
	if e.Keys.NoRef || projectSourcesOnly(e) {
		return // no sources to look up, or the static answer is exact
	}
	srcs, err := s.sources(e)
	if err != nil {
		return // a kind bst cannot fetch yet: keep the static answer
	}
	env := s.sourceEnv(e, io.Discard)
	cached := true
	for _, src := range srcs {
		if !src.Cached(env) {
			cached = false
			break
		}
	}
	e.SetSourcesCached(cached)
}

// projectSourcesOnly reports whether all of e's sources are files of the
// project (always available).
func projectSourcesOnly(e *element.Element) bool {
	for _, src := range e.Sources {
		switch src.Kind {
		case "local", "patch", "patch_queue":
		default:
			return false
		}
	}
	return true
}
