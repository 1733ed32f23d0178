package options

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ListElementFiles lists the names under dir that end in ".bst", as
// BuildStream collects the values of element-mask options
// (utils.list_relative_paths, which differs between generations): a sorted,
// top-down walk that does not follow symbolic links. Generation 1 lists
// files, symbolic links to directories, and directories holding no files;
// generation 2 lists files, symbolic links and every directory.
func ListElementFiles(gen Generation, dir string) ([]string, error) {
	var out []string
	err := walkRelative(gen, dir, "", func(rel string) {
		if strings.HasSuffix(rel, ".bst") {
			out = append(out, rel)
		}
	})
	return out, err
}

func walkRelative(gen Generation, root, rel string, yield func(string)) error {
	entries, err := os.ReadDir(filepath.Join(root, rel))
	if err != nil {
		if rel != "" {
			return nil // os.walk skips unreadable subdirectories
		}
		return err
	}
	var dirs, links, files []string
	for _, e := range entries {
		switch {
		case e.IsDir():
			dirs = append(dirs, e.Name())
		case e.Type()&os.ModeSymlink != 0 && isDir(filepath.Join(root, rel, e.Name())):
			links = append(links, e.Name()) // os.walk puts these among the directories
		default:
			files = append(files, e.Name())
		}
	}
	if gen == Gen2 {
		files = append(files, links...)
		sort.Strings(files)
		if rel != "" {
			yield(rel)
		}
	} else {
		sort.Strings(links)
		sort.Strings(files)
		for _, l := range links {
			yield(filepath.Join(rel, l))
		}
		if len(files) == 0 {
			if rel == "" {
				yield(".")
			} else {
				yield(rel)
			}
		}
	}
	for _, f := range files {
		yield(filepath.Join(rel, f))
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		if err := walkRelative(gen, root, filepath.Join(rel, d), yield); err != nil {
			return err
		}
	}
	return nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
