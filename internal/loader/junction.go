package loader

import (
	"context"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
)

// getLoader returns the loader of the subproject behind junction element
// name, creating it on first use. BuildStream 1 coalesces junctions: a
// subproject's junction is replaced by the parent's junction of the same
// name when the parent has one.
func (l *Loader) getLoader(ctx context.Context, name string, level int) (*Loader, error) {
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
	if j := l.Project.Junction; j != nil && l.parent != nil {
		if target, ok := j.Overrides[name]; ok {
			// The parent project replaces this junction with one of its own.
			key := "junction\x00" + name
			l.mu.Lock()
			if l.overriding == nil {
				l.overriding = map[string]bool{}
			}
			busy := l.overriding[key]
			l.overriding[key] = true
			l.mu.Unlock()
			if busy {
				return nil, bsterr.Load(bsterr.CircularReference, j.OverridePos[name],
					"Circular reference while overriding junction '%s' of '%s' with '%s'", name, j.Name, target)
			}
			defer func() {
				l.mu.Lock()
				delete(l.overriding, key)
				l.mu.Unlock()
			}()
			pl, pname, err := l.parent.resolveName(ctx, target)
			if err != nil {
				return nil, err
			}
			sub, err := pl.getLoader(ctx, pname, 0)
			if err != nil {
				return nil, err
			}
			l.setLoader(name, sub)
			return sub, nil
		}
	}
	if l.parent != nil && l.Project.Gen == project.Gen1 {
		sub, err := l.parent.getLoader(ctx, name, level+1)
		if err != nil {
			return nil, err
		}
		if sub != nil {
			l.setLoader(name, sub)
			return sub, nil
		}
	}
	e, err := l.loadFile(ctx, name, nil)
	if err != nil {
		if bsterr.ReasonOf(err) != bsterr.MissingFile || level == 0 {
			return nil, err
		}
		l.setLoader(name, nil)
		return nil, nil
	}
	if e.Kind == "link" && l.Project.Gen == project.Gen2 {
		// A link to a junction: the subproject is the target's.
		sub, err := l.linkedLoader(ctx, e)
		if err != nil {
			return nil, err
		}
		l.setLoader(name, sub)
		return sub, nil
	}
	if e.Kind != "junction" {
		return nil, bsterr.Load(bsterr.InvalidData, nil, "%s: Expected junction but element kind is %s", name, e.Kind)
	}
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
	sub = newLoader(p, l.session, l, jpath)
	l.setLoader(name, sub)
	if err := p.LoadSecondPass(); err != nil {
		l.mu.Lock()
		delete(l.loaders, name)
		l.mu.Unlock()
		return nil, err
	}
	return sub, nil

}

func (l *Loader) setLoader(name string, sub *Loader) {
	l.mu.Lock()
	l.loaders[name] = sub
	l.mu.Unlock()
}

// resolveLink follows 2.x link elements to their targets.
func resolveLink(ctx context.Context, e *LoadElement, prov *bsterr.Provenance) (*LoadElement, error) {
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
		cfg, err := e.Node.MappingAt("config")
		if err != nil {
			return nil, err
		}
		if cfg == nil {
			return nil, bsterr.Load(bsterr.InvalidData, &e.Node.P, "Dictionary did not contain expected key 'config'")
		}
		target, err := cfg.RequiredString("target")
		if err != nil {
			return nil, err
		}
		ld, name, err := e.Loader.resolveName(ctx, target)
		if err != nil {
			return nil, err
		}
		next, err := ld.loadFile(ctx, name, cfg.Get("target").Pos())
		if err != nil {
			return nil, err
		}
		e = next
	}
	return e, nil
}

// linkedLoader follows a link element whose target is a junction.
func (l *Loader) linkedLoader(ctx context.Context, e *LoadElement) (*Loader, error) {
	cfg, err := e.Node.MappingAt("config")
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, bsterr.Load(bsterr.InvalidData, &e.Node.P, "Dictionary did not contain expected key 'config'")
	}
	target, err := cfg.RequiredString("target")
	if err != nil {
		return nil, err
	}
	ld, name, err := l.resolveName(ctx, target)
	if err != nil {
		return nil, err
	}
	// Load the target here first, so that a missing one is reported at the
	// link's `target`.
	if _, err := ld.loadFile(ctx, name, cfg.Get("target").Pos()); err != nil {
		return nil, err
	}
	return ld.getLoader(ctx, name, 0)
}
