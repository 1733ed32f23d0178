package stream

import (
	"context"
	"os"
	"sync"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/pipeline"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/project"
	"example.org/bst/internal/yamlnode"
)

// TrackOptions are the arguments of `bst source track` (and 1.x `bst track`).
type TrackOptions struct {
	Targets  []string
	Deps     pipeline.Scope
	Except   []string
	Fetchers int
	// CrossJunctions (-J) also tracks the dependencies of a target that
	// lie in other projects than the target's.
	CrossJunctions bool
}

// Track resolves new refs for the selected elements' sources and writes
// them back: into the element file in place (the rest of the file kept
// byte for byte), or into project.refs.
func (s *Session) Track(ctx context.Context, o TrackOptions) error {
	tels, exc, err := s.loadTargets(ctx, o.Targets, o.Except, true)
	if err != nil {
		return err
	}
	sel, err := s.trackSelection(tels, exc, o.Deps, o.CrossJunctions)
	if err != nil {
		return err
	}
	if err := element.CacheKeys(ctx, element.Dependencies(tels, element.ScopeAll), nil); err != nil {
		return err
	}
	return s.trackElements(ctx, sel, o.Fetchers)
}

// trackSelection selects the elements to track as BuildStream does (1.6
// Stream._load, 2.x Stream._load_tracking): the targets are grouped by
// their project, each group's dependencies are selected and, without
// cross, only those of the group's own project kept. Elements of another
// project than the top-level one can only be tracked when the top-level
// project uses `ref-storage: project.refs`, where their refs go.
func (s *Session) trackSelection(tels, exc []*element.Element, deps pipeline.Scope, cross bool) ([]*element.Element, error) {
	var projects []*project.Project
	groups := map[*project.Project][]*element.Element{}
	for _, t := range tels {
		if groups[t.Project] == nil {
			projects = append(projects, t.Project)
		}
		groups[t.Project] = append(groups[t.Project], t)
	}
	var sel []*element.Element
	seen := map[*element.Element]bool{}
	for _, p := range projects {
		for _, e := range pipeline.Dependencies(groups[p], deps) {
			if (cross || e.Project == p) && !seen[e] {
				seen[e] = true
				sel = append(sel, e)
			}
		}
	}
	sel = pipeline.Except(tels, sel, exc)
	top := s.Project
	if top.RefStorage == element.ProjectRefsStorage {
		return sel, nil
	}
	for _, e := range sel {
		if e.Project != top {
			return nil, untrackable(top)
		}
	}
	return sel, nil
}

// untrackable is BuildStream's refusal to track elements of junctioned
// projects into a project that keeps its refs inline: a PIPELINE error in
// 1.6, a STREAM error in 2.x.
func untrackable(top *project.Project) error {
	d := bsterr.DomainStream
	if top.Gen == project.Gen1 {
		d = bsterr.DomainPipeline
	}
	return &bsterr.Error{Domain: d, Reason: "untrackable-sources", Msg: "Untrackable sources",
		Detail: "Requested to track sources across junction boundaries\nin a project which does not use project.refs ref-storage."}
}

func (s *Session) trackElements(ctx context.Context, sel []*element.Element, n int) error {
	w := &refWriter{locks: map[string]*sync.Mutex{}}
	order := newTurns(sel)
	return runEach(ctx, sel, n, func(ctx context.Context, e *element.Element) error {
		defer order.done(ctx, e)
		writes, err := s.trackElement(ctx, e)
		if err != nil || len(writes) == 0 {
			return err
		}
		if err := order.wait(ctx, e); err != nil {
			return err
		}
		for _, wr := range writes {
			if err := w.write(e, wr.index, wr.values); err != nil {
				return err
			}
		}
		return nil
	})
}

// refWrite is the new ref of one source of an element.
type refWrite struct {
	index  int
	values []refValue
}

// trackElement tracks e's sources and returns the refs that changed, to be
// written once every source is tracked (BuildStream saves an element's
// refs when its track job succeeds). The element's configuration holds
// the new refs already, for later sources that stage the earlier ones.
func (s *Session) trackElement(ctx context.Context, e *element.Element) ([]refWrite, error) {
	srcs, err := s.sources(e)
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, nil
	}
	log, path, err := s.elementLog(e, "track")
	if err != nil {
		return nil, err
	}
	defer log.Close()
	env := s.sourceEnvFor(e, log, s.Config.TrackSource)
	start := time.Now()
	s.message("START", "track", e, 0, path)
	var writes []refWrite
	for i, src := range srcs {
		prev := ""
		if needsPrevious(e.Sources[i].Kind) && i > 0 {
			dir, err := s.stagePrevious(ctx, e, srcs[:i], env)
			if err != nil {
				return nil, err
			}
			defer os.RemoveAll(dir)
			prev = dir
		}
		ref, err := src.Track(ctx, env, prev)
		if err != nil {
			s.message("FAILURE", "track", e, time.Since(start), err.Error())
			return nil, err
		}
		if ref == nil {
			continue
		}
		old := src.Ref()
		if old != nil && sameNode(old, ref) {
			continue
		}
		src.SetRef(ref)
		if changed := applyRef(e.Sources[i].Config, refValues(src, ref)); len(changed) > 0 {
			writes = append(writes, refWrite{index: i, values: changed})
		}
	}
	msg := "No updated sources"
	if len(writes) > 0 {
		msg = "Updated refs"
	}
	s.message("SUCCESS", "track", e, time.Since(start), msg)
	return writes, nil
}

// turns orders the elements' ref writes as the selection, so that new
// entries land in project.refs in the same order on every run whatever
// order the parallel track jobs finish in. runEach starts the elements in
// that order, so an element waiting for the one before never waits for
// one that has not started.
type turns struct {
	index    map[*element.Element]int
	finished []chan struct{}
}

func newTurns(sel []*element.Element) *turns {
	t := &turns{index: make(map[*element.Element]int, len(sel)), finished: make([]chan struct{}, len(sel))}
	for i, e := range sel {
		t.index[e] = i
		t.finished[i] = make(chan struct{})
	}
	return t
}

// wait returns when every element before e is done.
func (t *turns) wait(ctx context.Context, e *element.Element) error {
	i := t.index[e]
	if i == 0 {
		return nil
	}
	select {
	case <-t.finished[i-1]:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// done marks e done (written, failed or unchanged) once every element
// before it is, so that the order holds across elements with nothing to
// write.
func (t *turns) done(ctx context.Context, e *element.Element) {
	_ = t.wait(ctx, e)
	close(t.finished[t.index[e]])
}

type refValue struct {
	key  string
	node yamlnode.Node // nil: remove the key
}

// refValues spreads a ref over the configuration keys it occupies.
func refValues(src plugin.Source, ref yamlnode.Node) []refValue {
	mk, ok := src.(plugin.MultiKeyRef)
	m, isMap := ref.(*yamlnode.Mapping)
	if !ok || !isMap || len(mk.RefKeys()) < 2 {
		return []refValue{{key: "ref", node: ref}}
	}
	var out []refValue
	for _, k := range mk.RefKeys() {
		out = append(out, refValue{key: k, node: m.Get(k)})
	}
	return out
}

// applyRef sets the ref's keys in the source's configuration and returns
// those that changed: BuildStream's _set_ref edits only the keys it adds,
// removes or modifies, so an unchanged key keeps its quoting in the file.
func applyRef(cfg *yamlnode.Mapping, values []refValue) []refValue {
	var changed []refValue
	for _, kv := range values {
		cur := cfg.Get(kv.key)
		switch {
		case kv.node == nil && cur == nil:
			continue
		case kv.node == nil:
			cfg.Delete(kv.key)
		case cur != nil && sameNode(cur, kv.node):
			continue
		default:
			cfg.Set(kv.key, kv.node)
		}
		changed = append(changed, kv)
	}
	return changed
}

func sameNode(a, b yamlnode.Node) bool {
	return yamlnode.Dump(yamlnode.Plain(a, true)) == yamlnode.Dump(yamlnode.Plain(b, true))
}
