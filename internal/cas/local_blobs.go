package cas

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"example.org/bst/internal/digest"
)

// Has reports whether d is stored; if it is, it stays stored for this
// session (it is pinned).
func (l *Local) Has(ctx context.Context, d digest.Digest) (bool, error) {
	missing, err := l.FindMissing(ctx, []digest.Digest{d})
	return len(missing) == 0, err
}

// FindMissing returns the digests of ds that are not stored, in order and
// without duplicates. Those that are stored are pinned for this session, so
// that a caller may rely on them until it refers to them from a ref.
func (l *Local) FindMissing(ctx context.Context, ds []digest.Digest) ([]digest.Digest, error) {
	unlock, err := l.gc.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var missing []digest.Digest
	var recs []byte
	seen := make(map[digest.Digest]bool, len(ds))
	for _, d := range ds {
		if seen[d] {
			continue
		}
		seen[d] = true
		ok, err := exists(l.objectPath(d))
		if err != nil {
			return nil, casError(StoreFailed, err, "cannot look up blob %s", d)
		}
		if ok {
			recs = appendRecord(recs, recPinned, d)
		} else {
			missing = append(missing, d)
		}
	}
	return missing, l.records(recs)
}

// Get returns the content of blob d after checking it against d. A blob
// that does not match is removed and reported as BlobCorrupt.
func (l *Local) Get(ctx context.Context, d digest.Digest) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(l.objectPath(d))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notFound(d, err)
		}
		return nil, casError(StoreFailed, err, "cannot read blob %s", d)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, casError(StoreFailed, err, "cannot read blob %s", d)
	}
	if info.Size() != d.SizeBytes() {
		return nil, l.corrupt(d, f)
	}
	data := make([]byte, d.SizeBytes())
	if _, err := io.ReadFull(f, data); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, l.corrupt(d, f) // shrank since the stat: not ours
		}
		return nil, casError(StoreFailed, err, "cannot read blob %s", d)
	}
	if digest.NewFromBlob(data) != d {
		return nil, l.corrupt(d, f)
	}
	return data, nil
}

// Open returns a reader of blob d that checks the content as it goes: when
// the blob has been read to its end, Read returns BlobCorrupt (and the blob
// is removed) instead of io.EOF if the content does not match d.
func (l *Local) Open(ctx context.Context, d digest.Digest) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(l.objectPath(d))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notFound(d, err)
		}
		return nil, casError(StoreFailed, err, "cannot read blob %s", d)
	}
	return &verifyingReader{l: l, f: f, want: d, gen: digest.NewGenerator()}, nil
}

type verifyingReader struct {
	l    *Local
	f    *os.File
	want digest.Digest
	gen  *digest.Generator
	err  error
}

func (r *verifyingReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.f.Read(p)
	r.gen.Write(p[:n])
	if err == io.EOF {
		if r.gen.Sum() != r.want {
			r.err = r.l.corrupt(r.want, r.f)
			return n, r.err
		}
		r.err = io.EOF
	} else if err != nil {
		r.err = casError(StoreFailed, err, "cannot read blob %s", r.want)
	}
	return n, r.err
}

func (r *verifyingReader) Close() error { return r.f.Close() }

// PutBlob stores data and returns its digest.
func (l *Local) PutBlob(ctx context.Context, data []byte) (digest.Digest, error) {
	d := digest.NewFromBlob(data)
	unlock, err := l.gc.rlock(ctx)
	if err != nil {
		return digest.Digest{}, err
	}
	defer unlock()
	kind, err := l.storeBytes(d, data)
	if err != nil {
		return digest.Digest{}, err
	}
	return d, l.record(kind, d)
}

// Put stores everything r yields. The content is streamed to a temporary
// file while it is hashed, then linked into place.
func (l *Local) Put(ctx context.Context, r io.Reader) (digest.Digest, error) {
	tmp, err := l.createTemp()
	if err != nil {
		return digest.Digest{}, err
	}
	defer removeTemp(tmp)
	g := digest.NewGenerator()
	if _, err := io.Copy(io.MultiWriter(tmp, g), contextReader{ctx, r}); err != nil {
		return digest.Digest{}, casError(StoreFailed, err, "cannot store blob")
	}
	d := g.Sum()
	if err := finishTemp(tmp); err != nil {
		return digest.Digest{}, err
	}
	unlock, err := l.gc.rlock(ctx)
	if err != nil {
		return digest.Digest{}, err
	}
	defer unlock()
	kind, err := l.linkObject(tmp.Name(), d)
	if err != nil {
		return digest.Digest{}, err
	}
	return d, l.record(kind, d)
}

// PutFile stores the content of the regular file at path.
func (l *Local) PutFile(ctx context.Context, path string) (digest.Digest, error) {
	if err := ctx.Err(); err != nil {
		return digest.Digest{}, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return digest.Digest{}, casError(StoreFailed, err, "cannot store %s", path)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return digest.Digest{}, casError(StoreFailed, err, "cannot store %s", path)
	}
	if !info.Mode().IsRegular() {
		return digest.Digest{}, casError(StoreFailed, nil, "cannot store %s: not a regular file", path)
	}
	unlock, err := l.gc.rlock(ctx)
	if err != nil {
		return digest.Digest{}, err
	}
	defer unlock()
	d, kind, err := l.storeOpenFile(f, "", info, make([]byte, 128<<10))
	if err != nil {
		return digest.Digest{}, casError(StoreFailed, err, "cannot store %s", path)
	}
	return d, l.record(kind, d)
}

// storeOpenFile stores the open regular file fh (described by info) and
// returns its digest and the session record kind, which the caller writes
// (before it releases rlock); buf is a read buffer. A file that fits in buf
// is read once; a larger one is hashed first, so that a file already
// stored is only read, and copied (copy_file_range, a reflink where the
// file system can) only when missing.
//
// adopt, if not empty, is fh's path in a tree that is given away: a missing
// object is then made from the file itself, by hard link, when the file has
// no other name (so nobody else can write it later) and is on the cache's
// file system; the file becomes read-only. Otherwise it is copied. The
// caller holds rlock.
func (l *Local) storeOpenFile(fh *os.File, adopt string, info fs.FileInfo, buf []byte) (digest.Digest, byte, error) {
	var d digest.Digest
	small := info.Size() < int64(len(buf))
	if small {
		n, err := io.ReadFull(fh, buf)
		if err != io.ErrUnexpectedEOF && err != io.EOF {
			if err == nil {
				err = errors.New("file grew while being stored")
			}
			return digest.Digest{}, 0, err
		}
		buf = buf[:n]
		d = digest.NewFromBlob(buf)
	} else {
		g := digest.NewGenerator()
		if _, err := g.ReadFromBuffer(fh, buf); err != nil {
			return digest.Digest{}, 0, err
		}
		d = g.Sum()
	}
	ok, err := exists(l.objectPath(d))
	if err != nil || ok {
		return d, recPinned, err
	}
	if adopt != "" && soleName(info) {
		kind, done, err := l.adoptFile(fh, adopt, info, d)
		if err != nil || done {
			return d, kind, err
		}
	}
	if small {
		kind, err := l.storeBytes(d, buf)
		return d, kind, err
	}
	tmp, err := l.createTemp()
	if err != nil {
		return digest.Digest{}, 0, err
	}
	defer removeTemp(tmp)
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return digest.Digest{}, 0, err
	}
	n, err := io.Copy(tmp, fh)
	if err != nil {
		return digest.Digest{}, 0, err
	}
	after, err := fh.Stat()
	if err != nil {
		return digest.Digest{}, 0, err
	}
	if n != d.SizeBytes() || changed(info, after) {
		return digest.Digest{}, 0, errors.New("file changed while being stored")
	}
	if err := finishTemp(tmp); err != nil {
		return digest.Digest{}, 0, err
	}
	kind, err := l.linkObject(tmp.Name(), d)
	return d, kind, err
}

// soleName reports whether the file has a single name (link count 1).
func soleName(info fs.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && st.Nlink == 1
}

// adoptFile makes the file at path (open as fh, hashed to d) object d by
// hard link. done is false, with no error, when it cannot (another file
// system, no hard links): the caller then copies.
func (l *Local) adoptFile(fh *os.File, path string, info fs.FileInfo, d digest.Digest) (kind byte, done bool, err error) {
	after, err := fh.Stat()
	if err != nil {
		return 0, false, err
	}
	if after.Size() != d.SizeBytes() || changed(info, after) {
		return 0, false, errors.New("file changed while being stored")
	}
	if err := fh.Chmod(0o444); err != nil {
		return 0, false, err
	}
	switch err := linkObjectFile(path, l.objectPath(d)); {
	case err == nil:
		return recCreated, true, nil
	case errors.Is(err, fs.ErrExist):
		return recPinned, true, nil
	case errors.Is(err, syscall.EXDEV), noHardLinks(err):
		return 0, false, nil
	default:
		return 0, false, casError(StoreFailed, err, "cannot store blob %s", d)
	}
}

// changed reports whether a file's size, modification or change time
// differ between two stats of it.
func changed(before, after fs.FileInfo) bool {
	if before.Size() != after.Size() || !before.ModTime().Equal(after.ModTime()) {
		return true
	}
	b, ok1 := before.Sys().(*syscall.Stat_t)
	a, ok2 := after.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && b.Ctim != a.Ctim
}

// storeBytes stores data as blob d unless it is there already, and
// returns the session record kind (recCreated or recPinned). The caller
// holds rlock or wlock and writes the record.
func (l *Local) storeBytes(d digest.Digest, data []byte) (byte, error) {
	ok, err := exists(l.objectPath(d))
	if err != nil {
		return 0, casError(StoreFailed, err, "cannot store blob %s", d)
	}
	if ok {
		return recPinned, nil
	}
	tmp, err := l.createTemp()
	if err != nil {
		return 0, err
	}
	defer removeTemp(tmp)
	if _, err := tmp.Write(data); err != nil {
		return 0, casError(StoreFailed, err, "cannot store blob %s", d)
	}
	if err := finishTemp(tmp); err != nil {
		return 0, err
	}
	return l.linkObject(tmp.Name(), d)
}

// createTemp creates a temporary file in cas/tmp named after the session,
// so that the collector can remove what a killed session left behind.
func (l *Local) createTemp() (*os.File, error) {
	f, err := os.CreateTemp(l.tmpPath(), l.sessionID()+"-*")
	if err != nil {
		return nil, casError(StoreFailed, err, "cannot create a temporary file in the cache")
	}
	return f, nil
}

// finishTemp makes a written temporary file read-only and closes it.
func finishTemp(f *os.File) error {
	if err := f.Chmod(0o444); err != nil {
		return casError(StoreFailed, err, "cannot store blob")
	}
	if err := f.Close(); err != nil {
		return casError(StoreFailed, err, "cannot store blob")
	}
	return nil
}

// removeTemp closes and removes a temporary file (a no-op on one already
// closed and linked: removing the temporary name leaves the object).
func removeTemp(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// linkObject puts the complete temporary file tmp in place as object d.
// link(2) fails if the object exists, so of two writers of the same new
// object exactly one records it as created (the usage count stays exact)
// and a reader never sees a partial object: the temporary file is complete
// before it gets the object's name. The caller holds rlock or wlock.
func (l *Local) linkObject(tmp string, d digest.Digest) (byte, error) {
	return linkInto(tmp, l.objectPath(d), d)
}

func linkInto(tmp, dst string, d digest.Digest) (byte, error) {
	switch err := linkObjectFile(tmp, dst); {
	case err == nil:
		return recCreated, nil
	case errors.Is(err, fs.ErrExist):
		return recPinned, nil
	case noHardLinks(err):
		// A file system without hard links: rename is atomic too, but a
		// concurrent writer of the same object may also count it.
		if err := os.Rename(tmp, dst); err != nil {
			return 0, casError(StoreFailed, err, "cannot store blob %s", d)
		}
		return recCreated, nil
	default:
		return 0, casError(StoreFailed, err, "cannot store blob %s", d)
	}
}

// linkObjectFile hard-links src as the object file dst, creating the
// object's directory objects/<2 hex> on first use.
func linkObjectFile(src, dst string) error {
	err := os.Link(src, dst)
	if errors.Is(err, fs.ErrNotExist) {
		if mkErr := os.MkdirAll(filepath.Dir(dst), 0o755); mkErr != nil {
			return mkErr
		}
		err = os.Link(src, dst)
	}
	return err
}

// noHardLinks reports a link(2) error of a file system (or file) that
// takes no more hard links.
func noHardLinks(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EMLINK)
}

// corrupt removes object d, whose content (open as f) does not match its
// digest, and returns the BlobCorrupt error. The object is renamed away
// only if it is still the file we read, so a good copy stored meanwhile by
// someone else survives. No lock is needed: storing never replaces an
// existing object, and the reference count record stays, so storing the
// blob again repairs every tree that uses it.
func (l *Local) corrupt(d digest.Digest, f *os.File) error {
	err := casError(BlobCorrupt, nil, "blob %s in the cache is corrupt and was removed", d)
	path := l.objectPath(d)
	read, err1 := f.Stat()
	cur, err2 := os.Lstat(path)
	if err1 != nil || err2 != nil || !os.SameFile(read, cur) {
		return err
	}
	trash := filepath.Join(l.tmpPath(), l.sessionID()+"-corrupt-"+randomID())
	if os.Rename(path, trash) == nil {
		os.Remove(trash)
		l.record(recRemoved, d)
	}
	return err
}

// contextReader stops a copy when ctx is done.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
