package unpack

import (
	"io/fs"
	"os"
	"path/filepath"

	"example.org/bst/internal/plugins/sources/download"
)

// CopyTree copies the directory src into dest (created if needed)
// through a download.Tree, so that nothing is written outside dest:
// directories and regular files with their modes and times, symbolic
// links as links. skip, if set, is asked about every entry (rel is
// slash-separated); a skipped directory is not entered.
func CopyTree(src, dest string, skip func(rel string, d fs.DirEntry) bool) error {
	tree, err := download.NewTree(dest)
	if err != nil {
		return err
	}
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if skip != nil && skip(rel, d) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.IsDir():
			return tree.Dir(rel, fi.Mode().Perm(), fi.ModTime())
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return tree.Symlink(rel, target)
		case fi.Mode().IsRegular():
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return tree.File(rel, f, fi.Mode().Perm(), fi.ModTime())
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tree.Finish()
}
