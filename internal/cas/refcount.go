package cas

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"example.org/bst/internal/digest"
)

// A refcount is an object's reference count record in the refTable: how
// many holders it has, and whether it is a registered Directory (one stored
// with PutDirectory or ImportTree, whose existence holds its children). The
// holders of an object are the refs that point at it plus the registered
// Directories that list it (once per entry). No record means no holders and
// not registered. Records change only under wlock.
type refcount struct {
	holders int64
	dir     bool
}

// wlock takes the writer lock; the reference count table may be used until
// the returned function releases it.
func (l *Local) wlock(ctx context.Context) (func(), error) {
	unlock, err := l.gc.wlock(ctx)
	if err != nil {
		return nil, err
	}
	l.rtChecked = false
	return func() {
		if l.rt != nil {
			l.rt.flush() // only the load counters: lost, they just delay a rehash
		}
		l.rtChecked = false
		unlock()
	}, nil
}

// table returns the reference count table for this wlock section:
// reopened if another process replaced it (a rehash), its header reread
// since other processes change the counts. A table that is missing from a
// cache that has been used (deleted by hand) is rebuilt from scratch.
func (l *Local) table(ctx context.Context) (*refTable, error) {
	if l.rtChecked {
		return l.rt, nil
	}
	path := filepath.Join(l.casDir, refcountsName)
	info, err := os.Stat(path)
	switch {
	case err == nil && l.rt != nil && inode(info) == l.rt.ino:
		if err := l.rt.readHeader(); err != nil {
			return nil, casError(StoreFailed, err, "cannot read reference counts")
		}
	default:
		if l.rt != nil {
			l.rt.f.Close()
			l.rt = nil
		}
		missing := errors.Is(err, fs.ErrNotExist)
		rt, err := openRefTable(path, true)
		if err != nil {
			return nil, casError(StoreFailed, err, "cannot open reference counts (Repair rebuilds them)")
		}
		l.rt = rt
		if missing && l.cacheWasUsed() {
			l.rtChecked = true
			a, err := l.auditLocked(ctx, false)
			if err == nil {
				err = l.rebuildTableLocked(a)
			}
			if err != nil {
				l.rtChecked = false
				return nil, err
			}
		}
	}
	l.rtChecked = true
	return l.rt, nil
}

const refcountsName = "refcounts"

// cacheWasUsed reports whether the cache holds anything a reference count
// could be needed for.
func (l *Local) cacheWasUsed() bool {
	for _, p := range []string{l.usageFile(), l.refLogPath()} {
		if ok, _ := exists(p); ok {
			return true
		}
	}
	return false
}

// readRefcount returns d's record (the zero record if there is none). The
// caller holds wlock.
func (l *Local) readRefcount(d digest.Digest) (refcount, error) {
	t, err := l.table(context.Background())
	if err != nil {
		return refcount{}, err
	}
	r, err := t.get(tableKeyOf(keyOf(d)))
	if err != nil {
		return refcount{}, casError(StoreFailed, err, "cannot read the reference count of %s", d)
	}
	return r, nil
}

// adjustRefcountLocked adds delta holders to d's record and, with
// register, marks it a registered Directory; it returns the new record.
// The caller holds wlock.
func (l *Local) adjustRefcountLocked(d digest.Digest, delta int64, register bool) (refcount, error) {
	r, err := l.readRefcount(d)
	if err != nil {
		return refcount{}, err
	}
	r.holders = max(r.holders+delta, 0)
	r.dir = r.dir || register
	if err := l.rt.set(tableKeyOf(keyOf(d)), r); err != nil {
		return refcount{}, casError(StoreFailed, err, "cannot update the reference count of %s", d)
	}
	return r, nil
}

// unregisterLocked removes d's record. The caller holds wlock.
func (l *Local) unregisterLocked(d digest.Digest) error {
	if _, err := l.table(context.Background()); err != nil {
		return err
	}
	if err := l.rt.set(tableKeyOf(keyOf(d)), refcount{}); err != nil {
		return casError(StoreFailed, err, "cannot update the reference count of %s", d)
	}
	return nil
}

// children lists the digests a Directory holds: its files and
// subdirectories, once per entry.
func children(dir *remoteexecution.Directory) ([]digest.Digest, error) {
	out := make([]digest.Digest, 0, len(dir.GetFiles())+len(dir.GetDirectories()))
	for _, f := range dir.GetFiles() {
		d, err := digest.NewFromProto(f.GetDigest())
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	for _, sub := range dir.GetDirectories() {
		d, err := digest.NewFromProto(sub.GetDigest())
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// registerLocked makes the Directory d (serialized as blob, decoded as
// dir) a registered Directory holding its children, and stores it. It
// returns the session record kind for d. With check, each child must be
// stored, and subdirectories registered, first.
//
// Order for crash safety: children's counts go up, then d is marked
// registered, then d's object appears. A crash in between leaves counts
// too high (a leak), never too low.
func (l *Local) registerLocked(d digest.Digest, blob []byte, dir *remoteexecution.Directory, check bool) (byte, error) {
	r, err := l.readRefcount(d)
	if err != nil {
		return 0, err
	}
	if !r.dir {
		kids, err := children(dir)
		if err != nil {
			return 0, casError(InvalidTree, err, "invalid directory %s", d)
		}
		if check {
			if err := l.checkChildren(d, dir); err != nil {
				return 0, err
			}
		}
		for _, k := range kids {
			if _, err := l.adjustRefcountLocked(k, 1, false); err != nil {
				return 0, err
			}
		}
		if _, err := l.adjustRefcountLocked(d, 0, true); err != nil {
			return 0, err
		}
	}
	return l.storeBytes(d, blob)
}

// checkChildren verifies that dir's files are stored and its
// subdirectories registered.
func (l *Local) checkChildren(d digest.Digest, dir *remoteexecution.Directory) error {
	for _, f := range dir.GetFiles() {
		fd, _ := digest.NewFromProto(f.GetDigest())
		ok, err := exists(l.objectPath(fd))
		if err != nil {
			return casError(StoreFailed, err, "cannot look up blob %s", fd)
		}
		if !ok {
			return casError(InvalidTree, nil, "directory %s: file %q (%s) is not stored", d, f.GetName(), fd)
		}
	}
	for _, sub := range dir.GetDirectories() {
		sd, _ := digest.NewFromProto(sub.GetDigest())
		r, err := l.readRefcount(sd)
		if err != nil {
			return err
		}
		ok, err := exists(l.objectPath(sd))
		if err != nil {
			return casError(StoreFailed, err, "cannot look up blob %s", sd)
		}
		if !r.dir || !ok {
			return casError(InvalidTree, nil, "directory %s: subdirectory %q (%s) is not a stored directory", d, sub.GetName(), sd)
		}
	}
	return nil
}

// collectStats counts what a collection removed.
type collectStats struct {
	objects, bytes int64
	examined       int64 // candidates looked at
}

// collectLocked removes the candidates that have no holders and no live
// pin, and then, transitively, the children that their removal leaves
// without holders. Its cost is proportional to what it removes (plus the
// children of removed Directories), not to the size of the store. A
// candidate with a live pin stays: it is in that session's log, and is
// considered again once the session is over. The caller holds wlock.
func (l *Local) collectLocked(candidates []digest.Digest, pins pinSet, st *collectStats) error {
	work := candidates
	for len(work) > 0 {
		d := work[len(work)-1]
		work = work[:len(work)-1]
		st.examined++
		r, err := l.readRefcount(d)
		if err != nil {
			return err
		}
		if r.holders > 0 || pins.has(d) {
			continue
		}
		var kids []digest.Digest
		if r.dir {
			// Unregister first: if we crash below, the children keep a
			// count too many (a leak), never one too few.
			kids = l.directoryChildren(d)
			if err := l.unregisterLocked(d); err != nil {
				return err
			}
		}
		if err := l.removeObject(d, st); err != nil {
			return err
		}
		for _, k := range kids {
			kr, err := l.adjustRefcountLocked(k, -1, false)
			if err != nil {
				return err
			}
			if kr.holders == 0 {
				work = append(work, k)
			}
		}
	}
	return nil
}

// directoryChildren reads the registered Directory d's children for
// unregistering it; if it cannot be read (it was removed as corrupt, or a
// crash lost it), the children keep their counts: a leak for Repair.
func (l *Local) directoryChildren(d digest.Digest) []digest.Digest {
	blob, err := os.ReadFile(l.objectPath(d))
	if err != nil || digest.NewFromBlob(blob) != d {
		return nil
	}
	var dir remoteexecution.Directory
	if proto.Unmarshal(blob, &dir) != nil {
		return nil
	}
	kids, err := children(&dir)
	if err != nil {
		return nil
	}
	return kids
}

// removeObject deletes object d and its executable copy, if any.
func (l *Local) removeObject(d digest.Digest, st *collectStats) error {
	for _, path := range []string{l.objectPath(d), l.execPath(d)} {
		err := os.Remove(path)
		switch {
		case err == nil:
			st.objects++
			st.bytes += d.SizeBytes()
		case errors.Is(err, fs.ErrNotExist):
		default:
			return casError(StoreFailed, err, "cannot remove blob %s", d)
		}
	}
	return nil
}
