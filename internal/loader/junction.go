package loader

import (
	"context"
	"errors"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
)

// search is the state of one chain of junction lookups: the junction paths
// being searched, by loader, with where each search was asked for. A path
// asked for again within the same chain is a circular reference
// (BuildStream's Loader._loader_search_provenances). BuildStream keeps the
// table per loader and is single-threaded; bst keeps it per call chain, so
// that lookups running in parallel for different files do not see each
// other.
type search struct {
	busy map[searchKey]*bsterr.Provenance
}

type searchKey struct {
	l    *Loader
	name string
}

func newSearch() *search { return &search{busy: map[searchKey]*bsterr.Provenance{}} }

// opening marks a junction whose loader one search is creating; other
// searches wait for it instead of loading the subproject twice.
type opening struct {
	owner *search
	done  chan struct{}
}

// getLoaderPath follows a junction path "a.bst" or "a.bst:b.bst"
// (BuildStream's Loader.get_loader). Without load it only looks loaders up:
// a subproject not loaded yet gives nil.
func (l *Loader) getLoaderPath(ctx context.Context, s *search, name string, prov *bsterr.Provenance, load bool) (*Loader, error) {
	if l.Project.Gen == project.Gen1 {
		return l.getLoaderPath1(ctx, s, name, prov)
	}
	key := searchKey{l, name}
	if load {
		if at := s.busy[key]; at != nil {
			e := bsterr.Load(bsterr.CircularReference, prov, "Circular reference while searching for '%s'", name)
			if at != prov {
				e.Detail = "Already searching for '" + name + "' at: " + at.String()
			}
			return nil, e
		}
		if prov != nil {
			s.busy[key] = prov
		}
	}
	cur := l
	for _, j := range strings.Split(name, ":") {
		next, err := cur.getLoader(ctx, s, j, prov, load)
		if err != nil {
			return nil, atDependency(err, prov)
		}
		if next == nil {
			return nil, nil
		}
		cur = next
	}
	if load && prov != nil {
		delete(s.busy, key)
	}
	return cur, nil
}

// getLoaderPath1 is getLoaderPath for BuildStream 1 projects.
func (l *Loader) getLoaderPath1(ctx context.Context, s *search, jpath string, prov *bsterr.Provenance) (*Loader, error) {
	cur := l
	for _, j := range strings.Split(jpath, ":") {
		if _, err := cur.loadFile(ctx, s, j, prov); err != nil {
			return nil, err
		}
		next, err := cur.getLoader1(ctx, s, j, 0)
		if err != nil {
			return nil, atDependency(err, prov)
		}
		cur = next
	}
	return cur, nil
}

// atDependency gives a junction error without a place of its own the
// provenance of the dependency that named the junction, as BuildStream
// reports a junction that is not one or has no project.conf.
func atDependency(err error, prov *bsterr.Provenance) error {
	var be *bsterr.Error
	if prov == nil || !errors.As(err, &be) || be.Prov != nil {
		return err
	}
	switch be.Reason {
	case bsterr.InvalidData, bsterr.InvalidJunction:
		c := *be
		c.Prov = prov
		return &c
	}
	return err
}

// getLoader returns the loader of the subproject behind the 2.x junction
// element name (BuildStream's Loader._get_loader): a junction overridden
// by an ancestor project gives the overriding project's loader, a link is
// followed, and a junction is opened on first use.
func (l *Loader) getLoader(ctx context.Context, s *search, name string, prov *bsterr.Provenance, load bool) (*Loader, error) {
	sub, release, err := l.claim(ctx, s, name)
	if sub != nil || err != nil {
		return sub, err
	}
	defer release()
	if sub, err := l.overrideLoader(ctx, s, name); sub != nil || err != nil {
		if sub != nil {
			l.setLoader(name, sub)
		}
		return sub, err
	}
	e, err := l.loadFile(ctx, s, name, prov)
	if err != nil {
		return nil, err
	}
	if e.Kind == "link" {
		target, at, err := e.target()
		if err != nil {
			return nil, err
		}
		ld, tname, err := l.resolveName(ctx, s, target, at, load)
		if err != nil || ld == nil {
			return nil, err
		}
		// Load the target here first, so that a missing one is reported
		// at the link's `target`.
		if _, err := ld.loadFile(ctx, s, tname, at); err != nil {
			return nil, err
		}
		return ld.getLoaderPath(ctx, s, tname, at, load)
	}
	if !load {
		return nil, nil
	}
	if e.Kind != "junction" {
		return nil, bsterr.Load(bsterr.InvalidData, nil, "%s: Expected junction but element kind is %s", name, e.Kind)
	}
	return l.openJunction(ctx, s, name, e, prov)
}

// claim returns the cached loader for name, or marks name as being
// resolved by s until release is called. A resolution by another search
// is waited for; one by s itself (a reentrant lookup) proceeds, as in
// BuildStream.
func (l *Loader) claim(ctx context.Context, s *search, name string) (*Loader, func(), error) {
	for {
		l.mu.Lock()
		if sub, ok := l.loaders[name]; ok && sub != nil {
			l.mu.Unlock()
			return sub, nil, nil
		}
		op := l.opening[name]
		if op == nil {
			op = &opening{owner: s, done: make(chan struct{})}
			l.opening[name] = op
			l.mu.Unlock()
			return nil, func() {
				l.mu.Lock()
				delete(l.opening, name)
				l.mu.Unlock()
				close(op.done)
			}, nil
		}
		l.mu.Unlock()
		if op.owner == s {
			return nil, func() {}, nil
		}
		select {
		case <-op.done:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

// getLoader1 returns the loader of the subproject behind junction element
// name of a BuildStream 1 project, creating it on first use. BuildStream 1
// coalesces junctions: a subproject's junction is replaced by the parent's
// junction of the same name when the parent has one.
func (l *Loader) getLoader1(ctx context.Context, s *search, name string, level int) (*Loader, error) {
	l.mu.Lock()
	sub, ok := l.loaders[name]
	l.mu.Unlock()
	if ok {
		if sub == nil {
			return nil, bsterr.Load(bsterr.ConflictingJunction, nil,
				"Conflicting junction %s in subprojects, define junction in %s", name, l.Project.Name)
		}
		return sub, nil
	}
	if l.parent != nil && l.parent.Project.Gen == project.Gen1 {
		sub, err := l.parent.getLoader1(ctx, s, name, level+1)
		if err != nil {
			return nil, err
		}
		if sub != nil {
			l.setLoader(name, sub)
			return sub, nil
		}
	}
	e, err := l.loadFile(ctx, s, name, nil)
	if err != nil {
		if bsterr.ReasonOf(err) != bsterr.MissingFile || level == 0 {
			return nil, err
		}
		l.setLoader(name, nil)
		return nil, nil
	}
	if e.Kind != "junction" {
		return nil, bsterr.Load(bsterr.InvalidData, nil, "%s: Expected junction but element kind is %s", name, e.Kind)
	}
	return l.openJunction(ctx, s, name, e, nil)
}

// openJunction stages the junction e's subproject and loads its project.
func (l *Loader) openJunction(ctx context.Context, s *search, name string, e *LoadElement, prov *bsterr.Provenance) (*Loader, error) {
	if l.session.Opener == nil {
		return nil, bsterr.Load(bsterr.InvalidJunction, &e.Prov, "Junctions cannot be opened here: %s", name)
	}
	info, dir, err := l.session.Opener.OpenJunction(ctx, l.Project, e)
	if err != nil {
		return nil, err
	}
	opts := l.session.ProjectOpts
	opts.CLIOptions = nil
	opts.Junction = info
	p, err := project.LoadFirstPass(dir, opts)
	if err != nil {
		if bsterr.ReasonOf(err) == bsterr.MissingProjectConf {
			return nil, bsterr.Load(bsterr.InvalidJunction, nil,
				"Could not find the project.conf file for %s. Expecting a project at path '%s'", name, dir).Wrap(err)
		}
		return nil, err
	}
	jpath := name
	if l.junctionPath != "" {
		jpath = l.junctionPath + ":" + name
	}
	// The subproject's loader exists before its second pass, whose
	// includes may refer to the subproject's own junctions.
	sub := newLoader(p, l.session, l, jpath)
	sub.jname, sub.prov = name, prov
	l.setLoader(name, sub)
	sub.mu.Lock()
	sub.passSearch = s
	sub.mu.Unlock()
	err = p.LoadSecondPass()
	sub.mu.Lock()
	sub.passSearch = nil
	sub.mu.Unlock()
	if err != nil {
		l.mu.Lock()
		delete(l.loaders, name)
		l.mu.Unlock()
		return nil, err
	}
	// Links named by the overrides of this project and of its ancestors
	// may only now be reachable: load them, so that overrides written
	// through links are recognised.
	for it := sub; it.parent != nil; it = it.parent {
		if err := it.shallowLoadOverrides(ctx, s); err != nil {
			return nil, err
		}
	}
	return sub, nil
}

func (l *Loader) setLoader(name string, sub *Loader) {
	l.mu.Lock()
	l.loaders[name] = sub
	l.mu.Unlock()
}

// resolveLink follows 2.x link elements to their targets.
func resolveLink(ctx context.Context, s *search, e *LoadElement, prov *bsterr.Provenance) (*LoadElement, error) {
	seen := map[*LoadElement]bool{}
	for e.Kind == "link" && e.Loader.Project.Gen == project.Gen2 {
		if seen[e] {
			return nil, bsterr.Load(bsterr.CircularReference, &e.Prov, "Circular reference detected through link element '%s'", e.FullName)
		}
		seen[e] = true
		if len(e.Deps) > 0 {
			return nil, bsterr.Load(bsterr.LinkForbiddenDependencies, &e.Prov, "Link element '%s' specifies dependencies", e.FullName)
		}
		if e.Node.Has("sources") {
			return nil, bsterr.Element("element-forbidden-sources", e.Node.Get("sources").Pos(), "%s: Link elements may not have sources", e.FullName)
		}
		target, at, err := e.target()
		if err != nil {
			return nil, err
		}
		ld, name, err := e.Loader.resolveName(ctx, s, target, at, true)
		if err != nil {
			return nil, err
		}
		next, err := ld.loadFile(ctx, s, name, at)
		if err != nil {
			return nil, err
		}
		e = next
	}
	return e, nil
}

// target returns the `config: target` of a link element and where it is
// written.
func (e *LoadElement) target() (string, *bsterr.Provenance, error) {
	cfg, err := e.Node.MappingAt("config")
	if err != nil {
		return "", nil, err
	}
	if cfg == nil {
		return "", nil, bsterr.Load(bsterr.InvalidData, &e.Node.P, "Dictionary did not contain expected key 'config'")
	}
	target, err := cfg.RequiredString("target")
	if err != nil {
		return "", nil, err
	}
	return target, cfg.Get("target").Pos(), nil
}
