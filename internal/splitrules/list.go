package splitrules

import (
	"os"
	"path"
	"path/filepath"
	"slices"
)

// ListRelativePaths lists the tree under dir as utils.list_relative_paths
// does, which is the manifest Select works on. Directories are visited
// depth first in byte order; in each one it lists first its symbolic links
// to directories, then the directory itself if it holds no non-directory
// entry (so a directory holding only directories is listed too, and the
// root is listed as "." when it holds none), then its other entries
// (files, other symbolic links, broken ones). Symbolic links are never
// followed. Paths use "/" and have no leading "./".
func ListRelativePaths(dir string) ([]string, error) {
	var out []string
	var walk func(rel string) error
	walk = func(rel string) error {
		full := filepath.Join(dir, filepath.FromSlash(rel))
		entries, err := os.ReadDir(full)
		if err != nil {
			return err
		}
		var dirs, links, files []string
		for _, e := range entries {
			name := e.Name()
			if e.Type()&os.ModeSymlink != 0 {
				// os.walk counts a link to a directory among the
				// directories (is_dir follows links) but never enters it.
				if fi, err := os.Stat(filepath.Join(full, name)); err == nil && fi.IsDir() {
					links = append(links, name)
				} else {
					files = append(files, name)
				}
				continue
			}
			if e.IsDir() {
				dirs = append(dirs, name)
			} else {
				files = append(files, name)
			}
		}
		slices.Sort(dirs)
		slices.Sort(links)
		slices.Sort(files)
		join := func(name string) string {
			if rel == "" {
				return name
			}
			return path.Join(rel, name)
		}
		for _, l := range links {
			out = append(out, join(l))
		}
		if len(files) == 0 {
			if rel == "" {
				out = append(out, ".")
			} else {
				out = append(out, rel)
			}
		}
		for _, f := range files {
			out = append(out, join(f))
		}
		for _, d := range dirs {
			if err := walk(join(d)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(""); err != nil {
		return nil, err
	}
	return out, nil
}
