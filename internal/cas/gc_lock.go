package cas

import (
	"context"
	"os"
	"path/filepath"
	"sync"

	"example.org/bst/internal/lockedfile"
)

// gcLock is the store-wide reader/writer lock between processes (and
// goroutines) that use objects and the collector that removes them.
//
// Readers (rlock) are the operations that store or find objects and pin
// them: between their check ("the object is there") and their pin record
// no collector may run. Writers (wlock) change reference counts and remove
// objects: Expire, SetRef, DeleteRef, directory registration, Repair.
//
// cas/gc.lock is the lock itself: flock shared for readers, exclusive for
// writers. Within a process the readers share one shared lock, taken by the
// first and released by the last, so most readers cost no system call for
// it. Because flock has no fairness, a writer first takes cas/gc.turnstile
// exclusively and holds it while it waits and works; readers pass the
// turnstile (a shared lock taken and dropped at once) before joining, so a
// waiting writer stops new readers and gets in when the current ones
// finish.
//
// The lock files stay open for the Local's life, one open file description
// per role (flock locks belong to the description: sharing one between a
// reader and a writer would convert locks instead of excluding).
//
// Rules that keep this deadlock-free: no method takes rlock or wlock while
// holding either (helpers named ...Locked expect the caller to hold the
// right one), and nothing holding rlock waits for a writer.
type gcLock struct {
	readTurnstile, readLock   *os.File // readers' descriptions
	writeTurnstile, writeLock *os.File // the writer's descriptions

	pass    chan struct{} // serializes this process's readers passing the turnstile
	writers chan struct{} // serializes this process's writers

	mu      sync.Mutex
	readers int // this process's readers inside; readLock is held while > 0
}

func newGCLock(casDir string) (*gcLock, error) {
	g := &gcLock{pass: make(chan struct{}, 1), writers: make(chan struct{}, 1)}
	for _, f := range []struct {
		dst  **os.File
		name string
	}{
		{&g.readTurnstile, "gc.turnstile"}, {&g.writeTurnstile, "gc.turnstile"},
		{&g.readLock, "gc.lock"}, {&g.writeLock, "gc.lock"},
	} {
		file, err := os.OpenFile(filepath.Join(casDir, f.name), os.O_RDWR|os.O_CREATE, 0o666)
		if err != nil {
			g.close()
			return nil, casError(StoreFailed, err, "cannot open the cache lock")
		}
		*f.dst = file
	}
	return g, nil
}

func (g *gcLock) close() {
	for _, f := range []*os.File{g.readTurnstile, g.writeTurnstile, g.readLock, g.writeLock} {
		if f != nil {
			f.Close()
		}
	}
}

// acquire takes a channel semaphore, or gives up when ctx is done.
func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// rlock joins the readers. The returned function leaves (once).
func (g *gcLock) rlock(ctx context.Context) (func(), error) {
	if err := g.passTurnstile(ctx); err != nil {
		return nil, casError(StoreFailed, err, "cannot lock the cache")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.readers == 0 {
		// Having passed the turnstile, no writer holds gc.lock (writers
		// hold the turnstile while they do) unless one got in just now;
		// then this waits for it, which is fine.
		if err := lockedfile.LockContext(ctx, g.readLock, true); err != nil {
			return nil, casError(StoreFailed, err, "cannot lock the cache")
		}
	}
	g.readers++
	return sync.OnceFunc(g.runlock), nil
}

func (g *gcLock) passTurnstile(ctx context.Context) error {
	if err := acquire(ctx, g.pass); err != nil {
		return err
	}
	defer func() { <-g.pass }()
	if err := lockedfile.LockContext(ctx, g.readTurnstile, true); err != nil {
		return err
	}
	return lockedfile.Unlock(g.readTurnstile)
}

func (g *gcLock) runlock() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.readers--
	if g.readers == 0 {
		lockedfile.Unlock(g.readLock)
	}
}

// wlock takes the lock exclusively. The returned function releases it.
func (g *gcLock) wlock(ctx context.Context) (func(), error) {
	if err := acquire(ctx, g.writers); err != nil {
		return nil, err
	}
	if err := lockedfile.LockContext(ctx, g.writeTurnstile, false); err != nil {
		<-g.writers
		return nil, casError(StoreFailed, err, "cannot lock the cache")
	}
	if err := lockedfile.LockContext(ctx, g.writeLock, false); err != nil {
		lockedfile.Unlock(g.writeTurnstile)
		<-g.writers
		return nil, casError(StoreFailed, err, "cannot lock the cache")
	}
	return sync.OnceFunc(func() {
		lockedfile.Unlock(g.writeLock)
		lockedfile.Unlock(g.writeTurnstile)
		<-g.writers
	}), nil
}
