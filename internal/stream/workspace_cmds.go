package stream

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/project"
)

// WorkspaceOpenOptions are the arguments of `bst workspace open`.
type WorkspaceOpenOptions struct {
	Targets []string
	// Directory is the workspace directory (1.x: the DIRECTORY argument;
	// 2.x: --directory, "" for the user's workspacedir). A relative one
	// is relative to the working directory.
	Directory  string
	NoCheckout bool
	Force      bool
	Track      bool // 1.x --track: track and fetch first
}

// abs makes a command-line path absolute against the working directory.
func (s *Session) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(s.Dir, p)
}

// workspaceList loads the project and its workspaces file.
func (s *Session) workspaceList(ctx context.Context) (*workspaces, error) {
	if err := s.LoadProject(ctx); err != nil {
		return nil, err
	}
	return s.ws, nil
}

// WorkspaceList loads the project and returns its open workspaces.
func (s *Session) WorkspaceList(ctx context.Context) ([]Workspace, error) {
	w, err := s.workspaceList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Workspace, 0, len(w.list))
	for _, ws := range w.list {
		out = append(out, *ws)
	}
	return out, nil
}

// WorkspaceOpen opens workspaces on the targets: checks them as
// BuildStream does, fetches their sources (unless NoCheckout), stages
// them into the directory and records the workspace.
func (s *Session) WorkspaceOpen(ctx context.Context, o WorkspaceOpenOptions) error {
	if err := s.LoadProject(ctx); err != nil {
		return err
	}
	if s.Project.Gen == project.Gen1 {
		return s.workspaceOpen1(ctx, o)
	}
	return s.workspaceOpen2(ctx, o)
}

// checkWorkspaceDir refuses a directory that is not one, or that holds
// files when they would be overwritten.
func checkWorkspaceDir(dir, shown, what string, o WorkspaceOpenOptions) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil
	}
	if !fi.IsDir() {
		return bsterr.App("bad-directory", "%s is not a directory: %s", what, shown)
	}
	if ents, _ := os.ReadDir(dir); len(ents) > 0 && !(o.NoCheckout || o.Force) {
		return bsterr.App("bad-directory", "%s is not empty: %s", what, shown)
	}
	return nil
}

// workspaceOpen1 is BuildStream 1.6's `workspace open ELEMENT DIRECTORY`.
func (s *Session) workspaceOpen1(ctx context.Context, o WorkspaceOpenOptions) error {
	if err := checkWorkspaceDir(s.abs(o.Directory), o.Directory, "Checkout directory", o); err != nil {
		return err
	}
	tels, err := s.loadWorkspaceTargets(ctx, o.Targets[:1])
	if err != nil {
		return err
	}
	e := tels[0]
	dir := s.abs(o.Directory)
	if err := checkHasSources(e, "The given element has no sources"); err != nil {
		return err
	}
	if ws := s.ws.get(e.FullName); ws != nil && !o.Force {
		return bsterr.Stream(bsterr.Unknown, "Workspace '%s' is already defined at: %s", e.Name, ws.Directory)
	}
	if !o.NoCheckout || o.Track {
		if err := s.fetchForWorkspace(ctx, e, o.Track); err != nil {
			return err
		}
	}
	if !o.NoCheckout && !s.originalSourcesCached(e) {
		return bsterr.Stream(bsterr.Unknown, "Could not stage uncached source. Use `--track` to track and fetch the latest version of the source.")
	}
	if ws := s.ws.get(e.FullName); ws != nil {
		s.ws.delete(e.FullName)
		if err := s.ws.save(); err != nil {
			return err
		}
		_ = os.RemoveAll(dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return bsterr.Stream(bsterr.Unknown, "Failed to create workspace directory: %v", err)
	}
	s.ws.create(e.FullName, dir)
	if !o.NoCheckout {
		if err := s.stageWorkspace(ctx, e, dir); err != nil {
			return err
		}
	}
	if err := s.ws.save(); err != nil {
		return err
	}
	s.activity("INFO", 0, "Saved workspace configuration")
	return nil
}

// workspaceOpen2 is BuildStream 2's `workspace open [--directory DIR]
// ELEMENTS...`.
func (s *Session) workspaceOpen2(ctx context.Context, o WorkspaceOpenOptions) error {
	tels, err := s.loadWorkspaceTargets(ctx, o.Targets)
	if err != nil {
		return err
	}
	if !o.NoCheckout {
		for _, e := range tels {
			if len(e.Sources) > 0 {
				if err := s.fetchForWorkspace(ctx, e, false); err != nil {
					return err
				}
			}
		}
	}
	var dirs []string
	for _, e := range tels {
		if err := checkHasSources(e, "The element "+e.Name+" has no sources"); err != nil {
			return err
		}
		if ws := s.ws.get(e.FullName); ws != nil {
			if !o.Force {
				return bsterr.Stream(bsterr.Unknown, "Element '%s' already has an open workspace defined at: %s", e.Name, ws.Directory)
			}
			if !o.NoCheckout {
				s.message("WARNING", "main", e, 0, "Replacing existing workspace for element '"+e.Name+"' defined at: "+ws.Directory)
			}
			if err := s.workspaceClose(ctx, e.FullName, !o.NoCheckout); err != nil {
				return err
			}
		}
		if o.Directory == "" {
			dirs = append(dirs, strings.TrimSuffix(filepath.Join(s.abs(s.Config.WorkspaceDir), e.Name), ".bst"))
		}
	}
	if o.Directory != "" {
		if len(tels) != 1 {
			return bsterr.Stream("directory-with-multiple-elements", "Exactly one element can be given if --directory is used")
		}
		dirs = []string{s.abs(o.Directory)}
	}
	for i, e := range tels {
		err := checkWorkspaceDir(dirs[i], dirs[i], "For element '"+e.Name+"', Directory path", o)
		if err != nil {
			be := err.(*bsterr.Error)
			be.Domain = "STREAM"
			return be
		}
		if ents, _ := os.ReadDir(dirs[i]); len(ents) > 0 && o.Force && !o.NoCheckout {
			_ = os.RemoveAll(dirs[i])
		}
	}
	for i, e := range tels {
		s.activity("STATUS", 0, "Creating workspace for element "+e.Name)
		if err := os.MkdirAll(dirs[i], 0o755); err != nil {
			return bsterr.Stream("workspace-directory-failure", "Failed to create workspace directory: %v", err)
		}
		s.ws.create(e.FullName, dirs[i])
		if !o.NoCheckout {
			if err := s.stageWorkspace(ctx, e, dirs[i]); err != nil {
				return err
			}
		}
		if _, err := os.Lstat(filepath.Join(dirs[i], workspaceProjectFile)); err == nil {
			s.message("WARNING", "main", e, 0, workspaceProjectFile+" was staged from this element's sources")
		}
		if err := writeWorkspaceProject(dirs[i], s.Project.Dir, e.FullName); err != nil {
			return err
		}
		if err := s.ws.save(); err != nil {
			return err
		}
		s.activity("INFO", 0, "Created a workspace for element "+e.FullName)
	}
	return nil
}

// loadWorkspaceTargets loads the targets of a workspace command in the
// loaded project, with their keys.
func (s *Session) loadWorkspaceTargets(ctx context.Context, targets []string) ([]*element.Element, error) {
	if err := s.checkElementNames(targets); err != nil {
		return nil, err
	}
	tels, err := s.LoadElements(ctx, targets)
	if err != nil {
		return nil, err
	}
	if err := element.CacheKeys(ctx, element.Dependencies(tels, element.ScopeAll), nil); err != nil {
		return nil, err
	}
	return tels, nil
}

// checkHasSources refuses an element without sources, suggesting its
// build dependencies.
func checkHasSources(e *element.Element, msg string) error {
	if len(e.Sources) > 0 {
		return nil
	}
	if len(e.BuildDeps) == 0 {
		return bsterr.Stream(bsterr.Unknown, "%s", msg)
	}
	names := make([]string, 0, len(e.BuildDeps))
	for _, d := range e.BuildDeps {
		names = append(names, d.Name)
	}
	return bsterr.Stream(bsterr.Unknown, "%s", msg).
		WithDetail("Try opening a workspace on one of its dependencies instead:\n%s", strings.Join(names, "  \n"))
}

// fetchForWorkspace fetches e's own sources (tracking them first when
// asked), whether or not a workspace is open on it.
func (s *Session) fetchForWorkspace(ctx context.Context, e *element.Element, track bool) error {
	if track {
		if err := s.trackElements(ctx, []*element.Element{e}, 1); err != nil {
			return err
		}
	}
	if e.Keys.NoRef {
		return nil
	}
	return s.fetchElement(ctx, e)
}

// originalSourcesCached reports whether e's own sources are all fetched.
func (s *Session) originalSourcesCached(e *element.Element) bool {
	srcs, err := s.sources(e)
	if err != nil || e.Keys.NoRef {
		return false
	}
	env := s.sourceEnv(e, io.Discard)
	for _, src := range srcs {
		if !src.Cached(env) {
			return false
		}
	}
	return true
}

// stageWorkspace stages e's own sources into dir, as BuildStream's
// _open_workspace: into a temporary directory first, whose files then
// replace those in dir.
func (s *Session) stageWorkspace(ctx context.Context, e *element.Element, dir string) error {
	return s.timedElement(e, "Staging sources to "+dir, func() error {
		tmp, err := s.mkTemp("workspace-" + strings.ReplaceAll(strings.TrimSuffix(e.Name, ".bst"), "/", "-") + "-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		srcs, err := s.sources(e)
		if err != nil {
			return err
		}
		if err := s.stageSourcesCached(ctx, e, srcs, s.sourceEnv(e, io.Discard), tmp); err != nil {
			return err
		}
		if err := linkFiles(tmp, dir); err != nil {
			return bsterr.Stream(bsterr.Unknown, "staging sources to %s: %v", dir, err)
		}
		return nil
	})
}

// timedElement runs fn as an activity of e: START, then SUCCESS or
// FAILURE with the time it took.
func (s *Session) timedElement(e *element.Element, text string, fn func() error) error {
	start := time.Now()
	s.message("START", "main", e, 0, text)
	err := fn()
	kind := "SUCCESS"
	if err != nil {
		kind = "FAILURE"
	}
	s.message(kind, "main", e, time.Since(start), text)
	return err
}

// linkFiles puts the tree from into to, replacing files that are there,
// with hard links where it can (utils.link_files).
func linkFiles(from, to string) error {
	return filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if rel == "." {
			return os.MkdirAll(dst, 0o755)
		}
		if info.IsDir() {
			if fi, err := os.Lstat(dst); err == nil && !fi.IsDir() {
				if err := os.Remove(dst); err != nil {
					return err
				}
			}
			if err := os.MkdirAll(dst, info.Mode().Perm()|0o700); err != nil {
				return err
			}
			return os.Chmod(dst, info.Mode().Perm())
		}
		if fi, err := os.Lstat(dst); err == nil {
			if fi.IsDir() {
				err = os.RemoveAll(dst)
			} else {
				err = os.Remove(dst)
			}
			if err != nil {
				return err
			}
		}
		if info.Mode()&os.ModeSymlink != 0 {
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(t, dst)
		}
		if err := os.Link(p, dst); err == nil {
			return nil
		}
		return copyEntry(p, dst)
	})
}

// WorkspaceClose closes the workspaces of the named elements (or all of
// them), removing their directories when asked. It returns the names
// closed; none when all is asked and none is open.
func (s *Session) WorkspaceClose(ctx context.Context, names []string, all, removeDir bool) error {
	w, err := s.workspaceList(ctx)
	if err != nil {
		return err
	}
	if all {
		names = names[:0]
		for _, ws := range w.list {
			names = append(names, ws.Element)
		}
	}
	var missing []string
	for _, n := range names {
		if w.get(n) == nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return bsterr.App(bsterr.Unknown, "Workspace does not exist").WithDetail("%s", strings.Join(missing, "\n"))
	}
	for _, n := range names {
		if err := s.workspaceClose(ctx, n, removeDir); err != nil {
			return err
		}
	}
	return nil
}

// workspaceClose closes one workspace: the directory goes if asked, then
// the record (and 2.x's .bstproject.yaml).
func (s *Session) workspaceClose(ctx context.Context, name string, removeDir bool) error {
	ws := s.ws.get(name)
	if removeDir {
		err := s.timed("Removing workspace directory "+ws.Directory, func() error {
			if err := os.RemoveAll(ws.Directory); err != nil {
				return bsterr.Stream(bsterr.Unknown, "Could not remove  '%s': %v", ws.Directory, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if s.Project.Gen == project.Gen2 {
		_ = os.Remove(filepath.Join(ws.Directory, workspaceProjectFile))
	}
	s.ws.delete(name)
	if err := s.ws.save(); err != nil {
		return err
	}
	s.activity("INFO", 0, "Closed workspace for "+name)
	return ctx.Err()
}

// WorkspaceExists reports whether the project has an open workspace.
func (s *Session) WorkspaceExists(ctx context.Context) (bool, error) {
	w, err := s.workspaceList(ctx)
	if err != nil {
		return false, err
	}
	return len(w.list) > 0, nil
}

// WorkspaceResetOptions are the arguments of `bst workspace reset`.
type WorkspaceResetOptions struct {
	Targets []string
	All     bool
	Soft    bool
	Track   bool // 1.x: track and fetch first
}

// WorkspaceReset resets workspaces: with Soft, only their build state
// (1.x prepared, 2.x last_build); else their directory gets the element's
// sources again.
func (s *Session) WorkspaceReset(ctx context.Context, o WorkspaceResetOptions) error {
	w, err := s.workspaceList(ctx)
	if err != nil {
		return err
	}
	targets := o.Targets
	if o.All {
		targets = nil
		for _, ws := range w.list {
			targets = append(targets, ws.Element)
		}
	}
	tels, err := s.loadWorkspaceTargets(ctx, targets)
	if err != nil {
		return err
	}
	var missing []string
	for _, e := range tels {
		if w.get(e.FullName) == nil {
			missing = append(missing, e.FullName)
		}
	}
	if len(missing) > 0 {
		return bsterr.Stream(bsterr.Unknown, "Workspace does not exist").WithDetail("%s", strings.Join(missing, "\n"))
	}
	if o.Track {
		for _, e := range tels {
			if err := s.fetchForWorkspace(ctx, e, true); err != nil {
				return err
			}
		}
	}
	for _, e := range tels {
		ws := w.get(e.FullName)
		if o.Soft {
			ws.Prepared, ws.LastBuild = false, ""
			if s.Project.Gen == project.Gen2 {
				ws.LastSuccessful = ""
			}
			s.activity("INFO", 0, "Reset workspace state for "+e.Name+" at: "+ws.Directory)
			continue
		}
		dir := ws.Directory
		if s.Project.Gen == project.Gen2 {
			if err := s.workspaceClose(ctx, e.FullName, true); err != nil {
				return err
			}
			if err := s.workspaceOpen2(ctx, WorkspaceOpenOptions{Targets: []string{e.FullName}, Force: true, Directory: dir}); err != nil {
				return err
			}
			continue
		}
		if err := s.fetchForWorkspace(ctx, e, false); err != nil {
			return err
		}
		err := s.timedElement(e, "Removing workspace directory "+dir, func() error {
			if err := os.RemoveAll(dir); err != nil {
				return bsterr.Stream(bsterr.Unknown, "Could not remove  '%s': %v", dir, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		s.ws.create(e.FullName, dir)
		if err := s.stageWorkspace(ctx, e, dir); err != nil {
			return err
		}
		s.activity("INFO", 0, "Reset workspace for "+e.Name+" at: "+dir)
	}
	return w.save()
}
