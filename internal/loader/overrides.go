package loader

import (
	"context"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
)

// override is one 2.x junction override found in the ancestry of a loader:
// the loader of the project that wrote it, and the replacement it names.
type override struct {
	by     *Loader
	target string
	prov   *bsterr.Provenance
}

// searchOverrides returns the overrides of the element or junction name of
// this project written by the junctions of its ancestry, the closest first
// (BuildStream's Loader._search_for_overrides). The last one, the highest
// in the ancestry, wins.
func (l *Loader) searchOverrides(name string) []override {
	var out []override
	path := name
	for ld := l; ld.parent != nil; ld = ld.parent {
		if ld.Project.Gen == project.Gen2 {
			if target, at, ok := ld.localOverride(path); ok {
				out = append(out, override{by: ld.parent, target: target, prov: at})
			}
		}
		path = ld.jname + ":" + path
	}
	return out
}

// localOverride looks path up in the overrides of this project's junction,
// also through the links the override keys are written with.
func (l *Loader) localOverride(path string) (string, *bsterr.Provenance, bool) {
	j := l.Project.Junction
	if j == nil || len(j.Overrides) == 0 {
		return "", nil, false
	}
	if t, ok := j.Overrides[path]; ok {
		return t, j.OverridePos[path], true
	}
	for _, k := range j.OverrideKeys {
		if l.expandLink(k) == path {
			return j.Overrides[k], j.OverridePos[k], true
		}
	}
	return "", nil, false
}

// overrideLoader returns the loader replacing this project's junction
// name, if an ancestor overrides it (BuildStream's
// Loader._search_for_override_loader). The loaders whose junction was
// overridden are recorded as alternative parents of the result, for the
// conflict check.
func (l *Loader) overrideLoader(ctx context.Context, s *search, name string) (*Loader, error) {
	ovs := l.searchOverrides(name)
	if len(ovs) == 0 {
		return nil, nil
	}
	top := ovs[len(ovs)-1]
	sub, err := top.by.getLoaderPath(ctx, s, top.target, top.prov, true)
	if err != nil {
		return nil, err
	}
	sub.mu.Lock()
	if sub != l {
		sub.altParents = append(sub.altParents, l)
	}
	for _, o := range ovs[:len(ovs)-1] {
		sub.altParents = append(sub.altParents, o.by)
	}
	sub.mu.Unlock()
	return sub, nil
}

// shallowLoadOverrides loads the elements named by the keys of this
// project's junction overrides, following links, so that the link cache
// knows the links overrides are written with (BuildStream's
// Loader._shallow_load_overrides).
func (l *Loader) shallowLoadOverrides(ctx context.Context, s *search) error {
	j := l.Project.Junction
	if j == nil || l.Project.Gen != project.Gen2 {
		return nil
	}
	for _, k := range j.OverrideKeys {
		path, at := k, j.OverridePos[k]
		for path != "" {
			var err error
			if path, at, err = l.shallowLoadPath(ctx, s, path, at); err != nil {
				return err
			}
		}
	}
	return nil
}

// shallowLoadPath loads the junction or link at path if its project is
// loaded, and returns the target if it is a link.
func (l *Loader) shallowLoadPath(ctx context.Context, s *search, path string, prov *bsterr.Provenance) (string, *bsterr.Provenance, error) {
	ld, name := l, path
	junction := ""
	if i := strings.LastIndexByte(path, ':'); i >= 0 {
		junction, name = path[:i], path[i+1:]
		t, err := l.getLoaderPath(ctx, s, junction, prov, false)
		if err != nil || t == nil {
			return "", nil, err
		}
		ld = t
	}
	e, err := ld.shallowElement(name, prov)
	if err != nil || e == nil || e.Kind != "link" {
		return "", nil, err
	}
	target, at, err := e.target()
	if err != nil {
		return "", nil, nil
	}
	if junction != "" {
		target = junction + ":" + target
	}
	return target, at, nil
}

// shallowElement returns element name if it is loaded, or a junction or
// link parsed without its dependencies; other elements give nil.
func (l *Loader) shallowElement(name string, prov *bsterr.Provenance) (*LoadElement, error) {
	l.mu.Lock()
	e := l.elements[name]
	l.mu.Unlock()
	if e != nil {
		return e, nil
	}
	if err := l.checkName(name, prov); err != nil {
		return nil, err
	}
	r := l.result(name)
	if r.err != nil {
		if isFileError(r.err) {
			return nil, l.fileError(name, prov, r.err)
		}
		return nil, nil
	}
	if r.elem.Kind != "junction" && r.elem.Kind != "link" {
		return nil, nil
	}
	l.noteLink(r.elem)
	return r.elem, nil
}

// link is one entry of a loader's link cache: a link element's path,
// relative to the loader's project (through junctions), and its target.
type link struct {
	path, target string
}

// noteLink records the 2.x link element e in the link caches of its
// project and of every ancestor, once (BuildStream's
// Loader._load_file_no_deps).
func (l *Loader) noteLink(e *LoadElement) {
	if e.Kind != "link" || l.Project.Gen != project.Gen2 {
		return
	}
	target, _, err := e.target()
	if err != nil {
		return
	}
	l.mu.Lock()
	seen := l.noted[e.Name]
	l.noted[e.Name] = true
	l.mu.Unlock()
	if seen {
		return
	}
	lp, tp := e.Name, target
	l.resolveLinkCache(lp, tp)
	for ld := l; ld.parent != nil; ld = ld.parent {
		lp, tp = ld.jname+":"+lp, ld.jname+":"+tp
		ld.parent.resolveLinkCache(lp, tp)
	}
}

// resolveLinkCache records that path links to target, and points the
// links that led to path at target instead (BuildStream's
// Loader._resolve_link).
func (l *Loader) resolveLinkCache(path, target string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	found := false
	for i := range l.links {
		if l.links[i].path == path {
			l.links[i].target, found = target, true
		}
	}
	if !found {
		l.links = append(l.links, link{path: path, target: target})
	}
	for i := range l.links {
		if l.expandLinkLocked(l.links[i].target) == path {
			l.links[i].target = target
		}
	}
}

// expandLink substitutes the first known link that prefixes path
// (BuildStream's Loader._expand_link).
func (l *Loader) expandLink(path string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.expandLinkLocked(path)
}

func (l *Loader) expandLinkLocked(path string) string {
	for _, k := range l.links {
		if strings.HasPrefix(path, k.path) {
			return k.target + path[len(k.path):]
		}
	}
	return path
}
