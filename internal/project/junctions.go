package project

import (
	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// JunctionPath is a junction path written in project.conf `junctions:`
// ("a.bst" or "a.bst:b.bst"), with where it is written.
type JunctionPath struct {
	Path string
	Prov *bsterr.Provenance
}

// JunctionRules is a 2.x project's `junctions:` configuration: which
// subprojects it declares duplicates of one another and which are internal
// to it, so that loading them in several places is no conflict.
type JunctionRules struct {
	// Duplicates maps a project name to the junction paths, relative to
	// this project, that may load it.
	Duplicates map[string][]JunctionPath
	// Internal lists junction paths whose subprojects stay private.
	Internal []JunctionPath
}

// loadJunctionRules reads `junctions:` from the project.conf of the first
// pass (before includes, as BuildStream reads it).
func loadJunctionRules(pre *yamlnode.Mapping) (JunctionRules, error) {
	var r JunctionRules
	j, err := pre.MappingAt("junctions")
	if err != nil || j == nil {
		return r, err
	}
	if err := j.ValidateKeys("duplicates", "internal", "disallow-subproject-uris"); err != nil {
		return r, err
	}
	if _, err := j.Bool("disallow-subproject-uris", false); err != nil {
		return r, err
	}
	dups, err := j.MappingAt("duplicates")
	if err != nil {
		return r, err
	}
	if dups != nil {
		r.Duplicates = make(map[string][]JunctionPath, len(dups.Keys))
		for _, name := range dups.Keys {
			paths, err := junctionPaths(dups, name)
			if err != nil {
				return r, err
			}
			r.Duplicates[name] = paths
		}
	}
	r.Internal, err = junctionPaths(j, "internal")
	return r, err
}

func junctionPaths(m *yamlnode.Mapping, key string) ([]JunctionPath, error) {
	seq, err := m.SequenceAt(key)
	if err != nil || seq == nil {
		return nil, err
	}
	out := make([]JunctionPath, 0, len(seq.Items))
	for _, it := range seq.Items {
		sc, ok := it.(*yamlnode.Scalar)
		if !ok || sc.Null {
			return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of '%s' is not of the expected type 'str'", key)
		}
		out = append(out, JunctionPath{Path: sc.Str(), Prov: sc.Pos()})
	}
	return out, nil
}
