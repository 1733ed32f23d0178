package lockedfile

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
)

// A File is a locked *os.File. Closing the file releases the lock.
//
// If the program exits while a file is locked, the operating system releases
// the lock; callers should still close every File they open.
type File struct {
	osFile
	closed  bool
	cleanup runtime.Cleanup
}

// osFile embeds a *os.File while keeping the pointer itself unexported: the
// descriptor closed must be the one that was locked.
type osFile struct {
	*os.File
}

// OpenFile is like os.OpenFile, but returns a locked file. If flag includes
// os.O_WRONLY or os.O_RDWR the file is write-locked (exclusive), otherwise
// read-locked (shared). It waits for conflicting locks to go away.
func OpenFile(name string, flag int, perm fs.FileMode) (*File, error) {
	return openFile(name, flag, perm, func(f *os.File, lt lockType) error { return lock(f, lt) })
}

// TryOpenFile is OpenFile without waiting: if a conflicting lock is held it
// returns an error for which errors.Is(err, ErrLocked) holds.
func TryOpenFile(name string, flag int, perm fs.FileMode) (*File, error) {
	return openFile(name, flag, perm, tryLock)
}

// openFileContext is OpenFile that gives up when ctx is done.
func openFileContext(ctx context.Context, name string, flag int, perm fs.FileMode) (*File, error) {
	return openFile(name, flag, perm, func(f *os.File, lt lockType) error {
		return LockContext(ctx, f, lt == readLock)
	})
}

func openFile(name string, flag int, perm fs.FileMode, lockFn func(*os.File, lockType) error) (*File, error) {
	f, err := os.OpenFile(name, flag&^os.O_TRUNC, perm)
	if err != nil {
		return nil, err
	}
	lt := readLock
	if flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		lt = writeLock
	}
	if err := lockFn(f, lt); err != nil {
		f.Close()
		return nil, err
	}
	if flag&os.O_TRUNC != 0 {
		if err := f.Truncate(0); err != nil {
			if fi, statErr := f.Stat(); statErr != nil || fi.Mode().IsRegular() {
				unlock(f)
				f.Close()
				return nil, err
			}
		}
	}
	lf := &File{osFile: osFile{f}}
	// Locks should be held as briefly as possible; report a File that was
	// dropped without Close, as cmd/go does.
	lf.cleanup = runtime.AddCleanup(lf, func(name string) {
		panic(fmt.Sprintf("lockedfile.File %s became unreachable without a call to Close", name))
	}, f.Name())
	return lf, nil
}

// Open is like os.Open, but returns a read-locked file.
func Open(name string) (*File, error) { return OpenFile(name, os.O_RDONLY, 0) }

// Create is like os.Create, but returns a write-locked file.
func Create(name string) (*File, error) {
	return OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Edit creates the named file with mode 0666 (before umask) if it does not
// exist, without truncating it, and returns it write-locked.
func Edit(name string) (*File, error) {
	return OpenFile(name, os.O_RDWR|os.O_CREATE, 0o666)
}

// Close unlocks and closes the file. Calls after the first return an error.
func (f *File) Close() error {
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.Name(), Err: fs.ErrClosed}
	}
	f.closed = true
	// Unlock while the descriptor is still valid.
	err := unlock(f.osFile.File)
	if closeErr := f.osFile.File.Close(); err == nil {
		err = closeErr
	}
	f.cleanup.Stop()
	runtime.KeepAlive(f)
	return err
}

// Read opens the named file with a read lock and returns its contents.
func Read(name string) ([]byte, error) {
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// Write opens the named file (creating it with perm if needed), write-locks
// it and replaces its contents with content.
func Write(name string, content io.Reader, perm fs.FileMode) (err error) {
	f, err := OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, content)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	return err
}

// Transform calls t with the contents of the named file (created if
// missing), holding the write lock, and writes back what t returns when t
// succeeds. It makes a best effort to keep the old contents if the write
// fails: a growing file has its tail written first, a shrinking one is
// truncated last. t must not modify the slice passed to it.
func Transform(name string, t func([]byte) ([]byte, error)) (err error) {
	f, err := Edit(name)
	if err != nil {
		return err
	}
	defer f.Close()
	old, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	next, err := t(old)
	if err != nil {
		return err
	}
	if len(next) > len(old) {
		if _, err := f.WriteAt(next[len(old):], int64(len(old))); err != nil {
			f.Truncate(int64(len(old)))
			return err
		}
	}
	defer func() {
		if err != nil {
			if _, werr := f.WriteAt(old, 0); werr == nil {
				f.Truncate(int64(len(old)))
			}
		}
	}()
	if len(next) >= len(old) {
		_, err = f.WriteAt(next[:len(old)], 0)
		return err
	}
	if _, err := f.WriteAt(next, 0); err != nil {
		return err
	}
	return f.Truncate(int64(len(next)))
}
