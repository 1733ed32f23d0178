package cas

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/digest"
	"example.org/bst/internal/lockedfile"
)

// refTouchInterval is how stale a ref's mtime must be before GetRef
// updates it: as in cmd/go's cache, mtimes say "last used" only coarsely,
// which saves an inode update and a ref log line on most reads.
const refTouchInterval = time.Minute

// Refs name trees: a ref "<namespace>/<name>" (say
// "artifacts/project/element/0123abcd") is the file
// <root>/<namespace>/refs/<name> holding the serialized REAPI Digest of a
// Directory, as BuildStream 1's refs do. Its mtime is its last use, to
// whole seconds.

// refPath validates ref and returns its file.
func (l *Local) refPath(ref string) (string, error) {
	ns, name, ok := strings.Cut(ref, "/")
	if !ok || ns == "cas" || !validRefComponent(ns) {
		return "", casError(InvalidRef, nil, "invalid ref %q: want <namespace>/<name>, namespace not \"cas\"", ref)
	}
	for _, c := range strings.Split(name, "/") {
		if !validRefComponent(c) {
			return "", casError(InvalidRef, nil, "invalid ref %q", ref)
		}
	}
	return filepath.Join(l.root, ns, "refs", filepath.FromSlash(name)), nil
}

func validRefComponent(c string) bool {
	return c != "" && c != "." && c != ".." && !strings.ContainsAny(c, "\x00\n\r")
}

// readRef reads the ref file at path.
func readRef(ref, path string) (digest.Digest, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return digest.Digest{}, casError(RefNotFound, err, "ref %s not found", ref)
	}
	if err != nil {
		return digest.Digest{}, casError(StoreFailed, err, "cannot read ref %s", ref)
	}
	var p remoteexecution.Digest
	if err := proto.Unmarshal(b, &p); err != nil {
		return digest.Digest{}, casError(InvalidRef, err, "ref %s is corrupt", ref)
	}
	d, err := digest.NewFromProto(&p)
	if err != nil {
		return digest.Digest{}, casError(InvalidRef, err, "ref %s is corrupt", ref)
	}
	return d, nil
}

// SetRef points ref at root, a Directory stored with ImportTree,
// PutDirectory or Merge; the tree is kept as long as the ref exists. The
// ref counts as just used. Replacing a ref releases its old tree.
func (l *Local) SetRef(ctx context.Context, ref string, root digest.Digest) error {
	path, err := l.refPath(ref)
	if err != nil {
		return err
	}
	unlock, err := l.wlock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r, err := l.readRefcount(root)
	if err != nil {
		return err
	}
	if ok, err := exists(l.objectPath(root)); err != nil || !ok || !r.dir {
		if err != nil {
			return casError(StoreFailed, err, "cannot look up blob %s", root)
		}
		return casError(InvalidTree, nil, "cannot set ref %s: %s is not a stored directory", ref, root)
	}
	old, oldErr := readRef(ref, path)
	hadOld := oldErr == nil
	if !hadOld || old != root {
		// The new holder first: a crash leaves one count too many.
		if _, err := l.adjustRefcountLocked(root, 1, false); err != nil {
			return err
		}
	}
	t := time.Unix(l.now().Unix(), 0)
	// The log line goes first too: without its ref file (a crash) it is
	// stale and skipped.
	if err := l.appendRefLog(t, ref); err != nil {
		return err
	}
	if err := l.writeRefFile(path, root, t); err != nil {
		return err
	}
	if hadOld && old != root {
		return l.releaseLocked(old)
	}
	return nil
}

// writeRefFile writes the ref file through a temporary file that already
// has its mtime, so the ref never exists with another time.
func (l *Local) writeRefFile(path string, root digest.Digest, t time.Time) error {
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(root.Proto())
	if err != nil {
		panic("cas: marshal Digest: " + err.Error())
	}
	tmp, err := l.createTemp()
	if err != nil {
		return err
	}
	defer removeTemp(tmp)
	if _, err := tmp.Write(data); err != nil {
		return casError(StoreFailed, err, "cannot write ref")
	}
	if err := tmp.Close(); err != nil {
		return casError(StoreFailed, err, "cannot write ref")
	}
	if err := os.Chtimes(tmp.Name(), t, t); err != nil {
		return casError(StoreFailed, err, "cannot write ref")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return casError(StoreFailed, err, "cannot write ref")
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return casError(StoreFailed, err, "cannot write ref")
	}
	return nil
}

// GetRef returns the root digest ref points at, pins it for this session
// (so no process expires the tree while this one uses it), and marks the
// ref used: its mtime becomes now if it was older than a minute.
func (l *Local) GetRef(ctx context.Context, ref string) (digest.Digest, error) {
	path, err := l.refPath(ref)
	if err != nil {
		return digest.Digest{}, err
	}
	unlock, err := l.gc.rlock(ctx)
	if err != nil {
		return digest.Digest{}, err
	}
	defer unlock()
	d, err := readRef(ref, path)
	if err != nil {
		return digest.Digest{}, err
	}
	if err := l.record(recPinned, d); err != nil {
		return digest.Digest{}, err
	}
	return d, l.touchRef(ref, path)
}

// GetRefs is GetRef of each of refs under one lock of the cache, for the
// many lookups of a pipeline: found[i] reports whether refs[i] exists, and
// roots[i] is then its root. A ref that does not exist is not an error.
func (l *Local) GetRefs(ctx context.Context, refs []string) (roots []digest.Digest, found []bool, err error) {
	paths := make([]string, len(refs))
	for i, ref := range refs {
		if paths[i], err = l.refPath(ref); err != nil {
			return nil, nil, err
		}
	}
	unlock, err := l.gc.rlock(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	roots, found = make([]digest.Digest, len(refs)), make([]bool, len(refs))
	var recs []byte
	dirs := refDirs{}
	for i, ref := range refs {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if !dirs.mayExist(paths[i]) {
			continue
		}
		d, err := readRef(ref, paths[i])
		if bsterr.ReasonOf(err) == RefNotFound {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		roots[i], found[i] = d, true
		recs = appendRecord(recs, recPinned, d)
	}
	if err := l.records(recs); err != nil {
		return nil, nil, err
	}
	for i, ref := range refs {
		if found[i] {
			if err := l.touchRef(ref, paths[i]); err != nil {
				return nil, nil, err
			}
		}
	}
	return roots, found, nil
}

// refDirs answers whether a ref's directory may exist from one listing of
// the directory above it, so that looking up many refs of elements that
// were never cached (a fresh cache: all of them) costs a listing per
// project rather than a failed open per ref.
type refDirs map[string]map[string]bool // grandparent -> names of its subdirectories; nil: not listable

func (r refDirs) mayExist(path string) bool {
	parent := filepath.Dir(path)
	grand := filepath.Dir(parent)
	names, ok := r[grand]
	if !ok {
		ents, err := os.ReadDir(grand)
		switch {
		case err == nil:
			names = make(map[string]bool, len(ents))
			for _, e := range ents {
				names[e.Name()] = true
			}
		case errors.Is(err, fs.ErrNotExist):
			names = map[string]bool{}
		default:
			names = nil // cannot tell: open each ref
		}
		r[grand] = names
	}
	return names == nil || names[filepath.Base(parent)]
}

// touchRef marks the ref at path used: its mtime becomes now if it was
// older than refTouchInterval. The caller holds rlock.
func (l *Local) touchRef(ref, path string) error {
	info, err := os.Lstat(path)
	if err != nil {
		return nil // replaced meanwhile by a rename: nothing to touch
	}
	if now := l.now(); now.Sub(info.ModTime()) >= refTouchInterval {
		t := time.Unix(now.Unix(), 0)
		if err := l.appendRefLog(t, ref); err != nil {
			return err
		}
		os.Chtimes(path, t, t) // best effort, as cmd/go's markUsed
	}
	return nil
}

// DeleteRef removes ref; objects that no other ref, directory or live
// session needs go at once.
func (l *Local) DeleteRef(ctx context.Context, ref string) error {
	path, err := l.refPath(ref)
	if err != nil {
		return err
	}
	unlock, err := l.wlock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	d, err := readRef(ref, path)
	if bsterr.ReasonOf(err) == InvalidRef {
		// A corrupt ref file holds nothing we can release: just remove it.
		return removeRefFile(ref, path)
	}
	if err != nil {
		return err
	}
	if err := removeRefFile(ref, path); err != nil {
		return err
	}
	return l.releaseLocked(d)
}

func removeRefFile(ref, path string) error {
	if err := os.Remove(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return casError(RefNotFound, err, "ref %s not found", ref)
		}
		return casError(StoreFailed, err, "cannot remove ref %s", ref)
	}
	return nil
}

// releaseLocked drops one ref holder of d and collects what that frees.
// The caller holds wlock.
func (l *Local) releaseLocked(d digest.Digest) error {
	r, err := l.adjustRefcountLocked(d, -1, false)
	if err != nil || r.holders > 0 {
		return err
	}
	live, err := l.liveSessions()
	if err != nil {
		return err
	}
	pins, err := l.livePinsLocked(live)
	if err != nil {
		return casError(StoreFailed, err, "cannot read cache sessions")
	}
	var st collectStats
	err = l.collectLocked([]digest.Digest{d}, pins, &st)
	if st.objects == 0 {
		return err
	}
	base, uerr := l.readBaseUsage()
	if uerr == nil {
		uerr = l.writeBaseUsageLocked(usage{base.bytes - st.bytes, base.objects - st.objects})
	}
	if err == nil {
		err = uerr
	}
	return err
}

// liveSessions lists the logs of sessions still running: those whose lock
// is held. (Finished ones stay for Expire to fold.)
func (l *Local) liveSessions() ([]string, error) {
	names, err := l.sessionLogs()
	if err != nil {
		return nil, casError(StoreFailed, err, "cannot list cache sessions")
	}
	var live []string
	for _, name := range names {
		f, err := lockedfile.TryOpenFile(filepath.Join(l.casDir, sessionsDir, name), os.O_RDWR, 0)
		if err == nil {
			f.Close()
			continue
		}
		if errors.Is(err, lockedfile.ErrLocked) {
			live = append(live, name)
		}
	}
	return live, nil
}

// ListRefs returns the refs of a namespace ("artifacts", "sources", ...),
// sorted, each as "<namespace>/<name>".
func (l *Local) ListRefs(ctx context.Context, namespace string) ([]string, error) {
	if namespace == "cas" || !validRefComponent(namespace) || strings.Contains(namespace, "/") {
		return nil, casError(InvalidRef, nil, "invalid ref namespace %q", namespace)
	}
	dir := filepath.Join(l.root, namespace, "refs")
	var refs []string
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == dir {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, path)
			refs = append(refs, namespace+"/"+filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, casError(StoreFailed, err, "cannot list refs of %s", namespace)
	}
	return refs, nil
}
