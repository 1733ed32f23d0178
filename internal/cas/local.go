package cas

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"example.org/bst/internal/digest"
)

// LocalOptions configures a Local store. The zero value means no quota.
type LocalOptions struct {
	// Quota is the usage, in bytes of stored objects, above which Expire
	// removes least recently used refs (BuildStream's cache.quota,
	// buildbox-casd's --quota-high). Zero means no quota.
	Quota int64
	// LowWatermark is the fraction of the quota that Expire brings usage
	// down to once it has been exceeded (cache.low-watermark, casd's
	// --quota-low). Zero or less means 0.8; it is capped at 1.
	LowWatermark float64
	// ReservedDiskSpace is free space, in bytes, to keep on the file system
	// of the cache (cache.reserved-disk-space, casd's --reserved): when
	// less is free, the effective quota shrinks to usage + free - reserved.
	// Callers turn BuildStream's percentages into bytes with DiskSpace.
	ReservedDiskSpace int64
	// Now is the clock for ref times; nil means time.Now.
	Now func() time.Time
	// DiskSpace reports the file system's total and free bytes; nil means
	// the DiskSpace function (statfs). A seam for tests.
	DiskSpace func(path string) (total, free int64, err error)
}

// Local is the on-disk store under a cache directory (see the package
// documentation for the layout and the expiry design). It is safe for use
// by many goroutines, and by many processes sharing the directory.
//
// A Local is also a session: every blob it stores or finds, and every ref
// it reads, stays protected from expiry (by any process) until
// ReleasePins or Close. Close it when done.
type Local struct {
	root   string // the cache directory: cas/ and the ref namespaces
	casDir string
	opts   LocalOptions
	now    func() time.Time

	gc *gcLock

	mu      sync.Mutex // guards session
	session *session   // our pin log; replaced by ReleasePins
	logs    logCache   // what we have read of every session log

	// The reference count table, used only under wlock (which also orders
	// these fields between goroutines); rtChecked is set once it has been
	// checked in the current wlock section.
	rt        *refTable
	rtChecked bool
}

var _ Store = (*Local)(nil)

// Directory names under casDir.
const (
	objectsDir  = "objects"
	tmpDir      = "tmp"
	sessionsDir = "sessions"
)

// NewLocal opens (creating if needed) the store under root: objects live in
// root/cas, refs in root/<namespace>/refs.
func NewLocal(root string, opts LocalOptions) (*Local, error) {
	if opts.LowWatermark <= 0 {
		opts.LowWatermark = 0.8
	}
	opts.LowWatermark = min(opts.LowWatermark, 1)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DiskSpace == nil {
		opts.DiskSpace = DiskSpace
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, casError(StoreFailed, err, "cannot open cache %s", root)
	}
	l := &Local{root: abs, casDir: filepath.Join(abs, "cas"), opts: opts, now: opts.Now}
	for _, dir := range []string{objectsDir, tmpDir, sessionsDir} {
		if err := os.MkdirAll(filepath.Join(l.casDir, dir), 0o755); err != nil {
			return nil, casError(StoreFailed, err, "cannot create cache directory %s", l.casDir)
		}
	}
	if l.gc, err = newGCLock(l.casDir); err != nil {
		return nil, err
	}
	l.logs.init()
	s, err := l.openSession(context.Background())
	if err != nil {
		l.gc.close()
		return nil, err
	}
	l.session = s
	return l, nil
}

// Root returns the cache directory.
func (l *Local) Root() string { return l.root }

// Close ends the session: what it pinned loses its protection, and the
// next Expire (of any process) removes what it stored that no ref uses.
// The Local must not be used afterwards.
func (l *Local) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.session == nil {
		return nil
	}
	err := l.session.close()
	l.session = nil
	if l.rt != nil { // its header was flushed when the last wlock ended
		l.rt.f.Close()
		l.rt = nil
	}
	l.gc.close()
	if err != nil {
		return casError(StoreFailed, err, "cannot close cache session")
	}
	return nil
}

// ReleasePins starts a new session and ends the current one, so that what
// this Local stored or read so far is no longer protected beyond the refs
// that hold it. Call it only when no import, SetRef or checkout of this
// Local is in flight (between commands of a long-lived process).
func (l *Local) ReleasePins(ctx context.Context) error {
	s, err := l.openSession(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	old := l.session
	l.session = s
	l.mu.Unlock()
	if old != nil {
		if err := old.close(); err != nil {
			return casError(StoreFailed, err, "cannot close cache session")
		}
	}
	return nil
}

// objectPath is where the blob d lives: objects/<2 hex>/<62 hex>.
func (l *Local) objectPath(d digest.Digest) string {
	h := d.Hash()
	return filepath.Join(l.casDir, objectsDir, h[:2], h[2:])
}

// execPath is the read-only executable copy of d made for hardlinked
// checkouts, next to the object.
func (l *Local) execPath(d digest.Digest) string { return l.objectPath(d) + ".x" }

func (l *Local) tmpPath() string { return filepath.Join(l.casDir, tmpDir) }

// exists reports whether path names an existing file.
func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, err
}

func randomID() string {
	var b [12]byte
	rand.Read(b[:]) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b[:])
}
