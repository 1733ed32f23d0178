package loader

import (
	"context"
	"path/filepath"
	"runtime"
	"sort"
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
	// Prefetched, if set, receives the elements the top-level project's
	// parallel parse produced, before Load links them. Their fields but
	// Deps (and the loader's private ones) do not change afterwards, so
	// the caller may start resolving them while Load goes on.
	Prefetched func(les []*LoadElement)

	mu      sync.Mutex
	count   int       // dense element index allocator
	loaders []*Loader // every project loader, in the order of creation

	files sync.Map // parsed subproject files by device and inode
}

// register records a new project loader, for the conflict check.
func (s *Session) register(l *Loader) {
	s.mu.Lock()
	s.loaders = append(s.loaders, l)
	s.mu.Unlock()
}

// allLoaders returns the loaders created so far, in order.
func (s *Session) allLoaders() []*Loader {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Loader(nil), s.loaders...)
}

// Loader loads the elements of one project.
type Loader struct {
	Project      *project.Project
	parent       *Loader
	session      *Session
	junctionPath string             // "" for the toplevel project, else "a.bst" or "a.bst:b.bst"
	jname        string             // name of the junction element in the parent project
	prov         *bsterr.Provenance // where the subproject was first asked for

	mu         sync.Mutex
	parsed     map[string]*parseResult
	elements   map[string]*LoadElement
	loaders    map[string]*Loader // by junction element name; nil entry = conflict marker
	opening    map[string]*opening
	links      []link // known 2.x links, in the order found (see link_cache.go)
	noted      map[string]bool
	altParents []*Loader // loaders whose junction to this project was overridden
	passSearch *search   // the search loading this project's second pass
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
	l := &Loader{Project: p, session: s, parent: parent, junctionPath: jpath,
		parsed: map[string]*parseResult{}, elements: map[string]*LoadElement{}, loaders: map[string]*Loader{},
		opening: map[string]*opening{}, noted: map[string]bool{}}
	s.register(l)
	return l
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
	if f := l.session.Prefetched; f != nil {
		f(l.parsedElements())
	}
	out := make([]*LoadElement, 0, len(targets))
	s := newSearch()
	for _, t := range targets {
		ld, name, err := l.resolveName(ctx, s, t, nil, true)
		if err != nil {
			return nil, err
		}
		e, err := ld.loadFile(ctx, s, name, nil)
		if err != nil {
			return nil, err
		}
		e, err = resolveLink(ctx, s, e, nil)
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

// parsedElements returns the elements parsed so far, in name order.
func (l *Loader) parsedElements() []*LoadElement {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*LoadElement, 0, len(l.parsed))
	for _, r := range l.parsed {
		select {
		case <-r.done:
			if r.elem != nil {
				out = append(out, r.elem)
			}
		default:
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// resolveName splits "a.bst:b.bst:c.bst" into the loader of the last
// junction and the element name (BuildStream's Loader._parse_name). Without
// load, a subproject not loaded yet gives a nil loader.
func (l *Loader) resolveName(ctx context.Context, s *search, name string, prov *bsterr.Provenance, load bool) (*Loader, string, error) {
	i := strings.LastIndexByte(name, ':')
	if i < 0 {
		return l, name, nil
	}
	ld, err := l.getLoaderPath(ctx, s, name[:i], prov, load)
	if err != nil {
		return nil, "", err
	}
	return ld, name[i+1:], nil
}

// JunctionProject implements project.JunctionResolver for includes.
func (l *Loader) JunctionProject(from *project.Project, junction string, prov *bsterr.Provenance) (*project.Project, error) {
	ld := l.findLoader(from)
	if ld == nil {
		ld = l
	}
	// The includes of a subproject's second pass continue the search that
	// opened the subproject; other includes start their own.
	ld.mu.Lock()
	s := ld.passSearch
	ld.mu.Unlock()
	if s == nil {
		s = newSearch()
	}
	sub, err := ld.getLoaderPath(context.Background(), s, junction, prov, true)
	if err != nil {
		return nil, err
	}
	return sub.Project, nil
}

func (l *Loader) findLoader(p *project.Project) *Loader {
	for _, ld := range l.session.allLoaders() {
		if ld.Project == p {
			return ld
		}
	}
	return nil
}
