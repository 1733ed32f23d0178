package cas

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/digest"
)

// CaptureFailed is the bsterr reason (domain bsterr.DomainCAS) of errors
// reading a tree for DirectoryDigest and SingleFileDirectoryDigest.
const CaptureFailed bsterr.Reason = "CAPTURE_FAILED"

// TreeOptions controls DirectoryDigest.
type TreeOptions struct {
	// CaptureMtime records every regular file's modification time in the
	// FileNode's node_properties.mtime, truncated to microseconds, as
	// BuildStream 2's workspace source captures trees (node property
	// "mtime"). The local source leaves it off.
	CaptureMtime bool

	// Workers bounds how many files are hashed at once; zero or less means
	// runtime.GOMAXPROCS(0).
	Workers int

	// Adopt (ImportTree only) says the tree is given away, as a build's
	// output is once it is committed: a file with a single name becomes
	// its object by hard link instead of being copied, and is made
	// read-only. The tree must not be used afterwards but to remove it.
	Adopt bool
}

// DirectoryDigest returns the digest of the REAPI Directory message that
// describes the tree at root, as buildbox-casd's CaptureTree records it and
// BuildStream 2's local source (get_unique_key returns the hash) and
// workspace source use it:
//
//   - regular files become FileNodes with the SHA-256 digest of their
//     content and is_executable set from the owner execute bit (S_IXUSR);
//   - symbolic links become SymlinkNodes with their target, not followed;
//   - directories become DirectoryNodes with the digest of their own
//     Directory message, recursively; empty directories are kept;
//   - other file types (sockets, FIFOs, devices) are skipped, as are entries
//     that vanish while the tree is read;
//   - files, directories and symlinks are each sorted by name (byte order)
//     and serialized with deterministic protobuf encoding, proto3 defaults
//     omitted.
//
// root itself must be a directory (a symbolic link to one is followed).
// File contents are hashed in parallel by at most opts.Workers goroutines.
// Names and link targets must be valid UTF-8, as protobuf strings must.
func DirectoryDigest(ctx context.Context, root string, opts TreeOptions) (digest.Digest, error) {
	d, _, err := captureDirectory(ctx, root, opts)
	return d, err
}

// SingleFileDirectoryDigest returns the digest of a Directory holding only
// the file at path, under its base name: what BuildStream 2's local source
// captures when its path names a file (import_single_file). path is
// followed if it is a symbolic link, is_executable comes from access(2)
// with X_OK, and no mtime is recorded.
func SingleFileDirectoryDigest(ctx context.Context, path string) (digest.Digest, error) {
	d, _, err := captureSingleFile(ctx, path)
	return d, err
}

// captureSingleFile is SingleFileDirectoryDigest, also returning the
// serialized Directory for tests.
func captureSingleFile(ctx context.Context, path string) (digest.Digest, []byte, error) {
	if err := ctx.Err(); err != nil {
		return digest.Digest{}, nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return digest.Digest{}, nil, captureError(path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return digest.Digest{}, nil, captureError(path, err)
	}
	if !info.Mode().IsRegular() {
		return digest.Digest{}, nil, captureError(path, errors.New("not a regular file"))
	}
	g := digest.NewGenerator()
	if _, err := g.ReadFrom(f); err != nil {
		return digest.Digest{}, nil, captureError(path, err)
	}
	node := &remoteexecution.FileNode{
		Name:         filepath.Base(path),
		Digest:       g.Sum().Proto(),
		IsExecutable: unix.Access(path, unix.X_OK) == nil,
	}
	return marshalDirectory(path, &remoteexecution.Directory{Files: []*remoteexecution.FileNode{node}})
}

// captureDirectory is DirectoryDigest, also returning the serialized root
// Directory for tests.
func captureDirectory(ctx context.Context, root string, opts TreeOptions) (digest.Digest, []byte, error) {
	return captureTree(ctx, root, opts, nil)
}

// treeSink receives what a capture reads, so that ImportTree stores the
// tree with the very code that DirectoryDigest hashes it with.
type treeSink interface {
	// storeFile stores the open regular file fh (at path, described by
	// info) and returns its digest; buf is a read buffer. Called from the
	// workers.
	storeFile(path string, fh *os.File, info fs.FileInfo, buf []byte) (digest.Digest, error)
	// storeDirectory receives each Directory, children before parents,
	// from the goroutine that called captureTree.
	storeDirectory(d digest.Digest, blob []byte, msg *remoteexecution.Directory)
}

// captureTree walks root, handing files and Directories to sink (nil: only
// hash).
func captureTree(ctx context.Context, root string, opts TreeOptions, sink treeSink) (digest.Digest, []byte, error) {
	info, err := os.Stat(root)
	if err != nil {
		return digest.Digest{}, nil, captureError(root, err)
	}
	if !info.IsDir() {
		return digest.Digest{}, nil, captureError(root, errors.New("not a directory"))
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	c := &treeCapture{ctx: gctx, group: g, captureMtime: opts.CaptureMtime, sink: sink}
	c.buffers.New = func() any { b := make([]byte, 128<<10); return &b }

	// This goroutine walks the tree and owns every treeDir; workers only
	// fill in the treeFile they were handed. After Wait, all is ours again.
	top, scanErr := c.scan(root)
	if scanErr != nil {
		cancel()
	}
	waitErr := g.Wait()
	switch {
	case waitErr != nil:
		return digest.Digest{}, nil, waitErr
	case scanErr != nil:
		return digest.Digest{}, nil, scanErr
	}
	if err := ctx.Err(); err != nil {
		return digest.Digest{}, nil, err
	}
	return c.directoryDigest(root, top)
}

// treeCapture is the state of one DirectoryDigest call.
type treeCapture struct {
	ctx          context.Context
	group        *errgroup.Group
	captureMtime bool
	sink         treeSink  // nil for DirectoryDigest
	buffers      sync.Pool // *[]byte read buffers shared by the workers
}

// treeDir is one directory of the tree being captured.
type treeDir struct {
	files    []treeFile // in name order; each filled in by one worker
	dirs     []treeSubdir
	symlinks []*remoteexecution.SymlinkNode
}

type treeSubdir struct {
	name string
	dir  *treeDir
}

type treeFile struct {
	name       string
	digest     digest.Digest
	executable bool
	mtime      *timestamppb.Timestamp
	vanished   bool // removed between readdir and open: left out
}

// scan reads the directory at path, recursing into subdirectories and
// handing its regular files to the worker pool.
func (c *treeCapture) scan(path string) (*treeDir, error) {
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(path) // sorted by name
	if err != nil {
		return nil, captureError(path, err)
	}
	d := &treeDir{}
	nfiles := 0
	for _, e := range entries {
		if e.Type().IsRegular() {
			nfiles++
		}
	}
	// Allocated once, before any worker starts, so the workers' pointers
	// into it stay valid.
	d.files = make([]treeFile, 0, nfiles)
	for _, e := range entries {
		name := e.Name()
		full := filepath.Join(path, name)
		switch t := e.Type(); {
		case t.IsRegular():
			d.files = append(d.files, treeFile{name: name})
			f := &d.files[len(d.files)-1]
			c.group.Go(func() error { return c.hashFile(full, f) })
		case t.IsDir():
			sub, err := c.scan(full)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			d.dirs = append(d.dirs, treeSubdir{name: name, dir: sub})
		case t&fs.ModeSymlink != 0:
			target, err := os.Readlink(full)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, captureError(full, err)
			}
			d.symlinks = append(d.symlinks, &remoteexecution.SymlinkNode{Name: name, Target: target})
		}
	}
	return d, nil
}

// hashFile fills in f from the file at path. It opens without following
// symbolic links and takes mode and mtime from the open file, so that
// content and metadata describe the same file.
func (c *treeCapture) hashFile(path string, f *treeFile) error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	fh, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if errors.Is(err, fs.ErrNotExist) {
		f.vanished = true
		return nil
	}
	if err != nil {
		return captureError(path, err)
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return captureError(path, err)
	}
	if !info.Mode().IsRegular() {
		return captureError(path, errors.New("changed into a non-regular file while being captured"))
	}
	buf := c.buffers.Get().(*[]byte)
	defer c.buffers.Put(buf)
	if c.sink != nil {
		d, err := c.sink.storeFile(path, fh, info, *buf)
		if err != nil {
			return captureError(path, err)
		}
		f.digest = d
	} else {
		g := digest.NewGenerator()
		if _, err := g.ReadFromBuffer(fh, *buf); err != nil {
			return captureError(path, err)
		}
		f.digest = g.Sum()
	}
	f.executable = info.Mode().Perm()&0o100 != 0
	if c.captureMtime {
		f.mtime = mtimeTimestamp(info)
	}
	return nil
}

// mtimeTimestamp is the file's mtime truncated to microseconds, as
// buildbox-casd records it.
func mtimeTimestamp(info fs.FileInfo) *timestamppb.Timestamp {
	t := info.ModTime()
	return &timestamppb.Timestamp{Seconds: t.Unix(), Nanos: int32(t.Nanosecond() / 1000 * 1000)}
}

// directoryDigest serializes d and its subdirectories bottom-up.
func (c *treeCapture) directoryDigest(path string, d *treeDir) (digest.Digest, []byte, error) {
	msg := &remoteexecution.Directory{
		Files:       make([]*remoteexecution.FileNode, 0, len(d.files)),
		Directories: make([]*remoteexecution.DirectoryNode, 0, len(d.dirs)),
		Symlinks:    d.symlinks,
	}
	for i := range d.files {
		f := &d.files[i]
		if f.vanished {
			continue
		}
		node := &remoteexecution.FileNode{Name: f.name, Digest: f.digest.Proto(), IsExecutable: f.executable}
		if f.mtime != nil {
			node.NodeProperties = &remoteexecution.NodeProperties{Mtime: f.mtime}
		}
		msg.Files = append(msg.Files, node)
	}
	for _, sub := range d.dirs {
		subDigest, _, err := c.directoryDigest(filepath.Join(path, sub.name), sub.dir)
		if err != nil {
			return digest.Digest{}, nil, err
		}
		msg.Directories = append(msg.Directories, &remoteexecution.DirectoryNode{Name: sub.name, Digest: subDigest.Proto()})
	}
	dd, blob, err := marshalDirectory(path, msg)
	if err == nil && c.sink != nil {
		c.sink.storeDirectory(dd, blob, msg)
	}
	return dd, blob, err
}

// marshalDirectory serializes msg canonically: protobuf-go writes fields in
// field number order and Deterministic fixes map order (Directory has no
// maps), so the bytes are those of any conforming serializer.
func marshalDirectory(path string, msg *remoteexecution.Directory) (digest.Digest, []byte, error) {
	blob, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
	if err != nil {
		// In practice: a name or link target that is not valid UTF-8.
		return digest.Digest{}, nil, captureError(path, err)
	}
	return digest.NewFromBlob(blob), blob, nil
}

func captureError(path string, err error) *bsterr.Error {
	return &bsterr.Error{
		Domain: bsterr.DomainCAS,
		Reason: CaptureFailed,
		Msg:    fmt.Sprintf("failed to capture %s: %v", path, unwrapPathError(err)),
		Err:    err,
	}
}

// unwrapPathError drops the path an *fs.PathError repeats.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
