package lockedfile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ErrLocked is returned (wrapped in an *fs.PathError) by the Try functions
// when another open file description holds a conflicting lock.
var ErrLocked = errors.New("file is locked")

type lockType int

const (
	readLock  lockType = unix.LOCK_SH
	writeLock lockType = unix.LOCK_EX
)

func (lt lockType) String() string {
	if lt == readLock {
		return "RLock"
	}
	return "Lock"
}

// flock applies (or, with unix.LOCK_UN, releases) a lock on f, retrying
// when a signal interrupts the wait.
func flock(f *os.File, how int, op string) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EWOULDBLOCK):
			return &fs.PathError{Op: op, Path: f.Name(), Err: ErrLocked}
		default:
			return &fs.PathError{Op: op, Path: f.Name(), Err: err}
		}
	}
}

func lock(f *os.File, lt lockType) error { return flock(f, int(lt), lt.String()) }

func tryLock(f *os.File, lt lockType) error {
	return flock(f, int(lt)|unix.LOCK_NB, "Try"+lt.String())
}

func unlock(f *os.File) error { return flock(f, unix.LOCK_UN, "Unlock") }

// Lock, RLock, TryLock, TryRLock and Unlock lock an open file directly, for
// callers that keep a lock file open and lock it again and again (cmd/go's
// filelock): opening the file each time costs more than the lock. Locks
// belong to the open file description: locking a description that is
// already locked converts the lock instead of conflicting with it, so
// each independent holder needs its own open of the file.

// Lock takes an exclusive lock on f, waiting as long as it takes.
func Lock(f *os.File) error { return lock(f, writeLock) }

// RLock takes a shared lock on f, waiting as long as it takes.
func RLock(f *os.File) error { return lock(f, readLock) }

// TryLock takes an exclusive lock on f or fails with ErrLocked.
func TryLock(f *os.File) error { return tryLock(f, writeLock) }

// TryRLock takes a shared lock on f or fails with ErrLocked.
func TryRLock(f *os.File) error { return tryLock(f, readLock) }

// Unlock releases f's lock.
func Unlock(f *os.File) error { return unlock(f) }

// LockContext takes a lock on f (shared if shared is set), giving up with
// ctx.Err() when ctx is done. A blocked flock cannot be interrupted, so
// when ctx can be cancelled it polls with non-blocking attempts, backing
// off from 1 ms to 50 ms.
func LockContext(ctx context.Context, f *os.File, shared bool) error {
	lt := writeLock
	if shared {
		lt = readLock
	}
	if ctx.Done() == nil {
		return lock(f, lt)
	}
	delay := time.Millisecond
	for {
		err := tryLock(f, lt)
		if !errors.Is(err, ErrLocked) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}
