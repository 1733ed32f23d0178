package stream

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/cas"
	"example.org/bst/internal/element"
	"example.org/bst/internal/project"
	"example.org/bst/internal/splitrules"
)

// attachWorkspaces gives each element with an open workspace its
// workspace: its sources become the workspace's files.
func (s *Session) attachWorkspaces(elems []*element.Element) {
	if s.ws == nil || len(s.ws.list) == 0 {
		return
	}
	for _, e := range elems {
		ws := s.ws.get(e.FullName)
		if ws == nil || len(e.Sources) == 0 {
			continue
		}
		dir := ws.Directory
		key := workspaceKey1
		if e.Project.Gen == project.Gen2 {
			key = workspaceKey2
		}
		e.Workspace = &element.Workspace{Dir: dir, Key: func(ctx context.Context) (any, error) { return key(ctx, dir) }}
	}
}

// workspaceKey1 is BuildStream 1.6's Workspace.get_key(): for each path
// of the workspace (utils.list_relative_paths), [path, st_mtime_ns]; a
// workspace that is a single file is keyed by its absolute path.
func workspaceKey1(ctx context.Context, dir string) (any, error) {
	stat := func(path string) (int64, error) {
		var st unix.Stat_t
		if err := unix.Lstat(path, &st); err != nil {
			return 0, bsterr.Load(bsterr.MissingFile, nil, "Failed to stat file in workspace: %v", &fs.PathError{Op: "lstat", Path: path, Err: err})
		}
		return st.Mtim.Sec*1e9 + st.Mtim.Nsec, nil
	}
	fi, err := os.Stat(dir)
	if err == nil && !fi.IsDir() {
		mt, err := stat(dir)
		if err != nil {
			return nil, err
		}
		return []any{[]any{dir, mt}}, nil
	}
	paths, err := splitrules.ListRelativePaths(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return []any{}, nil // os.walk of a missing directory yields nothing
		}
		return nil, bsterr.Load(bsterr.MissingFile, nil, "Failed to list workspace %s: %v", dir, err)
	}
	out := make([]any, 0, len(paths))
	for _, rel := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		mt, err := stat(filepath.Join(dir, rel))
		if err != nil {
			return nil, err
		}
		out = append(out, []any{rel, mt})
	}
	return out, nil
}

// workspaceKey2 is the unique key of BuildStream 2's `workspace` source:
// the hash of the workspace's Directory digest, captured with mtimes.
func workspaceKey2(ctx context.Context, dir string) (any, error) {
	d, err := cas.DirectoryDigest(ctx, dir, cas.TreeOptions{CaptureMtime: true})
	if err != nil {
		return nil, err
	}
	return d.Hash(), nil
}

// stageFromWorkspace copies e's workspace into dir, as its sources.
// 1.6 copies the files (Workspace.stage) when it does not mount the
// workspace; 2.x imports them from the CAS capture of the workspace.
func (s *Session) stageFromWorkspace(e *element.Element, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return bsterr.Stream(bsterr.Unknown, "staging workspace of %s: %v", e.FullName, err)
	}
	if err := copyTree(e.Workspace.Dir, dir); err != nil {
		return bsterr.Stream(bsterr.Unknown, "staging workspace %s of %s: %v", e.Workspace.Dir, e.FullName, err)
	}
	return nil
}

// discardPendingWorkspaceKeys forgets the keys that BuildStream 1.6 does
// not know before a build: a workspaced element whose artifact is not
// cached would be built, and its key only exists after the build has
// changed the workspace; so the keys of what depends on it are unknown
// too. elems must be in staging order.
func discardPendingWorkspaceKeys(elems []*element.Element) {
	for _, e := range elems {
		if e.Project.Gen != project.Gen1 || !e.Keys.Known {
			continue
		}
		discard := e.Workspace != nil && !e.Cached()
		for _, d := range e.BuildDependencies() {
			if !d.Keys.Known && !d.Keys.NoRef {
				discard = true
			}
		}
		if discard {
			e.DiscardKeys()
		}
	}
}

// recordWorkspaceBuild records in the workspaces file that e was built
// from its workspace.
func (s *Session) recordWorkspaceBuild(e *element.Element) error {
	return s.ws.recordBuild(e.FullName, e.Keys.Strong.String())
}
