package bwrap

import (
	"os"
	"path/filepath"

	"example.org/bst/internal/sandbox"
)

// debris is what a run leaves in the root that must not end up in an
// artifact: mount points created for bwrap (by us or by bwrap itself).
type debris struct {
	dirs        []string // created base directories, deepest first
	devices     []string // device mount points that did not exist before
	interactive bool
}

// prepare creates, inside the root, every mount point bwrap needs, so that a
// root bwrap cannot write to (a read-only staged tree) works: the cwd, /proc,
// /tmp, /dev (and /dev/shm), and the marked directories. It returns the
// debris to remove after the run, even on error.
func (s *Sandbox) prepare(cmd sandbox.Command) (*debris, error) {
	root := s.Root()
	d := &debris{interactive: cmd.Flags&sandbox.Interactive != 0}
	base := []string{"proc", "tmp", "dev"}
	if cmd.Flags&sandbox.CreateDevShm != 0 {
		base = append(base, "dev/shm")
	}
	for _, b := range base {
		p := filepath.Join(root, b)
		if _, err := os.Lstat(p); err == nil {
			continue
		}
		if err := os.Mkdir(p, 0o755); err != nil {
			return d, sandbox.Errorf(sandbox.StartFailed, "creating mount point /%s in the sandbox root: %v", b, err).Wrap(err)
		}
		d.dirs = append([]string{p}, d.dirs...)
	}
	if !d.interactive {
		for _, dev := range Devices {
			p := filepath.Join(root, dev)
			if _, err := os.Lstat(p); err != nil {
				d.devices = append(d.devices, p)
			}
		}
	}
	want := []string{cmd.Dir()}
	for _, m := range s.Mounts() {
		want = append(want, m.Path)
		if err := os.MkdirAll(m.Source, 0o755); err != nil {
			return d, sandbox.Errorf(sandbox.StartFailed, "creating mount source %s: %v", m.Source, err).Wrap(err)
		}
	}
	for _, w := range want {
		if err := os.MkdirAll(filepath.Join(root, w), 0o755); err != nil {
			return d, sandbox.Errorf(sandbox.StartFailed, "creating %s in the sandbox root: %v", w, err).Wrap(err)
		}
	}
	return d, nil
}

// remove deletes the device mount points bwrap created and the base
// directories prepare created. They are empty after a non-interactive run;
// an interactive shell may have left mounts' debris, removed as a whole.
func (d *debris) remove() {
	for _, p := range d.devices {
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
			os.Remove(p)
		}
	}
	for _, p := range d.dirs {
		if d.interactive {
			os.RemoveAll(p)
		} else {
			os.Remove(p)
		}
	}
}
