package lockedfile

import (
	"errors"
	"io/fs"
	"os"

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
