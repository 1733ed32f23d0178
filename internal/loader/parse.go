package loader

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
	"example.org/bst/internal/yamlnode"

	"golang.org/x/sys/unix"
)

// entry returns the parse slot for name and whether the caller created it
// (and so must fill it).
func (l *Loader) entry(name string) (*parseResult, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r := l.parsed[name]; r != nil {
		return r, false
	}
	r := &parseResult{done: make(chan struct{})}
	l.parsed[name] = r
	return r, true
}

// result parses name unless someone already did (or is doing it).
func (l *Loader) result(name string) *parseResult {
	r, mine := l.entry(name)
	if mine {
		r.elem, r.err = l.parseFile(name)
		close(r.done)
	}
	<-r.done
	return r
}

// prefetch parses names and their local dependency closure in parallel.
// Errors are kept in the results and reported by loadFile in BuildStream's
// depth-first order, so the outcome does not depend on scheduling. Each
// parse starts the parses of the dependencies it finds (at most Workers at
// once), so no dispatcher stands between the workers.
func (l *Loader) prefetch(ctx context.Context, names []string) {
	sem := make(chan struct{}, l.session.Workers)
	var wg sync.WaitGroup
	var start func(name string)
	start = func(name string) {
		r, mine := l.entry(name)
		if !mine {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			if err := ctx.Err(); err != nil {
				r.err = err
			} else {
				r.elem, r.err = l.parseFile(name)
			}
			<-sem
			close(r.done)
			if r.elem != nil {
				for _, d := range r.elem.Deps {
					if d.Junction == "" {
						start(d.Name)
					}
				}
			}
		}()
	}
	for _, n := range names {
		start(n)
	}
	wg.Wait()
}

// parseFile reads one element file and processes its directives.
func (l *Loader) parseFile(name string) (*LoadElement, error) {
	p := l.Project
	full := filepath.Join(p.ElementPath, name)
	display := name
	if l.junctionPath != "" {
		display = l.junctionPath + ":" + name
	}
	var node *yamlnode.Mapping
	var err error
	if l.junctionPath != "" {
		node, err = l.session.parseShared(full, display)
	} else {
		node, err = yamlnode.LoadFile(full, display)
	}
	if err != nil {
		return nil, &fileReadError{err}
	}
	kind, ok, err := node.String("kind")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, bsterr.Load(bsterr.InvalidData, &node.P, "Dictionary did not contain expected key 'kind'")
	}
	if kind == "junction" || (kind == "link" && p.Gen == project.Gen2) {
		if err := p.First.Options.Process(node); err != nil {
			return nil, err
		}
	} else if err := l.session.Includes.Process(node, p, false, true); err != nil {
		return nil, err
	}
	valid := gen1ElementKeys
	if err := node.ValidateKeys(valid...); err != nil {
		return nil, err
	}
	deps, err := parseDeps(node, p.Gen)
	if err != nil {
		return nil, err
	}
	if kind == "junction" && len(deps) > 0 {
		if p.Gen == project.Gen2 {
			return nil, bsterr.Load(bsterr.InvalidJunction, &deps[0].Prov, "%s: Junctions do not support dependencies", display)
		}
		return nil, bsterr.Element("element-forbidden-depends", &deps[0].Prov, "%s: Junction elements cannot have dependencies", display)
	}
	fullName := name
	if l.junctionPath != "" {
		fullName = l.junctionPath + ":" + name
	}
	l.session.mu.Lock()
	idx := l.session.count
	l.session.count++
	l.session.mu.Unlock()
	return &LoadElement{Name: name, FullName: fullName, Kind: kind, Node: node, Deps: deps, Loader: l,
		Prov: bsterr.Provenance{File: name}, index: idx}, nil
}

// loadFile returns the element name, loading its dependencies depth-first
// as BuildStream's Loader._load_file does, reporting the first error in that
// order. prov is where the reference came from (nil for targets).
func (l *Loader) loadFile(ctx context.Context, s *search, name string, prov *bsterr.Provenance) (*LoadElement, error) {
	l.mu.Lock()
	if e := l.elements[name]; e != nil {
		l.mu.Unlock()
		return e, nil
	}
	l.mu.Unlock()
	if err := l.checkName(name, prov); err != nil {
		return nil, err
	}
	r := l.result(name)
	if r.err != nil {
		return nil, l.fileError(name, prov, r.err)
	}
	e := r.elem
	l.noteLink(e)
	if ovs := l.searchOverrides(name); len(ovs) > 0 && l.Project.Gen == project.Gen2 {
		// An ancestor project replaces this element.
		return l.overrideElement(ctx, s, name, ovs[len(ovs)-1])
	}
	l.mu.Lock()
	if prev := l.elements[name]; prev != nil {
		l.mu.Unlock()
		return prev, nil
	}
	l.elements[name] = e
	l.mu.Unlock()
	for _, d := range e.Deps {
		ld := l
		if d.Junction != "" {
			sub, err := l.getLoaderPath(ctx, s, d.Junction, &d.Prov, true)
			if err != nil {
				return nil, err
			}
			ld = sub
			ld.mu.Lock()
			_, seen := ld.parsed[d.Name]
			ld.mu.Unlock()
			if !seen {
				// Let the subproject parse this dependency's closure in parallel.
				ld.prefetch(ctx, []string{d.Name})
			}
		}
		de, err := ld.loadFile(ctx, s, d.Name, &d.Prov)
		if err != nil {
			return nil, err
		}
		if de.Kind == "junction" {
			return nil, bsterr.Load(bsterr.InvalidData, &d.Prov, "Cannot depend on junction")
		}
		de, err = resolveLink(ctx, s, de, &d.Prov)
		if err != nil {
			return nil, err
		}
		d.Element = de
	}
	return e, nil
}

// overrideElement loads the element that ov names in place of name.
func (l *Loader) overrideElement(ctx context.Context, s *search, name string, ov override) (*LoadElement, error) {
	key := searchKey{l, "\x00" + name}
	if s.busy[key] != nil {
		return nil, bsterr.Load(bsterr.CircularReference, ov.prov,
			"Circular reference while overriding '%s' of junction '%s' with '%s'", name, l.junctionPath, ov.target)
	}
	s.busy[key] = ov.prov
	defer delete(s.busy, key)
	ld, tname, err := ov.by.resolveName(ctx, s, ov.target, ov.prov, true)
	if err != nil {
		return nil, err
	}
	return ld.loadFile(ctx, s, tname, ov.prov)
}

// checkName applies the 2.x element name rules.
func (l *Loader) checkName(name string, prov *bsterr.Provenance) error {
	if l.Project.Gen != project.Gen2 {
		return nil
	}
	if !strings.HasSuffix(name, ".bst") {
		return bsterr.Load(bsterr.BadElementSuffix, prov, "Element '%s' does not have the '.bst' suffix", name)
	}
	for _, c := range name {
		if c < 0x20 || c > 0x7e || strings.ContainsRune(`<>:"\|?*`, c) {
			return bsterr.Load(bsterr.BadCharactersInName, prov, "Element '%s' has invalid characters in its name", name)
		}
	}
	return nil
}

// fileReadError is an error reading an element file itself, as opposed to
// the files it includes.
type fileReadError struct{ err error }

func (e *fileReadError) Error() string { return e.err.Error() }
func (e *fileReadError) Unwrap() error { return e.err }

func isFileError(err error) bool {
	var fe *fileReadError
	return errors.As(err, &fe)
}

// fileError reports an element file that cannot be read at prov; other
// errors are returned as they are.
func (l *Loader) fileError(name string, prov *bsterr.Provenance, err error) error {
	var fe *fileReadError
	if !errors.As(err, &fe) {
		return err
	}
	err = fe.err
	switch bsterr.ReasonOf(err) {
	case bsterr.MissingFile:
		var msg string
		if j := l.junctionPath; j != "" {
			msg = "Could not find element '" + name + "' in project referred to by junction element '" + j + "'"
		} else {
			msg = "Could not find element '" + name + "' in elements directory '" + l.Project.ElementPath + "'"
		}
		e := bsterr.Load(bsterr.MissingFile, prov, "%s", msg).Wrap(err)
		rel, rerr := filepath.Rel(l.Project.Dir, l.Project.ElementPath)
		if rerr == nil && rel != "." && strings.HasPrefix(name, rel+"/") {
			alt := strings.TrimPrefix(name, rel+"/")
			if _, serr := os.Stat(filepath.Join(l.Project.ElementPath, alt)); serr == nil {
				e.Detail = "Did you mean '" + alt + "'?"
			}
		}
		return e
	case bsterr.LoadingDirectory:
		e := bsterr.Load(bsterr.LoadingDirectory, prov, "%s is a directory. bst command expects a .bst file.", name).Wrap(err)
		if _, serr := os.Stat(filepath.Join(l.Project.ElementPath, name+".bst")); serr == nil {
			e.Detail = "Did you mean '" + name + ".bst'?"
		}
		return e
	}
	return err
}

// parseShared parses an element file of a subproject once per session
// (several junctions often stage the same files) and returns a private
// copy named display.
func (s *Session) parseShared(path, display string) (*yamlnode.Mapping, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return yamlnode.LoadFile(path, display)
	}
	key := [2]uint64{st.Dev, st.Ino}
	v, _ := s.files.LoadOrStore(key, &sharedFile{})
	f := v.(*sharedFile)
	f.once.Do(func() { f.node, f.err = yamlnode.LoadFile(path, display) })
	if f.err != nil {
		return yamlnode.LoadFile(path, display)
	}
	return yamlnode.CloneInFile(f.node, display), nil
}

type sharedFile struct {
	once sync.Once
	node *yamlnode.Mapping
	err  error
}
