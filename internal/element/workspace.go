package element

import (
	"context"

	"example.org/bst/internal/cachekey"
)

// Workspace is an element's open workspace, set by the stream after the
// element is made: its sources come from the directory Dir.
type Workspace struct {
	Dir string // absolute
	// Key returns the workspace's part of the cache key, computed from
	// the directory's files: BuildStream 1.6's Workspace.get_key() (a
	// list of [relative path, mtime in ns]), or BuildStream 2's
	// `workspace` source unique key (a Directory digest hash with mtimes).
	Key func(ctx context.Context) (any, error)
}

// workspaceSources returns the "sources" list of e's key dictionary while
// a workspace is open, and the value of 1.x's "workspace" field. 1.6
// keeps each source's directory but not its unique key, and keys the
// workspace separately; 2.x replaces the sources by one `workspace`
// source.
func (e *Element) workspaceSources(ctx context.Context) ([]cachekey.Dict, any, error) {
	key, err := e.Workspace.Key(ctx)
	if err != nil {
		return nil, nil, withElement(err, e)
	}
	if e.Project.Gen == 2 {
		return []cachekey.Dict{{{Name: "key", Value: key}, {Name: "name", Value: "workspace"}}}, "", nil
	}
	sources := make([]cachekey.Dict, 0, len(e.Sources))
	for _, s := range e.Sources {
		var dir any
		if s.Directory != "" {
			dir = s.Directory
		}
		sources = append(sources, cachekey.Dict{{Name: "directory", Value: dir}})
	}
	return sources, key, nil
}

// DiscardKeys forgets e's keys, as BuildStream 1.6 does for a workspaced
// element whose build is pending (its key can only be known once the
// build has changed the workspace) and for the elements that depend on
// one.
func (e *Element) DiscardKeys() {
	e.Keys.Known = false
	e.Keys.Weak, e.Keys.Strict, e.Keys.Strong = cachekey.Key{}, cachekey.Key{}, cachekey.Key{}
}
