package loader

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
)

// JunctionOpener makes a junction's subproject available on disk; the
// stream supplies it so that the loader never imports elements or sources.
type JunctionOpener interface {
	// OpenJunction returns the directory holding the subproject's
	// project.conf and the junction's option values for it.
	OpenJunction(ctx context.Context, parent *project.Project, junction *LoadElement) (*project.JunctionInfo, string, error)
}

// Session is what every loader of one command shares.
type Session struct {
	Includes    *project.Includes
	ProjectOpts project.LoadOptions // template for subprojects (CLI options dropped)
	Opener      JunctionOpener
	Workers     int

	mu    sync.Mutex
	count int // dense element index allocator

	files sync.Map // parsed subproject files by device and inode
}

// Loader loads the elements of one project.
type Loader struct {
	Project      *project.Project
	parent       *Loader
	session      *Session
	junctionPath string // "" for the toplevel project, else "a.bst" or "a.bst:b.bst"

	mu       sync.Mutex
	parsed   map[string]*parseResult
	elements map[string]*LoadElement
	loaders  map[string]*Loader // by junction element name; nil entry = conflict marker

	overriding map[string]bool // junction overrides being resolved (cycle check)
}

type parseResult struct {
	done chan struct{}
	elem *LoadElement
	err  error
}

// New returns the loader of the toplevel project.
func New(p *project.Project, s *Session) *Loader {
	if s.Workers <= 0 {
		s.Workers = runtime.GOMAXPROCS(0)
	}
	l := newLoader(p, s, nil, "")
	if s.Includes != nil && s.Includes.Resolv == nil {
		s.Includes.Resolv = l
	}
	return l
}

func newLoader(p *project.Project, s *Session, parent *Loader, jpath string) *Loader {
	return &Loader{Project: p, session: s, parent: parent, junctionPath: jpath,
		parsed: map[string]*parseResult{}, elements: map[string]*LoadElement{}, loaders: map[string]*Loader{}}
}

// Load loads targets (names relative to the element path, possibly
// "junction.bst:element.bst") and everything they depend on, checks for
// cycles and sorts dependencies. It returns the target elements in order.
func (l *Loader) Load(ctx context.Context, targets []string) ([]*LoadElement, error) {
	for _, t := range targets {
		if filepath.IsAbs(t) {
			return nil, bsterr.Load(bsterr.InvalidData, nil,
				"Target '%s' was not specified as a relative path to the base project directory: %s", t, l.Project.ElementPath)
		}
	}
	var local []string
	for _, t := range targets {
		if !strings.Contains(t, ":") {
			local = append(local, t)
		}
	}
	l.prefetch(ctx, local)
	out := make([]*LoadElement, 0, len(targets))
	for _, t := range targets {
		ld, name, err := l.resolveName(ctx, t)
		if err != nil {
			return nil, err
		}
		e, err := ld.loadFile(ctx, name, nil)
		if err != nil {
			return nil, err
		}
		e, err = resolveLink(ctx, e, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := checkCircular(out); err != nil {
		return nil, err
	}
	sortTargets(out, l.session.count)
	return out, nil
}

// resolveName splits "a.bst:b.bst:c.bst" into the loader of the last
// junction and the element name.
func (l *Loader) resolveName(ctx context.Context, name string) (*Loader, string, error) {
	i := strings.LastIndexByte(name, ':')
	if i < 0 {
		return l, name, nil
	}
	ld, err := l.loaderForPath(ctx, name[:i], nil)
	if err != nil {
		return nil, "", err
	}
	return ld, name[i+1:], nil
}

// loaderForPath follows a junction path "a.bst" or "a.bst:b.bst".
func (l *Loader) loaderForPath(ctx context.Context, jpath string, prov *bsterr.Provenance) (*Loader, error) {
	cur := l
	for _, j := range strings.Split(jpath, ":") {
		if _, err := cur.loadFile(ctx, j, prov); err != nil {
			return nil, err
		}
		next, err := cur.getLoader(ctx, j, 0)
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

// JunctionProject implements project.JunctionResolver for includes.
func (l *Loader) JunctionProject(from *project.Project, junction string) (*project.Project, error) {
	ld := l.findLoader(from)
	if ld == nil {
		ld = l
	}
	sub, err := ld.loaderForPath(context.Background(), junction, nil)
	if err != nil {
		return nil, err
	}
	return sub.Project, nil
}

func (l *Loader) findLoader(p *project.Project) *Loader {
	if l.Project == p {
		return l
	}
	l.mu.Lock()
	subs := make([]*Loader, 0, len(l.loaders))
	for _, s := range l.loaders {
		if s != nil {
			subs = append(subs, s)
		}
	}
	l.mu.Unlock()
	for _, s := range subs {
		if f := s.findLoader(p); f != nil {
			return f
		}
	}
	return nil
}
