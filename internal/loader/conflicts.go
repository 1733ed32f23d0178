package loader

import (
	"context"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
)

// CheckConflicts reports a 2.x project loaded through more than one
// junction (BuildStream's LoadContext.assert_loaders): every project may
// have one primary instance; the others must be marked as duplicates or as
// internal by a project above them (project.conf `junctions:`). It runs
// once the elements are resolved, as BuildStream does.
func (l *Loader) CheckConflicts(ctx context.Context) error {
	if l.Project.Gen != project.Gen2 {
		return nil
	}
	all := l.session.allLoaders()
	var names []string
	byName := map[string][]*Loader{}
	for _, ld := range all {
		n := ld.Project.Name
		if _, ok := byName[n]; !ok {
			names = append(names, n)
		}
		byName[n] = append(byName[n], ld)
	}
	s := newSearch()
	for _, n := range names {
		if err := checkProject(ctx, s, n, byName[n]); err != nil {
			return err
		}
	}
	return nil
}

// checkProject checks the loaders of the project named name.
func checkProject(ctx context.Context, s *search, name string, loaders []*Loader) error {
	dups := map[*Loader][]*Loader{}
	internal := map[*Loader][]*Loader{}
	primary := 0
	for _, ld := range loaders {
		for _, anc := range ld.ancestors() {
			isDup, err := anc.marks(ctx, s, anc.Project.Junctions.Duplicates[name], ld)
			if err != nil {
				return err
			}
			if isDup {
				dups[ld] = append(dups[ld], anc)
			}
			isInt, err := anc.marks(ctx, s, anc.Project.Junctions.Internal, ld)
			if err != nil {
				return err
			}
			if isInt {
				internal[ld] = append(internal[ld], anc)
			}
		}
		if dups[ld] == nil && internal[ld] == nil {
			primary++
		}
	}
	if primary > 1 || (primary > 0 && len(dups) > 0) {
		var lines []string
		for _, ld := range loaders {
			line := ld.String() + "\n"
			for _, d := range dups[ld] {
				line += "  Duplicated by: " + d.String() + "\n"
			}
			for _, i := range internal[ld] {
				line += "  Internal to: " + i.String() + "\n"
			}
			lines = append(lines, line)
		}
		return bsterr.Load(bsterr.ConflictingJunction, nil, "Project '%s' was loaded in multiple contexts", name).
			WithDetail("%s\nInternal projects do not cause any conflicts. Conflicts can also be avoided\n"+
				"by marking every instance of the project as a duplicate.", strings.Join(lines, "\n"))
	}
	return nil
}

// marks reports whether one of the junction paths, looked up from this
// project without loading anything new, leads to the loader target.
func (l *Loader) marks(ctx context.Context, s *search, paths []project.JunctionPath, target *Loader) (bool, error) {
	for _, p := range paths {
		found, err := l.getLoaderPath(ctx, s, p.Path, p.Prov, false)
		if err != nil {
			return false, err
		}
		if found == target {
			return true, nil
		}
	}
	return false, nil
}

// ancestors returns the loaders above this one: its parents, then those of
// the loaders whose junction to this project was overridden.
func (l *Loader) ancestors() []*Loader {
	seen := map[*Loader]bool{}
	var out []*Loader
	walk := func(p *Loader) {
		for ; p != nil && !seen[p]; p = p.parent {
			seen[p] = true
			out = append(out, p)
		}
	}
	walk(l.parent)
	l.mu.Lock()
	alt := append([]*Loader(nil), l.altParents...)
	l.mu.Unlock()
	for _, a := range alt {
		walk(a)
	}
	return out
}

// String describes the loader as BuildStream does in conflict reports:
// "name (junction): where it was asked for" or "name (toplevel)".
func (l *Loader) String() string {
	switch {
	case l.parent == nil:
		return l.Project.Name + " (toplevel)"
	case l.prov == nil:
		return l.Project.Name + " (" + l.junctionPath + ")"
	}
	return l.Project.Name + " (" + l.junctionPath + "): " + l.prov.String()
}

// OpenPluginJunction loads the subproject behind junction, a path relative
// to project p, as an `origin: junction` plugin origin written at prov
// names it. BuildStream loads that subproject to find the plugin, which
// registers it for the conflict check.
func (l *Loader) OpenPluginJunction(ctx context.Context, p *project.Project, junction string, prov *bsterr.Provenance) error {
	ld := l.findLoader(p)
	if ld == nil {
		ld = l
	}
	_, err := ld.getLoaderPath(ctx, newSearch(), junction, prov, true)
	return err
}
