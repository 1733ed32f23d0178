package lockedfile

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// A Mutex provides mutual exclusion within and across processes by locking
// a well-known file, which usually guards some other part of the file
// system. Lock takes it exclusively, RLock shared.
//
// Mutex does not implement sync.Locker: locking can fail (a permission
// error, say). A Mutex must not be copied after first use, and Path must not
// change after it.
type Mutex struct {
	Path string // the lock file; must be non-empty

	// mu mirrors the file lock for the race detector, which does not know
	// about flock.
	mu sync.RWMutex
}

// MutexAt returns a Mutex for the lock file at path.
func MutexAt(path string) *Mutex {
	if path == "" {
		panic("lockedfile.MutexAt: path must be non-empty")
	}
	return &Mutex{Path: path}
}

func (mu *Mutex) String() string { return fmt.Sprintf("lockedfile.Mutex(%s)", mu.Path) }

// Lock takes the mutex exclusively, waiting as long as it takes. It returns
// the function that releases it (a result rather than a method, so that the
// error cannot be ignored by accident).
func (mu *Mutex) Lock() (unlock func(), err error) { return mu.LockContext(context.Background()) }

// RLock takes the mutex shared: readers exclude writers, not each other.
func (mu *Mutex) RLock() (unlock func(), err error) { return mu.RLockContext(context.Background()) }

// LockContext is Lock that gives up, returning ctx.Err(), when ctx is done.
// While ctx can be cancelled it polls with non-blocking attempts (backing
// off from 1 ms to 50 ms), since a blocked flock cannot be interrupted.
func (mu *Mutex) LockContext(ctx context.Context) (unlock func(), err error) {
	return mu.lock(ctx, os.O_RDWR, false)
}

// RLockContext is RLock that gives up when ctx is done.
func (mu *Mutex) RLockContext(ctx context.Context) (unlock func(), err error) {
	return mu.lock(ctx, os.O_RDONLY, true)
}

// TryLock takes the mutex exclusively if nobody holds it; otherwise it
// returns an error satisfying errors.Is(err, ErrLocked).
func (mu *Mutex) TryLock() (unlock func(), err error) {
	if mu.Path == "" {
		panic("lockedfile.Mutex: missing Path during TryLock")
	}
	f, err := TryOpenFile(mu.Path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	mu.mu.Lock()
	return func() { mu.mu.Unlock(); f.Close() }, nil
}

func (mu *Mutex) lock(ctx context.Context, flag int, shared bool) (func(), error) {
	if mu.Path == "" {
		panic("lockedfile.Mutex: missing Path during Lock")
	}
	// Whoever comes first creates the file; O_CREATE with O_RDONLY still
	// takes a shared lock.
	flag |= os.O_CREATE
	f, err := mu.open(ctx, flag)
	if err != nil {
		return nil, err
	}
	if shared {
		mu.mu.RLock()
		return func() { mu.mu.RUnlock(); f.Close() }, nil
	}
	mu.mu.Lock()
	return func() { mu.mu.Unlock(); f.Close() }, nil
}

func (mu *Mutex) open(ctx context.Context, flag int) (*File, error) {
	return openFileContext(ctx, mu.Path, flag, 0o666)
}
