package stream

import (
	"os"
	"path/filepath"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
)

// stageJunction lays out a junction's sources in a temporary directory.
// Local sources are staged as symbolic links to the files in the parent
// project, which is all loading needs. Other kinds need fetched sources.
func (s *Session) stageJunction(e *element.Element) (string, error) {
	for _, src := range e.Sources {
		if src.Kind != "local" {
			return "", bsterr.Load(bsterr.SubprojectFetchNeeded, &e.Load.Prov,
				"Subproject fetch needed for junction: %s", e.FullName).
				WithDetail("Try fetching the project with `bst source fetch %s`", e.FullName)
		}
	}
	root, err := s.mkTemp(strings.ReplaceAll(strings.TrimSuffix(e.Name, ".bst"), "/", "-") + "-")
	if err != nil {
		return "", err
	}
	for _, src := range e.Sources {
		rel, err := src.Config.RequiredString("path")
		if err != nil {
			return "", err
		}
		from := filepath.Join(e.Project.Dir, rel)
		st, err := os.Stat(from)
		if err != nil {
			return "", bsterr.Load(bsterr.MissingFile, src.Config.Get("path").Pos(), "Specified path '%s' does not exist", rel)
		}
		dest := filepath.Join(root, src.Directory)
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return "", bsterr.Stream(bsterr.Unknown, "staging junction %s: %v", e.FullName, err)
		}
		if !st.IsDir() {
			err = copyEntry(from, filepath.Join(dest, filepath.Base(from)), dest)
		} else {
			err = copyTree(from, dest)
		}
		if err != nil {
			return "", bsterr.Stream(bsterr.Unknown, "staging junction %s: %v", e.FullName, err)
		}
	}
	return root, nil
}

// copyTree stages the tree at from into dest as BuildStream's local
// source does: files are hard-linked (copied across file systems),
// symlinks recreated with absolute targets made relative to dest.
func copyTree(from, dest string) error {
	return filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if rel == "." {
			return nil
		}
		return copyEntry(path, filepath.Join(dest, rel), dest)
	})
}

func copyEntry(from, to, root string) error {
	lst, err := os.Lstat(from)
	if err != nil {
		return err
	}
	_ = os.RemoveAll(to)
	switch {
	case lst.Mode()&os.ModeSymlink != 0:
		target, err := os.Readlink(from)
		if err != nil {
			return err
		}
		return os.Symlink(relativeSymlinkTarget(root, to, target), to)
	case lst.IsDir():
		return os.MkdirAll(to, 0o755)
	case lst.Mode().IsRegular():
		if err := os.Link(from, to); err == nil {
			return nil
		}
		data, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, lst.Mode().Perm())
	}
	return nil
}

// relativeSymlinkTarget rewrites an absolute symlink target to a path
// relative to the link's directory within the staging root, as
// BuildStream's utils._relative_symlink_target does.
func relativeSymlinkTarget(root, link, target string) string {
	if !filepath.IsAbs(target) {
		return target
	}
	link = strings.TrimRight(link, "/")
	target = strings.TrimLeft(target, "/")
	linkDir := filepath.Dir(resolveSymlinks(link))
	full := filepath.Join(resolveSymlinks(root), target)
	rel, err := filepath.Rel(linkDir, full)
	if err != nil {
		return target
	}
	return rel
}

func resolveSymlinks(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	dir, base := filepath.Split(p)
	if r, err := filepath.EvalSymlinks(filepath.Clean(dir)); err == nil {
		return filepath.Join(r, base)
	}
	return p
}
