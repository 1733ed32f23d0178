package stream

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/loader"
	"example.org/bst/internal/project"
	"example.org/bst/internal/yamlnode"
)

// LoadElements loads targets and resolves every element they reach. It
// returns the target elements in order.
func (s *Session) LoadElements(ctx context.Context, targets []string) ([]*element.Element, error) {
	t0 := time.Now()
	les, err := s.Loader.Load(ctx, targets)
	ahead := s.ahead.take()
	if err != nil {
		return nil, err
	}
	if s.Env != nil && s.Env("BST_TIMING") != "" {
		fmt.Fprintf(os.Stderr, "loader: %v\n", time.Since(t0))
		defer func(t time.Time) { fmt.Fprintf(os.Stderr, "resolve: %v\n", time.Since(t)) }(time.Now())
	}
	// Collect the closure in a deterministic order.
	var order []*loader.LoadElement
	seen := map[*loader.LoadElement]bool{}
	var walk func(le *loader.LoadElement)
	walk = func(le *loader.LoadElement) {
		if seen[le] {
			return
		}
		seen[le] = true
		for _, d := range le.Deps {
			walk(d.Element)
		}
		order = append(order, le)
	}
	for _, t := range les {
		walk(t)
	}
	elems := make([]*element.Element, len(order))
	errs := make([]error, len(order))
	index := make(map[*loader.LoadElement]int, len(order))
	for i, le := range order {
		index[le] = i
	}
	var wg sync.WaitGroup
	next := make(chan int)
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if r, ok := ahead[order[i]]; ok {
					elems[i], errs[i] = r.e, r.err
					continue
				}
				elems[i], errs[i] = s.Factory.New(order[i])
			}
		}()
	}
	for i := range order {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			if bsterr.ReasonOf(err) == bsterr.UnsupportedPlugin {
				if cerr := s.pluginConflicts(ctx, order[i]); cerr != nil {
					return nil, cerr
				}
			}
			return nil, err
		}
	}
	s.attachWorkspaces(elems)
	// BuildStream checks for conflicting junctions once every element is
	// resolved, since plugins can load subprojects too.
	if err := s.Loader.CheckConflicts(ctx); err != nil {
		return nil, err
	}
	for i, le := range order {
		e := elems[i]
		if e.Kind == "stack" && e.Project.Gen == project.Gen2 {
			for _, d := range le.Deps {
				if d.Type != loader.DepAll {
					return nil, bsterr.Element("stack-requires-build-and-run", &d.Prov,
						"%s: Stack elements must depend on their dependencies for both build and run: %s", e.FullName, d.Element.FullName)
				}
			}
		}
		for _, d := range le.Deps {
			de := elems[index[d.Element]]
			if d.Type != loader.DepRuntime {
				e.BuildDeps = append(e.BuildDeps, de)
			}
			if d.Type != loader.DepBuild {
				e.RuntimeDeps = append(e.RuntimeDeps, de)
			}
			if d.Strict {
				e.StrictDeps = append(e.StrictDeps, de)
			}
		}
	}
	out := make([]*element.Element, len(les))
	for i, t := range les {
		out[i] = elems[index[t]]
	}
	return out, nil
}

// DefaultTargets returns the targets used when none are given: 2.x
// `defaults.targets`, else every element in the element path.
func (s *Session) DefaultTargets() ([]string, error) {
	p := s.Project
	if p.Gen == project.Gen1 {
		return nil, nil
	}
	if len(p.TargetsDefault) > 0 {
		return p.TargetsDefault, nil
	}
	var out []string
	err := filepath.WalkDir(p.ElementPath, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".bst") {
			rel, _ := filepath.Rel(p.ElementPath, path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		return nil, bsterr.Stream(bsterr.Unknown, "listing elements: %v", err)
	}
	sort.Strings(out)
	return out, nil
}

// pluginConflicts loads the junctions that le's project names as the
// origins of le's element and source kinds, and reports the conflicting
// junctions that causes. BuildStream loads such a junction to find the
// plugin, before it checks for conflicts. bst implements the kinds it
// knows natively and never needs these junctions; it loads them only when
// it cannot run a kind, so that a conflict, which BuildStream would
// report, comes before bst's own limitation. A junction that cannot be
// loaded here leaves the original error.
func (s *Session) pluginConflicts(ctx context.Context, le *loader.LoadElement) error {
	p := le.Loader.Project
	wanted := map[[2]string]bool{{"element", le.Kind}: true}
	if srcs, err := le.Node.SequenceAt("sources"); err == nil && srcs != nil {
		for _, it := range srcs.Items {
			if m, ok := it.(*yamlnode.Mapping); ok {
				if k, ok, _ := m.String("kind"); ok {
					wanted[[2]string{"source", k}] = true
				}
			}
		}
	}
	opened := false
	for _, o := range p.Plugins {
		group := "source"
		if o.Element {
			group = "element"
		}
		if o.Origin != "junction" || o.Junction == "" || !wanted[[2]string{group, o.Kind}] {
			continue
		}
		if err := s.Loader.OpenPluginJunction(ctx, p, o.Junction, o.Prov); err != nil {
			return nil
		}
		opened = true
	}
	if !opened {
		return nil
	}
	return s.Loader.CheckConflicts(ctx)
}
