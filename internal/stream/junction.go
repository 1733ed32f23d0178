package stream

import (
	"os"
	"path/filepath"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/project"
)

// stageJunction lays out a junction's sources in a temporary directory.
// Local sources are staged as symbolic links to the files in the parent
// project, which is all loading needs. Other kinds need fetched sources.
func (s *Session) stageJunction(e *element.Element) (*project.Staging, error) {
	if e.Workspace != nil {
		return s.stageJunctionWorkspace(e)
	}
	for _, src := range e.Sources {
		if src.Kind != "local" {
			return nil, bsterr.Load(bsterr.SubprojectFetchNeeded, &e.Load.Prov,
				"Subproject fetch needed for junction: %s", e.FullName).
				WithDetail("Try fetching the project with `bst source fetch %s`", e.FullName)
		}
	}
	root, err := s.mkTemp(strings.ReplaceAll(strings.TrimSuffix(e.Name, ".bst"), "/", "-") + "-")
	if err != nil {
		return nil, err
	}
	st := &project.Staging{Root: root, Links: map[string]bool{}}
	for _, src := range e.Sources {
		rel, err := src.Config.RequiredString("path")
		if err != nil {
			return nil, err
		}
		from := filepath.Join(e.Project.Dir, rel)
		fi, err := os.Stat(from)
		if err != nil {
			return nil, bsterr.Load(bsterr.MissingFile, src.Config.Get("path").Pos(), "Specified path '%s' does not exist", rel)
		}
		dest := filepath.Join(root, src.Directory)
		st.Roots = append(st.Roots, dest)
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return nil, bsterr.Stream(bsterr.Unknown, "staging junction %s: %v", e.FullName, err)
		}
		switch {
		case !fi.IsDir():
			if err = os.MkdirAll(dest, 0o755); err == nil {
				err = linkStaged(st, from, filepath.Join(dest, filepath.Base(from)))
			}
		case dest != root:
			// One link for the whole directory; merged later if needed.
			err = linkStaged(st, from, dest)
		default:
			err = linkEntries(st, from, dest)
		}
		if err != nil {
			return nil, bsterr.Stream(bsterr.Unknown, "staging junction %s: %v", e.FullName, err)
		}
	}
	return st, nil
}

// stageJunctionWorkspace lays out a junction's workspace directory (links
// to its entries) as its subproject.
func (s *Session) stageJunctionWorkspace(e *element.Element) (*project.Staging, error) {
	root, err := s.mkTemp(strings.ReplaceAll(strings.TrimSuffix(e.Name, ".bst"), "/", "-") + "-")
	if err != nil {
		return nil, err
	}
	st := &project.Staging{Root: root, Links: map[string]bool{}, Roots: []string{root}}
	if err := linkEntries(st, e.Workspace.Dir, root); err != nil {
		return nil, bsterr.Load(bsterr.MissingFile, &e.Load.Prov, "%s: cannot stage workspace %s: %v", e.FullName, e.Workspace.Dir, err)
	}
	return st, nil
}

// linkEntries links every entry of the directory from into dest.
func linkEntries(st *project.Staging, from, dest string) error {
	ents, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, ent := range ents {
		if err := linkStaged(st, filepath.Join(from, ent.Name()), filepath.Join(dest, ent.Name())); err != nil {
			return err
		}
	}
	return nil
}

// linkStaged stages from at to with a symbolic link; when to already holds
// a directory (from an earlier source), the two are merged entry by entry,
// later sources winning as with BuildStream's copies.
func linkStaged(st *project.Staging, from, to string) error {
	lst, err := os.Lstat(to)
	if err != nil {
		st.Links[to] = true
		return os.Symlink(from, to)
	}
	fi, ferr := os.Stat(from)
	newIsDir := ferr == nil && fi.IsDir()
	if st.Links[to] {
		old, rerr := os.Readlink(to)
		oi, oerr := os.Stat(to)
		if rerr != nil || oerr != nil || !oi.IsDir() || !newIsDir {
			if err := os.Remove(to); err != nil {
				return err
			}
			return os.Symlink(from, to)
		}
		// Turn the linked directory into a real one holding links.
		if err := os.Remove(to); err != nil {
			return err
		}
		delete(st.Links, to)
		if err := os.Mkdir(to, 0o755); err != nil {
			return err
		}
		if err := linkEntries(st, old, to); err != nil {
			return err
		}
		return linkEntries(st, from, to)
	}
	if lst.IsDir() && newIsDir {
		return linkEntries(st, from, to)
	}
	if err := os.RemoveAll(to); err != nil {
		return err
	}
	st.Links[to] = true
	return os.Symlink(from, to)
}
