package sandbox

import "path/filepath"

// Directories holds a sandbox's root and its marked directories, in the
// order they were marked. Implementations embed it to provide Root,
// MarkDirectory and SetMountSource.
type Directories struct {
	root    string
	marked  []string
	sources map[string]string
}

// NewDirectories returns Directories for the staged root directory root.
func NewDirectories(root string) Directories {
	return Directories{root: root}
}

// Root returns the host path of the root directory.
func (d *Directories) Root() string { return d.root }

// MarkDirectory marks path as writable; marking twice keeps the first place.
func (d *Directories) MarkDirectory(path string) {
	path = filepath.Clean("/" + path)
	for _, m := range d.marked {
		if m == path {
			return
		}
	}
	d.marked = append(d.marked, path)
}

// SetMountSource binds the marked directory path from the host directory
// source; path is marked if it was not.
func (d *Directories) SetMountSource(path, source string) {
	path = filepath.Clean("/" + path)
	d.MarkDirectory(path)
	if d.sources == nil {
		d.sources = map[string]string{}
	}
	d.sources[path] = source
}

// Mounts returns the marked directories in marking order, each with its host
// source: the one set by SetMountSource, else the same path under the root.
func (d *Directories) Mounts() []Mount {
	out := make([]Mount, 0, len(d.marked))
	for _, p := range d.marked {
		src, ok := d.sources[p]
		if !ok {
			src = filepath.Join(d.root, p)
		}
		out = append(out, Mount{Path: p, Source: src})
	}
	return out
}
