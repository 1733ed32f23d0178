package cas

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// DiskSpace returns the total and available bytes of the file system
// holding path (statfs; available to unprivileged users).
func DiskSpace(path string) (total, free int64, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, 0, &fs.PathError{Op: "statfs", Path: path, Err: err}
	}
	return int64(st.Blocks) * st.Bsize, int64(st.Bavail) * st.Bsize, nil
}

// usageFile is cas/usage: "<bytes> <objects>\n", the usage of every object
// not accounted for by a session log. It changes only under wlock: when a
// finished session's log is folded into it and when the collector removes
// objects. Usage is that plus what the session logs record, so storing an
// object costs no update of a shared file.
func (l *Local) usageFile() string { return filepath.Join(l.casDir, "usage") }

type usage struct{ bytes, objects int64 }

func (l *Local) readBaseUsage() (usage, error) {
	b, err := os.ReadFile(l.usageFile())
	if errors.Is(err, fs.ErrNotExist) {
		return usage{}, nil
	}
	if err != nil {
		return usage{}, casError(StoreFailed, err, "cannot read the cache usage")
	}
	var u usage
	if _, err := fmt.Sscanf(string(b), "%d %d\n", &u.bytes, &u.objects); err != nil {
		// A lost total (the file is replaced atomically, so only outside
		// interference does this) reads as zero until Repair.
		return usage{}, nil
	}
	return u, nil
}

// writeBaseUsageLocked replaces cas/usage atomically. The caller holds
// wlock.
func (l *Local) writeBaseUsageLocked(u usage) error {
	return l.writeFileAtomic(l.usageFile(), fmt.Appendf(nil, "%d %d\n", u.bytes, u.objects))
}

// writeFileAtomic writes a small file through a temporary file and rename.
func (l *Local) writeFileAtomic(path string, data []byte) error {
	tmp, err := l.createTemp()
	if err != nil {
		return err
	}
	defer removeTemp(tmp)
	if _, err := tmp.Write(data); err != nil {
		return casError(StoreFailed, err, "cannot write %s", path)
	}
	if err := tmp.Close(); err != nil {
		return casError(StoreFailed, err, "cannot write %s", path)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return casError(StoreFailed, err, "cannot write %s", path)
	}
	return nil
}

// Usage returns the bytes and number of objects stored (executable copies
// made for hardlinked checkouts included). It reads only what session logs
// gained since this Local last looked, so it is cheap to call often.
func (l *Local) Usage(ctx context.Context) (bytes, objects int64, err error) {
	unlock, err := l.gc.rlock(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer unlock()
	u, err := l.usageLocked()
	return u.bytes, u.objects, err
}

// usageLocked is base plus logs; the caller holds rlock or wlock.
func (l *Local) usageLocked() (usage, error) {
	base, err := l.readBaseUsage()
	if err != nil {
		return usage{}, err
	}
	b, o, err := l.logUsage()
	if err != nil {
		return usage{}, casError(StoreFailed, err, "cannot read the cache usage")
	}
	return usage{base.bytes + b, base.objects + o}, nil
}
