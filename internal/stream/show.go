package stream

import (
	"context"
	"fmt"
	"os"
	"time"

	"example.org/bst/internal/cachekey"
	"example.org/bst/internal/element"
	"example.org/bst/internal/pipeline"
	"example.org/bst/internal/project"
)

// ShowOptions are the arguments of `bst show`.
type ShowOptions struct {
	Targets []string
	Deps    pipeline.Scope
	Except  []string
	Alpha   bool // --order alpha
	Keys    bool // compute cache keys
	States  bool // check the source cache for states
	// Hasher receives the key computations (for BST_DEBUG=cachekey).
	Hasher *cachekey.Hasher
}

// Show loads the targets and returns the selected elements in order.
func (s *Session) Show(ctx context.Context, o ShowOptions) ([]*element.Element, error) {
	if err := s.LoadProject(ctx); err != nil {
		return nil, err
	}
	if err := s.checkElementNames(o.Targets); err != nil {
		return nil, err
	}
	targets := o.Targets
	if len(targets) == 0 {
		t, err := s.DefaultTargets()
		if err != nil {
			return nil, err
		}
		targets = t
	}
	all := append(append([]string(nil), targets...), o.Except...)
	t0 := time.Now()
	loaded, err := s.LoadElements(ctx, all)
	if s.Env != nil && s.Env("BST_TIMING") != "" {
		fmt.Fprintf(os.Stderr, "load elements: %v\n", time.Since(t0))
		defer func(t time.Time) { fmt.Fprintf(os.Stderr, "keys+select: %v\n", time.Since(t)) }(time.Now())
	}
	if err != nil {
		return nil, err
	}
	tels, except := loaded[:len(targets)], loaded[len(targets):]
	sel := pipeline.Dependencies(tels, o.Deps)
	sel = pipeline.Except(tels, sel, except)
	if o.Keys {
		if err := element.CacheKeys(ctx, element.Dependencies(tels, element.ScopeAll), o.Hasher); err != nil {
			return nil, err
		}
	}
	// BuildStream 1.6 does not know the key of a workspaced element that
	// would be built: that needs the cache.
	pendingWorkspaces := o.Keys && s.Project.Gen == project.Gen1 && len(s.ws.list) > 0
	if o.States {
		s.checkSourcesCached(sel)
	}
	if o.States || pendingWorkspaces {
		if err := s.checkCached(ctx, element.Dependencies(tels, element.ScopeAll)); err != nil {
			return nil, err
		}
		discardPendingWorkspaceKeys(element.Dependencies(tels, element.ScopeAll))
	}
	if o.Alpha {
		pipeline.SortAlpha(sel)
	}
	return sel, nil
}
