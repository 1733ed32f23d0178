package stream

import (
	"context"
	"os"
	"sync"
	"time"

	"example.org/bst/internal/element"
	"example.org/bst/internal/pipeline"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/yamlnode"
)

// TrackOptions are the arguments of `bst source track` (and 1.x `bst track`).
type TrackOptions struct {
	Targets  []string
	Deps     pipeline.Scope
	Except   []string
	Fetchers int
}

// Track resolves new refs for the selected elements' sources and writes
// them back: into the element file in place (the rest of the file kept
// byte for byte), or into project.refs.
func (s *Session) Track(ctx context.Context, o TrackOptions) error {
	sel, err := s.selectElements(ctx, o.Targets, o.Except, o.Deps)
	if err != nil {
		return err
	}
	return s.trackElements(ctx, sel, o.Fetchers)
}

func (s *Session) trackElements(ctx context.Context, sel []*element.Element, n int) error {
	w := &refWriter{locks: map[string]*sync.Mutex{}}
	return runEach(ctx, sel, n, func(ctx context.Context, e *element.Element) error {
		return s.trackElement(ctx, e, w)
	})
}

func (s *Session) trackElement(ctx context.Context, e *element.Element, w *refWriter) error {
	srcs, err := s.sources(e)
	if err != nil {
		return err
	}
	if len(srcs) == 0 {
		return nil
	}
	log, path, err := s.elementLog(e, "track")
	if err != nil {
		return err
	}
	defer log.Close()
	env := s.sourceEnvFor(e, log, s.Config.TrackSource)
	start := time.Now()
	s.message("START", "track", e, 0, path)
	changed := false
	for i, src := range srcs {
		prev := ""
		if needsPrevious(e.Sources[i].Kind) && i > 0 {
			dir, err := s.stagePrevious(ctx, e, srcs[:i], env)
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			prev = dir
		}
		ref, err := src.Track(ctx, env, prev)
		if err != nil {
			s.message("FAILURE", "track", e, time.Since(start), err.Error())
			return err
		}
		if ref == nil {
			continue
		}
		old := src.Ref()
		if old != nil && sameNode(old, ref) {
			continue
		}
		src.SetRef(ref)
		values := refValues(src, ref)
		for _, kv := range values {
			if kv.node == nil {
				e.Sources[i].Config.Delete(kv.key)
			} else {
				e.Sources[i].Config.Set(kv.key, kv.node)
			}
		}
		if err := w.write(e, i, values); err != nil {
			return err
		}
		changed = true
	}
	msg := "No updated sources"
	if changed {
		msg = "Updated refs"
	}
	s.message("SUCCESS", "track", e, time.Since(start), msg)
	return nil
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

func sameNode(a, b yamlnode.Node) bool {
	return yamlnode.Dump(yamlnode.Plain(a, true)) == yamlnode.Dump(yamlnode.Plain(b, true))
}
