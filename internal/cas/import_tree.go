package cas

import (
	"context"
	"io/fs"
	"os"
	"sync"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"example.org/bst/internal/digest"
)

// ImportTree stores the tree at dir (files, then Directory messages) and
// returns the digest of its root Directory, which is DirectoryDigest(ctx,
// dir, opts): the capture is the same code. Files are hashed and stored in
// parallel (opts.Workers); a file already stored is only read. The tree
// stays pinned for this session, so the caller can SetRef it later.
func (l *Local) ImportTree(ctx context.Context, dir string, opts TreeOptions) (digest.Digest, error) {
	sink := &importSink{l: l, adopt: opts.Adopt, dirs: map[digest.Digest]importedDir{}}
	unlock, err := l.gc.rlock(ctx)
	if err != nil {
		return digest.Digest{}, err
	}
	root, _, err := captureTree(ctx, dir, opts, sink)
	// The records go to the log before the collector may run, even after
	// an error: an object no log or ref mentions would never be collected.
	if rerr := l.records(sink.recs); err == nil {
		err = rerr
	}
	unlock()
	if err != nil {
		return digest.Digest{}, err
	}
	// Registering Directories changes reference counts: exclusive, but
	// only for the (few) Directory messages; file contents went in above.
	wunlock, err := l.wlock(ctx)
	if err != nil {
		return digest.Digest{}, err
	}
	defer wunlock()
	var recs []byte
	visited := map[digest.Digest]bool{}
	err = l.registerTreeLocked(root, sink.dirs, visited, &recs)
	if rerr := l.records(recs); err == nil {
		err = rerr
	}
	if err != nil {
		return digest.Digest{}, err
	}
	return root, nil
}

// importSink stores files as the capture reads them and keeps the
// Directory messages for registration.
type importSink struct {
	l     *Local
	adopt bool                          // files may become objects by hard link (TreeOptions.Adopt)
	dirs  map[digest.Digest]importedDir // touched only by the capturing goroutine

	mu   sync.Mutex
	recs []byte // session records of the files, written in one go
}

type importedDir struct {
	blob []byte
	msg  *remoteexecution.Directory
}

func (s *importSink) storeFile(path string, fh *os.File, info fs.FileInfo, buf []byte) (digest.Digest, error) {
	adopt := ""
	if s.adopt {
		adopt = path
	}
	d, kind, err := s.l.storeOpenFile(fh, adopt, info, buf)
	if err != nil {
		return digest.Digest{}, err
	}
	s.mu.Lock()
	s.recs = appendRecord(s.recs, kind, d)
	s.mu.Unlock()
	return d, nil
}

func (s *importSink) storeDirectory(d digest.Digest, blob []byte, msg *remoteexecution.Directory) {
	s.dirs[d] = importedDir{blob: blob, msg: msg}
}

// registerTreeLocked registers d's subdirectories, then d, appending the
// session records of the Directory objects to recs. The caller holds
// wlock.
func (l *Local) registerTreeLocked(d digest.Digest, dirs map[digest.Digest]importedDir, visited map[digest.Digest]bool, recs *[]byte) error {
	if visited[d] {
		return nil
	}
	visited[d] = true
	dir, ok := dirs[d]
	if !ok {
		panic("cas: ImportTree lost Directory " + d.String())
	}
	for _, sub := range dir.msg.GetDirectories() {
		sd, _ := digest.NewFromProto(sub.GetDigest()) // made by captureTree: valid
		if err := l.registerTreeLocked(sd, dirs, visited, recs); err != nil {
			return err
		}
	}
	kind, err := l.registerLocked(d, dir.blob, dir.msg, false)
	if err != nil {
		return err
	}
	*recs = appendRecord(*recs, kind, d)
	return nil
}
