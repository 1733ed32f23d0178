package stream

import (
	"runtime"
	"sync"
	"sync/atomic"

	"example.org/bst/internal/element"
	"example.org/bst/internal/loader"
)

// aheadResolver resolves (element.Factory.New) the toplevel project's
// elements as soon as their files are parsed, while the loader links them
// and opens junctions on one core: LoadElements then finds most of them
// done. What it resolves is only used for elements that end up in the
// pipeline, and an error only for those, so the outcome is the same as
// resolving after loading.
type aheadResolver struct {
	wg   sync.WaitGroup
	stop atomic.Bool
	mu   sync.Mutex
	done map[*loader.LoadElement]aheadResult
}

type aheadResult struct {
	e   *element.Element
	err error
}

// resolveAhead is the loader's Prefetched hook: it starts resolving les on
// all cores but one (the loader's walk keeps that one busy).
func (s *Session) resolveAhead(les []*loader.LoadElement) {
	a := &s.ahead
	a.mu.Lock()
	if a.done == nil {
		a.done = make(map[*loader.LoadElement]aheadResult, len(les))
	}
	a.mu.Unlock()
	var next atomic.Int64
	workers := max(1, runtime.GOMAXPROCS(0)-1)
	for w := 0; w < workers; w++ {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			for !a.stop.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(les) {
					return
				}
				le := les[i]
				if le.Kind == "junction" || le.Kind == "link" {
					continue // the loader resolves these itself
				}
				e, err := s.Factory.New(le)
				a.mu.Lock()
				a.done[le] = aheadResult{e, err}
				a.mu.Unlock()
			}
		}()
	}
}

// take stops resolving ahead and returns what was resolved.
func (a *aheadResolver) take() map[*loader.LoadElement]aheadResult {
	a.stop.Store(true)
	a.wg.Wait()
	a.mu.Lock()
	defer a.mu.Unlock()
	done := a.done
	a.done = nil
	a.stop.Store(false)
	return done
}
