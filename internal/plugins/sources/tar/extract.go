package tar

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"example.org/bst/internal/plugins/sources/download"
)

// extractor stages the members of an archive under a base directory.
type extractor struct {
	gen  int
	base string // "" = every member
	log  io.Writer
	tree *download.Tree
	// umask is the process's, for 2.x modes.
	umask os.FileMode
}

// extract writes the archive's members (those under x.base, moved up to
// its place) into dir.
func (x *extractor) extract(ctx context.Context, a *archive, dir string) error {
	r, err := a.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	if x.tree, err = download.NewTree(dir); err != nil {
		return err
	}
	x.umask = umask()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := x.member(h, tr); err != nil {
			return err
		}
	}
	return x.tree.Finish()
}

// rename applies the base directory to a member's name and link name, as
// the plugin's _extract_members does in each generation; ok is false for
// members outside the base directory.
func (x *extractor) rename(h *tar.Header) (name, link string, ok bool) {
	name, link = memberName(h), h.Linkname
	if x.base == "" {
		return name, link, true
	}
	hard := h.Typeflag == tar.TypeLink
	prefix := x.base
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	name = strings.TrimPrefix(name, "./")
	if x.gen >= 2 && hard {
		link = strings.TrimPrefix(link, "./")
	}
	if !strings.HasPrefix(name, prefix) {
		return "", "", false
	}
	if hard {
		switch {
		case x.gen < 2 && len(link) >= len(prefix):
			link = link[len(prefix):] // 1.x cuts unconditionally
		case x.gen < 2:
			link = ""
		case strings.HasPrefix(link, prefix):
			link = link[len(prefix):]
		}
	}
	return name[len(prefix):], link, true
}

// member stages one member.
func (x *extractor) member(h *tar.Header, body io.Reader) error {
	name, link, ok := x.rename(h)
	if !ok {
		return nil
	}
	rel, err := download.CleanMember(name)
	if err != nil {
		return err
	}
	switch {
	case isDir(h):
		if rel == "" {
			return nil // the staging directory itself keeps its mode
		}
		return x.tree.Dir(rel, x.mode(h), h.ModTime)
	case h.Typeflag == tar.TypeSymlink:
		return x.tree.Symlink(rel, link)
	case h.Typeflag == tar.TypeLink:
		target, err := download.CleanMember(link)
		if err != nil {
			return fmt.Errorf("%s: hard link: %w", name, err)
		}
		done, err := x.tree.Link(rel, target, x.mode(h), h.ModTime)
		if err == nil && !done {
			// As tarfile, which cannot resolve the link: skip it.
			x.logf("Skipping hard link %s: %s is not in the staged tree\n", name, link)
		}
		return err
	case h.Typeflag == tar.TypeChar, h.Typeflag == tar.TypeBlock, h.Typeflag == tar.TypeFifo:
		x.logf("Skipping device or FIFO %s\n", name)
		return nil
	case h.Typeflag == tar.TypeXGlobalHeader:
		return nil
	}
	if rel == "" {
		return fmt.Errorf("%s: not a directory", name)
	}
	// Regular files, and like tarfile any unknown type.
	return x.tree.File(rel, bufio.NewReaderSize(body, 64<<10), x.mode(h), h.ModTime)
}

// mode is the mode a member is staged with: its own permission bits in
// 1.x; in 2.x (ReadableTarInfo) 0777 less the umask for everything, since
// its executable-bit test is always true.
func (x *extractor) mode(h *tar.Header) os.FileMode {
	if x.gen >= 2 {
		return 0o777 &^ x.umask
	}
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

func (x *extractor) logf(format string, args ...any) {
	if x.log != nil {
		fmt.Fprintf(x.log, format, args...)
	}
}

// umask reads the process's umask from /proc (reading it with umask(2)
// would change it for a moment under other goroutines); 022 if unknown.
func umask() os.FileMode {
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
