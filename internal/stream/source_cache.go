package stream

import (
	"context"
	"os"
	"strings"
	"sync"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/cas"
	"example.org/bst/internal/element"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/userconfig"
)

// sourceCache keeps staged sources as CAS trees (ref "sources/<key>"), so
// that a source staged once is checked out again without re-extracting,
// and applies the cache quota.
type sourceCache struct {
	store *cas.Local
	mu    sync.Mutex
	used  map[string]bool // refs this command needs: never expired
}

// casStore opens the local CAS under the cache directory, with the user's
// quota settings.
func (s *Session) casStore() (*sourceCache, error) {
	s.casOnce.Do(func() {
		root := s.Config.CacheDir
		if err := os.MkdirAll(root, 0o755); err != nil {
			s.casErr = bsterr.Stream(bsterr.Unknown, "cannot create cache directory %s: %v", root, err)
			return
		}
		total, _, _ := cas.DiskSpace(root)
		quota, err := userconfig.Size(s.Config.Quota, total)
		if err != nil {
			s.casErr = err
			return
		}
		reserved, err := userconfig.Size(s.Config.ReservedDiskSpace, total)
		if err != nil {
			s.casErr = err
			return
		}
		low := 0.8
		if p, ok := strings.CutSuffix(strings.TrimSpace(s.Config.LowWatermark), "%"); ok {
			if v, err := userconfig.Size(p+"%", 10000); err == nil {
				low = float64(v) / 10000
			}
		}
		store, err := cas.NewLocal(root, cas.LocalOptions{Quota: quota, LowWatermark: low, ReservedDiskSpace: reserved})
		if err != nil {
			s.casErr = err
			return
		}
		s.cas = &sourceCache{store: store, used: map[string]bool{}}
	})
	return s.cas, s.casErr
}

// stageCached stages e's sources into dir through the source cache, or
// the files of its workspace when one is open.
func (s *Session) stageCached(ctx context.Context, e *element.Element, srcs []plugin.Source, env *plugin.SourceEnv, dir string) error {
	if e.Workspace != nil {
		return s.stageFromWorkspace(e, dir)
	}
	return s.stageSourcesCached(ctx, e, srcs, env, dir)
}

// stageSourcesCached stages e's own sources into dir through the source
// cache.
func (s *Session) stageSourcesCached(ctx context.Context, e *element.Element, srcs []plugin.Source, env *plugin.SourceEnv, dir string) error {
	sc, err := s.casStore()
	if err != nil {
		return err
	}
	key, ok, err := e.SourcesKey(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return stageSources(ctx, e, srcs, env, dir)
	}
	ref := "sources/" + key.String()
	sc.mu.Lock()
	sc.used[ref] = true
	sc.mu.Unlock()
	if root, err := sc.store.GetRef(ctx, ref); err == nil {
		return sc.store.Checkout(ctx, root, dir, cas.CheckoutOptions{})
	}
	tmp, err := s.mkTemp("stage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := stageSources(ctx, e, srcs, env, tmp); err != nil {
		return err
	}
	root, err := sc.store.ImportTree(ctx, tmp, cas.TreeOptions{})
	if err != nil {
		return err
	}
	if err := sc.store.SetRef(ctx, ref, root); err != nil {
		return err
	}
	if err := sc.store.Checkout(ctx, root, dir, cas.CheckoutOptions{}); err != nil {
		return err
	}
	return sc.expire(ctx)
}

// expire applies the quota, keeping every ref this command uses.
func (sc *sourceCache) expire(ctx context.Context) error {
	sc.mu.Lock()
	used := make(map[string]bool, len(sc.used))
	for k := range sc.used {
		used[k] = true
	}
	sc.mu.Unlock()
	_, err := sc.store.Expire(ctx, func(ref string) bool { return used[ref] })
	return err
}

// CacheUsage reports the local cache's usage and quota (0: none), for
// commands to show; ok is false when the cache was not opened.
func (s *Session) CacheUsage(ctx context.Context) (used, quota int64, ok bool) {
	if s.cas == nil {
		return 0, 0, false
	}
	used, _, err := s.cas.store.Usage(ctx)
	if err != nil {
		return 0, 0, false
	}
	total, _, _ := cas.DiskSpace(s.Config.CacheDir)
	quota, _ = userconfig.Size(s.Config.Quota, total)
	return used, quota, true
}

// HumanBytes renders a size as BuildStream does in its cache usage line.
func HumanBytes(n int64) string { return humanBytes(n) }
