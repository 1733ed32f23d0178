package git

import (
	"context"
	"errors"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
)

// want is what the source's ref needs in its mirror.
func (s *Source) want() want {
	ri := parseRef(s.ref)
	w := want{obj: ri.obj, rev: s.ref}
	switch s.flavor {
	case flavorGitRepo:
		m := gitRepoRefRE.FindStringSubmatch(s.ref)
		if m == nil {
			return w
		}
		w.obj, w.rev = m[3], m[3]
		w.depth = 1
		if m[1] != "" {
			w.tags, w.needTags = []string{m[1]}, true
			if d := parseRef(m[1] + "-" + m[2] + "-g" + m[3]).dist; d >= 0 {
				w.depth = d + 1
			}
		}
		return w
	case flavorGit:
		if s.gen == 2 {
			w.rev = stripDescribe(s.ref)
			if isObjectID(w.rev) {
				w.obj = w.rev
			}
			for _, t := range s.tags {
				w.tags = append(w.tags, t.Name)
				if isObjectID(t.Commit) && t.Commit != w.obj {
					w.extra = append(w.extra, t.Commit)
				}
			}
			switch {
			case len(s.tags) == 0:
				w.depth = 1
			case len(s.tags) == 1 && s.tags[0].Name == ri.tag && ri.dist >= 0:
				w.depth = ri.dist + 1
			}
			return w
		}
	}
	// BuildStream 1 kinds stage what `git describe` needs: the ref's own
	// tag, or else the tags in the commit's history.
	if ri.tag != "" {
		w.tags = []string{ri.tag}
		if ri.dist >= 0 {
			w.depth = ri.dist + 1
		}
	} else {
		w.describeTags = true
	}
	w.full = s.fullClone
	return w
}

// Fetch implements plugin.Source: the ref's commit (and the tags its
// staging needs) into the mirror, then every submodule to check out into
// its own mirror.
func (s *Source) Fetch(ctx context.Context, env *plugin.SourceEnv, previous string) error {
	if s.ref == "" {
		return s.errorf(RefNotFound, "cannot fetch without a ref; track the source first")
	}
	if s.useLFS {
		return s.errorf(Unsupported, "use-lfs is not supported")
	}
	g, err := newRunner(env)
	if err != nil {
		return err
	}
	m := s.mirror(env, s.url)
	if err := s.fetchMirror(ctx, env, g, m, s.want()); err != nil {
		return err
	}
	commit, err := m.peel(ctx, g, s.refObject())
	if err != nil {
		return err
	}
	var subs []submodule
	if s.hasSubmodules() || len(s.submodules) > 0 {
		if subs, err = s.submoduleTree(ctx, env, g, m, commit, "", &fetcher{}); err != nil {
			return err
		}
	}
	return s.validate(ctx, env, g, m, commit, subs)
}

// fetcher marks submodule discovery that fetches as it goes.
type fetcher struct{}

// fetchMirror fetches w into m unless m has it, trying the URLs the
// environment gives for m.url in order, env.Retries more times over.
func (s *Source) fetchMirror(ctx context.Context, env *plugin.SourceEnv, g runner, m *mirror, w want) error {
	if ok, err := m.satisfies(ctx, g, w); err != nil || ok {
		return err
	}
	unlock, err := m.lock(ctx, false)
	if err != nil {
		return err
	}
	defer unlock()
	return s.eachURL(ctx, env, m, "fetch", func(u string) error {
		// Twice: a new mirror may lose the race to another one, which
		// then lacks what w needs.
		for range 2 {
			if ok, err := m.satisfies(ctx, g, w); err != nil || ok {
				return err
			}
			err := m.update(ctx, g, func(dir string, fresh bool) error {
				return fetchWant(ctx, g, dir, u, fresh, w, func(f string, a ...any) { logf(env, f, a...) })
			})
			if err != nil {
				return err
			}
		}
		ok, err := m.satisfies(ctx, g, w)
		if err == nil && !ok {
			err = bsterr.Source(RefNotFound, nil, "expected ref '%s' was not found in git repository: '%s'", w.rev, m.url)
		}
		return err
	})
}

// eachURL runs fn with each URL of m.url until one succeeds, env.Retries
// more rounds when all fail.
func (s *Source) eachURL(ctx context.Context, env *plugin.SourceEnv, m *mirror, what string, fn func(url string) error) error {
	urls := []string{m.url}
	if env.URLs != nil {
		if u := env.URLs(m.url); len(u) > 0 {
			urls = u
		}
	}
	var last error
	for attempt := 0; attempt <= env.Retries; attempt++ {
		for _, u := range urls {
			logf(env, "%s: %s from %s", s, what, u)
			err := fn(u)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			logf(env, "%s: %s from %s failed: %v", s, what, u, err)
			last = err
		}
	}
	if bsterr.ReasonOf(last) == RefNotFound {
		return last
	}
	e := s.errorf(FetchFailed, "Failed to %s from remote git repository: %s", what, m.url).Wrap(last)
	e.Temporary = true
	var be *bsterr.Error
	if errors.As(last, &be) {
		e.Detail = be.Msg
		if be.Detail != "" {
			e.Detail += "\n" + be.Detail
		}
	}
	return e
}
