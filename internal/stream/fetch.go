package stream

import (
	"context"
	"io"
	"os"
	"strings"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/pipeline"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/project"
)

// FetchOptions are the arguments of `bst source fetch` (and 1.x `bst fetch`).
type FetchOptions struct {
	Targets  []string
	Deps     pipeline.Scope
	Except   []string
	Track    bool // 1.x `bst fetch --track`: track before fetching
	Fetchers int
	// TrackCrossJunctions (1.x -J) tracks across junctions, as
	// TrackOptions.CrossJunctions.
	TrackCrossJunctions bool
}

// selectElements loads targets, which must be element names, and returns
// the selection in staging order, with keys computed.
func (s *Session) selectElements(ctx context.Context, targets, except []string, deps pipeline.Scope) ([]*element.Element, error) {
	return s.selectTargets(ctx, targets, except, deps, true)
}

// selectTargets is selectElements; without onlyElements, a target that is
// not an element name is left to the loader (artifact commands).
func (s *Session) selectTargets(ctx context.Context, targets, except []string, deps pipeline.Scope, onlyElements bool) ([]*element.Element, error) {
	tels, exc, err := s.loadTargets(ctx, targets, except, onlyElements)
	if err != nil {
		return nil, err
	}
	sel := pipeline.Dependencies(tels, deps)
	sel = pipeline.Except(tels, sel, exc)
	if err := element.CacheKeys(ctx, element.Dependencies(tels, element.ScopeAll), nil); err != nil {
		return nil, err
	}
	return sel, nil
}

// loadTargets loads the targets (the project's default targets when there
// are none) and the excepted elements.
func (s *Session) loadTargets(ctx context.Context, targets, except []string, onlyElements bool) (tels, exc []*element.Element, err error) {
	if err := s.LoadProject(ctx); err != nil {
		return nil, nil, err
	}
	if onlyElements {
		if err := s.checkElementNames(targets); err != nil {
			return nil, nil, err
		}
	}
	if len(targets) == 0 {
		t, err := s.DefaultTargets()
		if err != nil {
			return nil, nil, err
		}
		targets = t
	}
	all := append(append([]string(nil), targets...), except...)
	loaded, err := s.LoadElements(ctx, all)
	if err != nil {
		return nil, nil, err
	}
	return loaded[:len(targets)], loaded[len(targets):], nil
}

// checkElementNames refuses targets of a 2.x project that are neither
// element names nor element globs (ending in ".bst"), before anything is
// loaded, as BuildStream 2 classifies targets in commands that take no
// artifact names.
func (s *Session) checkElementNames(targets []string) error {
	if s.Project == nil || s.Project.Gen != project.Gen2 {
		return nil
	}
	var bad []string
	for _, t := range targets {
		if !strings.HasSuffix(t, ".bst") {
			bad = append(bad, t)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return bsterr.Stream("invalid-element-names", "Invalid element names or element glob patterns were specified: %s",
		strings.Join(bad, ", ")).WithDetail("Element names and element glob expressions must end in '.bst'")
}

// Fetch downloads the sources of the selected elements into the source
// cache, in parallel, skipping what is already cached.
func (s *Session) Fetch(ctx context.Context, o FetchOptions) error {
	tels, exc, err := s.loadTargets(ctx, o.Targets, o.Except, true)
	if err != nil {
		return err
	}
	sel := pipeline.Except(tels, pipeline.Dependencies(tels, o.Deps), exc)
	var tsel []*element.Element
	if o.Track {
		if tsel, err = s.trackSelection(tels, exc, o.Deps, o.TrackCrossJunctions); err != nil {
			return err
		}
	}
	if err := element.CacheKeys(ctx, element.Dependencies(tels, element.ScopeAll), nil); err != nil {
		return err
	}
	if o.Track {
		if err := s.trackElements(ctx, tsel, o.Fetchers); err != nil {
			return err
		}
	}
	for _, e := range sel {
		if e.Keys.NoRef && !o.Track {
			return bsterr.Stream(bsterr.Reason("inconsistent-pipeline"),
				"Cannot fetch %s: a source has no reference; track it first with `bst source track %s`", e.FullName, e.FullName)
		}
	}
	// A workspace's files are its element's sources: nothing to fetch.
	fetch := sel[:0:0]
	for _, e := range sel {
		if e.Workspace == nil {
			fetch = append(fetch, e)
		}
	}
	return runEach(ctx, fetch, o.Fetchers, s.fetchElement)
}

func (s *Session) fetchElement(ctx context.Context, e *element.Element) error {
	srcs, err := s.sources(e)
	if err != nil {
		return err
	}
	// A fetch log is only written for an element with something to fetch,
	// as BuildStream only runs a fetch job for those.
	var pending []int
	check := s.sourceEnv(e, io.Discard)
	for i, src := range srcs {
		if !src.Cached(check) {
			pending = append(pending, i)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	log, path, err := s.elementLog(e, "fetch")
	if err != nil {
		return err
	}
	defer log.Close()
	env := s.sourceEnv(e, log)
	start := time.Now()
	s.message("START", "fetch", e, 0, path)
	for _, i := range pending {
		src := srcs[i]
		prev := ""
		if needsPrevious(e.Sources[i].Kind) && i > 0 {
			dir, err := s.stagePrevious(ctx, e, srcs[:i], env)
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			prev = dir
		}
		if err := src.Fetch(ctx, env, prev); err != nil {
			s.message("FAILURE", "fetch", e, time.Since(start), err.Error())
			return err
		}
	}
	s.message("SUCCESS", "fetch", e, time.Since(start), path)
	return nil
}

// needsPrevious reports kinds that read the element's earlier sources to
// track or fetch (BST_REQUIRES_PREVIOUS_SOURCES_*).
func needsPrevious(kind string) bool {
	switch kind {
	case "cargo", "cargo2", "pip", "git_module", "go_module":
		return true
	}
	return false
}

// stagePrevious stages srcs into a temporary directory.
func (s *Session) stagePrevious(ctx context.Context, e *element.Element, srcs []plugin.Source, env *plugin.SourceEnv) (string, error) {
	dir, err := s.mkTemp("previous-")
	if err != nil {
		return "", err
	}
	if err := stageSources(ctx, e, srcs, env, dir); err != nil {
		return "", err
	}
	return dir, nil
}

func (s *Session) message(kind, action string, e *element.Element, elapsed time.Duration, text string) {
	if s.Messages != nil {
		s.Messages.Message(kind, action, e, elapsed, text)
	}
}

// Activities, when the Messages implement it, receives the session's own
// messages (no element), BuildStream's "[--:--:--][][] START   Build".
type Activities interface {
	Activity(kind string, elapsed time.Duration, text string)
}

// activity reports a session activity, if the Messages take them.
func (s *Session) activity(kind string, elapsed time.Duration, text string) {
	if a, ok := s.Messages.(Activities); ok {
		a.Activity(kind, elapsed, text)
	}
}

// timed runs fn as a session activity: START, then SUCCESS or FAILURE
// with the time it took.
func (s *Session) timed(text string, fn func() error) error {
	start := time.Now()
	s.activity("START", 0, text)
	err := fn()
	kind := "SUCCESS"
	if err != nil {
		kind = "FAILURE"
	}
	s.activity(kind, time.Since(start), text)
	return err
}
