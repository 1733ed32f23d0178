package unpack

import (
	"archive/tar"
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"example.org/bst/internal/plugins/sources/download"
)

// TarOptions says how ExtractTar stages members.
type TarOptions struct {
	// Rename maps a member name (and a hard link's target) to the name it
	// is staged under; ok false skips the member. nil keeps every name.
	Rename func(name string) (string, bool)
	// Keep, if set, skips the members it returns false for (before
	// Rename).
	Keep func(h *tar.Header) bool
	// Mode is the mode a member is staged with; nil means the member's
	// own permission bits, with setuid, setgid and sticky (tarfile).
	Mode func(h *tar.Header) os.FileMode
	// Log, if set, is told about skipped members.
	Log io.Writer
}

// ExtractTar stages the tarball's members into dir, which it creates if
// needed. Device nodes and FIFOs are skipped, as is a hard link whose
// target was not staged. Modification times are kept.
func ExtractTar(ctx context.Context, t *Tarball, dir string, opt TarOptions) error {
	tree, err := download.NewTree(dir)
	if err != nil {
		return err
	}
	x := &extractor{tree: tree, opt: opt}
	if err := t.Each(ctx, x.member); err != nil {
		return err
	}
	return tree.Finish()
}

type extractor struct {
	tree *download.Tree
	opt  TarOptions
}

// Name returns a member's name as tarfile sees it: without the trailing
// '/' of a directory.
func Name(h *tar.Header) string {
	name := h.Name
	if h.Typeflag == tar.TypeDir || strings.HasSuffix(name, "/") {
		name = strings.TrimRight(name, "/")
	}
	return name
}

// IsDir reports whether a member is a directory (by type, or by a
// trailing '/' on an old-style regular file entry).
func IsDir(h *tar.Header) bool {
	return h.Typeflag == tar.TypeDir || (h.Typeflag == tar.TypeReg && strings.HasSuffix(h.Name, "/"))
}

func (x *extractor) rename(name string) (string, bool) {
	if x.opt.Rename == nil {
		return name, true
	}
	return x.opt.Rename(name)
}

func (x *extractor) member(h *tar.Header, body io.Reader) error {
	if x.opt.Keep != nil && !x.opt.Keep(h) {
		return nil
	}
	if h.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	name, ok := x.rename(Name(h))
	if !ok {
		return nil
	}
	rel, err := download.CleanMember(name)
	if err != nil {
		return err
	}
	mode := x.mode(h)
	switch {
	case IsDir(h):
		if rel == "" {
			return nil // the staging directory keeps its own mode
		}
		return x.tree.Dir(rel, mode, h.ModTime)
	case h.Typeflag == tar.TypeSymlink:
		if rel == "" {
			return fmt.Errorf("%s: cannot replace the staging directory", h.Name)
		}
		return x.tree.Symlink(rel, h.Linkname)
	case h.Typeflag == tar.TypeLink:
		link, ok := x.rename(strings.TrimRight(h.Linkname, "/"))
		if !ok {
			x.logf("Skipping hard link %s: its target %s is not staged\n", h.Name, h.Linkname)
			return nil
		}
		target, err := download.CleanMember(link)
		if err != nil {
			return fmt.Errorf("%s: hard link: %w", h.Name, err)
		}
		done, err := x.tree.Link(rel, target, mode, h.ModTime)
		if err == nil && !done {
			x.logf("Skipping hard link %s: %s is not in the staged tree\n", h.Name, h.Linkname)
		}
		return err
	case h.Typeflag == tar.TypeChar, h.Typeflag == tar.TypeBlock, h.Typeflag == tar.TypeFifo:
		x.logf("Skipping device or FIFO %s\n", h.Name)
		return nil
	}
	if rel == "" {
		return fmt.Errorf("%s: not a directory", h.Name)
	}
	return x.tree.File(rel, bufio.NewReaderSize(body, 64<<10), mode, h.ModTime)
}

func (x *extractor) mode(h *tar.Header) os.FileMode {
	if x.opt.Mode != nil {
		return x.opt.Mode(h)
	}
	return HeaderMode(h)
}

// HeaderMode is a member's own permission bits with setuid, setgid and
// sticky, as tarfile applies them.
func HeaderMode(h *tar.Header) os.FileMode {
	m := os.FileMode(h.Mode & 0o777)
	if h.Mode&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	if h.Mode&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if h.Mode&0o1000 != 0 {
		m |= os.ModeSticky
	}
	return m
}

// FilteredMode is tarfile's "tar" extraction filter applied to a
// member's mode: no setuid, setgid or sticky, no write for group and
// others (mode & 0755).
func FilteredMode(h *tar.Header) os.FileMode { return os.FileMode(h.Mode & 0o755) }

// StripTopDir is bst-external's strip_top_dir as a Rename: the first
// path component goes, and members with a single component (the top
// directory itself, top-level files) are skipped.
func StripTopDir(name string) (string, bool) {
	_, rest, ok := strings.Cut(name, "/")
	if !ok || rest == "" {
		return "", false
	}
	return rest, true
}

func (x *extractor) logf(format string, args ...any) {
	if x.opt.Log != nil {
		fmt.Fprintf(x.opt.Log, format, args...)
	}
}

// Umask reads the process's umask from /proc (umask(2) would change it
// for a moment under other goroutines); 022 if unknown.
func Umask() os.FileMode {
	data, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return os.FileMode(n) & 0o777
				}
			}
		}
	}
	return 0o022
}
