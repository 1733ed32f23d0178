package cas

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"golang.org/x/sync/errgroup"

	"example.org/bst/internal/digest"
)

// CheckoutOptions controls Checkout.
type CheckoutOptions struct {
	// Hardlinks links files to the object store instead of copying them.
	// Objects are read-only, so are such files: 0444, executables 0555
	// (an executable is linked to a read-only executable copy of the object
	// kept next to it, since one inode cannot have two modes). A file that
	// cannot be linked (another file system, too many links) is copied
	// with the same read-only mode. Linked files are not checked against
	// their digest; copied ones are.
	Hardlinks bool
	// Workers bounds how many files are written at once; zero or less
	// means runtime.GOMAXPROCS(0).
	Workers int
	// Overwrite replaces an existing file or symlink where the tree has a
	// file or symlink, as staging one artifact over another does, and
	// leaves alone (does not stage) a tree file that would replace a
	// non-empty directory; an empty directory is replaced. Without it an
	// existing entry is an error.
	Overwrite bool
	// Ignored, if not nil, is told (from any goroutine) the path, relative
	// to the destination, of each entry Overwrite did not stage.
	Ignored func(rel string)
}

// Checkout writes the tree rooted at the Directory root into dest, which
// is created if needed. Directories are created 0755 (less the umask),
// copied files get mode 0755 if executable and 0644 otherwise, and the
// mtime recorded in their node properties if any; symlinks are created as
// they are. Existing directories are merged into; an existing file or
// symlink where the tree has an entry is an error.
func (l *Local) Checkout(ctx context.Context, root digest.Digest, dest string, opts CheckoutOptions) error {
	if opts.Hardlinks {
		// Executable copies are new objects: keep the collector out.
		unlock, err := l.gc.rlock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return casError(CheckoutFailed, err, "cannot check out into %s", dest)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	c := &checkout{l: l, ctx: gctx, group: g, hardlinks: opts.Hardlinks, overwrite: opts.Overwrite, root: filepath.Clean(dest), ignored: opts.Ignored}
	c.buffers.New = func() any { b := make([]byte, 128<<10); return &b }
	err := c.dir(root, dest)
	if werr := g.Wait(); werr != nil {
		return werr
	}
	return err
}

// checkout is the state of one Checkout: this goroutine creates
// directories and symlinks, workers write files.
type checkout struct {
	l         *Local
	ctx       context.Context
	group     *errgroup.Group
	hardlinks bool
	overwrite bool
	root      string // the checkout's destination
	ignored   func(rel string)
	buffers   sync.Pool
}

// resolveDir follows the symbolic link at p (inside c.root), and any
// links after it, as if c.root were "/", and returns the directory it
// leads to, if that is a directory inside the root. Every component is
// resolved by hand, so no link met on the way (absolute, or climbing with
// "..") can lead out of the root: ".." at the root stays at the root, as
// in a chroot.
func (c *checkout) resolveDir(p string) (string, bool) {
	rel, err := filepath.Rel(c.root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", false
	}
	return resolveInRoot(c.root, rel)
}

// resolveInRoot resolves the slash-separated path rel inside root, link by
// link, and returns the real directory it names (every component a real
// directory, none a link), or false.
func resolveInRoot(root, rel string) (string, bool) {
	var done []string // resolved components, each a real directory
	todo := strings.Split(filepath.ToSlash(rel), "/")
	links := 0
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		cur := filepath.Join(append([]string{root}, append(done, name)...)...)
		info, err := os.Lstat(cur)
		if err != nil {
			return "", false
		}
		switch {
		case info.IsDir():
			done = append(done, name)
		case info.Mode()&fs.ModeSymlink != 0:
			if links++; links > 40 {
				return "", false
			}
			t, err := os.Readlink(cur)
			if err != nil {
				return "", false
			}
			if strings.HasPrefix(t, "/") {
				done = done[:0]
			}
			todo = append(strings.Split(t, "/"), todo...)
		default:
			return "", false
		}
	}
	return filepath.Join(append([]string{root}, done...)...), true
}

// clear makes room for a file or symlink at path when overwriting: it
// removes what is there, unless it is a non-empty directory, which stays
// (and the entry is not staged: ok is false).
func (c *checkout) clear(path string) (ok bool, err error) {
	if !c.overwrite {
		return true, nil
	}
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, casError(CheckoutFailed, err, "cannot check out %s", path)
	}
	if info.IsDir() {
		if err := os.Remove(path); err != nil {
			// Not empty: BuildStream does not stage over it.
			if c.ignored != nil {
				if rel, err := filepath.Rel(c.root, path); err == nil {
					c.ignored(filepath.ToSlash(rel))
				}
			}
			return false, nil
		}
		return true, nil
	}
	if err := os.Remove(path); err != nil {
		return false, casError(CheckoutFailed, err, "cannot check out %s", path)
	}
	return true, nil
}

func (c *checkout) dir(d digest.Digest, path string) error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	dir, err := c.l.GetDirectory(c.ctx, d)
	if err != nil {
		return err
	}
	for _, sub := range dir.GetDirectories() {
		p := filepath.Join(path, sub.GetName())
		if err := os.Mkdir(p, 0o755); err != nil {
			info, serr := os.Lstat(p)
			switch {
			case serr == nil && info.IsDir():
			case serr == nil && info.Mode()&fs.ModeSymlink != 0 && c.overwrite:
				// A symlink to a directory of what is already staged (the
				// merged /usr's lib -> usr/lib): stage through it, resolved
				// inside the checkout root, as BuildStream does.
				target, ok := c.resolveDir(p)
				if !ok {
					return casError(CheckoutFailed, err, "cannot check out %s: it is a symbolic link that does not lead to a directory inside %s", p, c.root)
				}
				p = target
			default:
				return casError(CheckoutFailed, err, "cannot check out %s", p)
			}
		}
		sd, _ := digest.NewFromProto(sub.GetDigest())
		if err := c.dir(sd, p); err != nil {
			return err
		}
	}
	for _, f := range dir.GetFiles() {
		p := filepath.Join(path, f.GetName())
		c.group.Go(func() error { return c.file(f, p) })
	}
	for _, s := range dir.GetSymlinks() {
		p := filepath.Join(path, s.GetName())
		if ok, err := c.clear(p); !ok {
			if err != nil {
				return err
			}
			continue
		}
		if err := os.Symlink(s.GetTarget(), p); err != nil {
			return casError(CheckoutFailed, err, "cannot check out %s", p)
		}
	}
	return nil
}

func (c *checkout) file(node *remoteexecution.FileNode, path string) error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	if ok, err := c.clear(path); !ok {
		return err
	}
	d, _ := digest.NewFromProto(node.GetDigest())
	exec := node.GetIsExecutable()
	if c.hardlinks {
		src := c.l.objectPath(d)
		if exec {
			var err error
			if src, err = c.l.executableCopy(d); err != nil {
				return err
			}
		}
		err := os.Link(src, path)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EXDEV), errors.Is(err, syscall.EMLINK), errors.Is(err, syscall.EPERM):
			// Copy instead, read-only like a link.
		case errors.Is(err, fs.ErrNotExist):
			if ok, _ := exists(src); !ok {
				return notFound(d, err)
			}
			return casError(CheckoutFailed, err, "cannot check out %s", path)
		default:
			return casError(CheckoutFailed, err, "cannot check out %s", path)
		}
	}
	mode := fs.FileMode(0o644)
	if exec {
		mode = 0o755
	}
	if c.hardlinks {
		mode &^= 0o222
	}
	buf := c.buffers.Get().(*[]byte)
	defer c.buffers.Put(buf)
	if err := c.l.copyObject(d, path, mode, *buf); err != nil {
		return err
	}
	if mt := node.GetNodeProperties().GetMtime(); mt != nil {
		t := mt.AsTime()
		if err := os.Chtimes(path, time.Time{}, t); err != nil {
			return casError(CheckoutFailed, err, "cannot check out %s", path)
		}
	}
	return nil
}

// copyObject copies object d to a new file at path with the given mode,
// checking the content against d (a corrupt object is removed and the
// partial copy too).
func (l *Local) copyObject(d digest.Digest, path string, mode fs.FileMode, buf []byte) error {
	in, err := os.Open(l.objectPath(d))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return notFound(d, err)
		}
		return casError(StoreFailed, err, "cannot read blob %s", d)
	}
	defer in.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return casError(CheckoutFailed, err, "cannot check out %s", path)
	}
	g := digest.NewGenerator()
	_, err = io.CopyBuffer(io.MultiWriter(out, g), struct{ io.Reader }{in}, buf)
	if err == nil && g.Sum() != d {
		err = l.corrupt(d, in)
	} else if err != nil {
		err = casError(CheckoutFailed, err, "cannot check out %s", path)
	}
	if err == nil {
		if err = out.Chmod(mode); err != nil {
			err = casError(CheckoutFailed, err, "cannot check out %s", path)
		}
	}
	if cerr := out.Close(); err == nil && cerr != nil {
		err = casError(CheckoutFailed, cerr, "cannot check out %s", path)
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// executableCopy returns the path of the read-only (0555) executable copy
// of object d, making it if needed. The caller holds rlock.
func (l *Local) executableCopy(d digest.Digest) (string, error) {
	dst := l.execPath(d)
	if ok, err := exists(dst); err != nil || ok {
		if err != nil {
			return "", casError(StoreFailed, err, "cannot look up blob %s", d)
		}
		return dst, nil
	}
	tmp, err := l.createTemp()
	if err != nil {
		return "", err
	}
	tmpName := tmp.Name()
	tmp.Close()
	os.Remove(tmpName)
	if err := l.copyObject(d, tmpName, 0o555, make([]byte, 128<<10)); err != nil {
		return "", err
	}
	defer os.Remove(tmpName)
	kind, err := linkInto(tmpName, dst, d)
	if err != nil {
		return "", err
	}
	if kind == recCreated {
		if err := l.record(recExecutable, d); err != nil {
			return "", err
		}
	}
	return dst, nil
}
