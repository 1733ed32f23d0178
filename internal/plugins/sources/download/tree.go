package download

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// ErrOutside reports an archive member that would be written outside the
// staging directory.
var ErrOutside = errors.New("attempts to extract outside the staging area")

// Tree writes an archive's members under a root directory and never
// outside it: member names are checked lexically (CleanMember), parent
// directories that are symbolic links are followed only when they resolve
// inside the root, and an existing symbolic link in a member's place is
// replaced, never written through. Directory modes and times are applied
// by Finish, after their contents are written, as Python's tarfile does.
type Tree struct {
	root     string
	realRoot string
	dirs     map[string]bool // real directories already checked (relative)
	deferred []dirAttrs
}

type dirAttrs struct {
	rel   string
	mode  os.FileMode
	mtime time.Time
}

// NewTree returns a Tree writing under root, creating root if needed.
func NewTree(root string) (*Tree, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	return &Tree{root: root, realRoot: real, dirs: map[string]bool{"": true}}, nil
}

// CleanMember turns an archive member name into a clean relative path ("" for
// the root itself). Absolute names and names that lead out of the root
// (through "..") are ErrOutside.
func CleanMember(name string) (string, error) {
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("%s: absolute path %w", name, ErrOutside)
	}
	c := path.Clean(name)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%s: %w", name, ErrOutside)
	}
	if c == "." {
		return "", nil
	}
	return c, nil
}

// Path is the absolute path of rel.
func (t *Tree) Path(rel string) string { return filepath.Join(t.root, filepath.FromSlash(rel)) }

// inside reports whether the resolved path p is the root or under it.
func (t *Tree) inside(p string) bool {
	return p == t.realRoot || strings.HasPrefix(p, t.realRoot+string(filepath.Separator))
}

// ensureDir makes rel a directory (creating it and its parents with mode
// 0755 when missing) and checks that it resolves inside the root. Only
// directories reached without symbolic links are remembered, so a link
// replaced later is checked again.
func (t *Tree) ensureDir(rel string) (viaLink bool, err error) {
	if t.dirs[rel] {
		return false, nil
	}
	parentLink, err := t.ensureDir(parentOf(rel))
	if err != nil {
		return false, err
	}
	p := t.Path(rel)
	fi, err := os.Lstat(p)
	switch {
	case os.IsNotExist(err):
		if err := os.Mkdir(p, 0o755); err != nil {
			return false, err
		}
	case err != nil:
		return false, err
	case fi.IsDir():
	case fi.Mode()&os.ModeSymlink != 0:
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return false, fmt.Errorf("%s: %w", rel, err)
		}
		if !t.inside(real) {
			return false, fmt.Errorf("%s: symbolic link to %s %w", rel, real, ErrOutside)
		}
		if st, err := os.Stat(real); err != nil || !st.IsDir() {
			return false, fmt.Errorf("%s: not a directory", rel)
		}
		return true, nil
	default:
		return false, fmt.Errorf("%s: not a directory", rel)
	}
	if !parentLink {
		t.dirs[rel] = true
	}
	return parentLink, nil
}

func parentOf(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return ""
}

// clear prepares rel for a new non-directory entry: its parent exists and
// whatever non-directory stood there is removed. A directory there is an
// error.
func (t *Tree) clear(rel string) (string, error) {
	if rel == "" {
		return "", fmt.Errorf("cannot replace the staging directory itself")
	}
	if _, err := t.ensureDir(parentOf(rel)); err != nil {
		return "", err
	}
	p := t.Path(rel)
	fi, err := os.Lstat(p)
	if err == nil {
		if fi.IsDir() {
			return "", fmt.Errorf("%s: is a directory", rel)
		}
		if err := os.Remove(p); err != nil {
			return "", err
		}
	} else if !os.IsNotExist(err) {
		return "", err
	}
	return p, nil
}

// Dir creates directory rel; mode (if non-zero) and mtime (if non-zero) are
// applied by Finish.
func (t *Tree) Dir(rel string, mode os.FileMode, mtime time.Time) error {
	viaLink, err := t.ensureDir(rel)
	if err != nil {
		return err
	}
	if rel != "" && !viaLink && (mode != 0 || !mtime.IsZero()) {
		t.deferred = append(t.deferred, dirAttrs{rel, mode, mtime})
	}
	return nil
}

// File writes r as the regular file rel with mode, and mtime unless zero.
func (t *Tree) File(rel string, r io.Reader, mode os.FileMode, mtime time.Time) error {
	p, err := t.clear(rel)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if !mtime.IsZero() {
		return os.Chtimes(p, mtime, mtime)
	}
	return nil
}

// Symlink makes rel a symbolic link to target (written as is: a link is
// never followed while staging).
func (t *Tree) Symlink(rel, target string) error {
	p, err := t.clear(rel)
	if err != nil {
		return err
	}
	return os.Symlink(target, p)
}

// Link makes rel a hard link to the already staged file target (relative
// to the root), copying it if the file system refuses the link, then
// gives it mode, and mtime unless zero (as tarfile does, which changes
// the target too). ok is false, and nothing is done, when target is not a
// staged regular file.
func (t *Tree) Link(rel, target string, mode os.FileMode, mtime time.Time) (ok bool, err error) {
	real, err := filepath.EvalSymlinks(t.Path(target))
	if err != nil {
		return false, nil
	}
	if !t.inside(real) {
		return false, fmt.Errorf("%s: hard link to %s %w", rel, target, ErrOutside)
	}
	fi, err := os.Stat(real)
	if err != nil || !fi.Mode().IsRegular() {
		return false, nil
	}
	p, err := t.clear(rel)
	if err != nil {
		return false, err
	}
	if err := os.Link(real, p); err != nil {
		in, err := os.Open(real)
		if err != nil {
			return false, err
		}
		defer in.Close()
		return true, t.File(rel, in, mode, mtime)
	}
	if err := os.Chmod(p, mode); err != nil {
		return true, err
	}
	if !mtime.IsZero() {
		return true, os.Chtimes(p, mtime, mtime)
	}
	return true, nil
}

// Finish applies the deferred directory modes and times, deepest first.
func (t *Tree) Finish() error {
	sort.Slice(t.deferred, func(i, j int) bool { return t.deferred[i].rel > t.deferred[j].rel })
	for _, d := range t.deferred {
		p := t.Path(d.rel)
		if !d.mtime.IsZero() {
			if err := os.Chtimes(p, d.mtime, d.mtime); err != nil {
				return err
			}
		}
		if d.mode != 0 {
			if err := os.Chmod(p, d.mode); err != nil {
				return err
			}
		}
	}
	t.deferred = nil
	return nil
}
