package cas

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"sort"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"example.org/bst/internal/digest"
)

// EntryType is the kind of a tree entry.
type EntryType uint8

// Entry types.
const (
	FileEntry EntryType = iota + 1
	DirectoryEntry
	SymlinkEntry
)

func (t EntryType) String() string {
	switch t {
	case FileEntry:
		return "file"
	case DirectoryEntry:
		return "directory"
	case SymlinkEntry:
		return "symlink"
	}
	return "unknown"
}

// Entry is one node of a tree, as Walk reports it.
type Entry struct {
	Path       string // slash-separated, relative to the root
	Type       EntryType
	Digest     digest.Digest // files and directories
	Executable bool          // files
	Target     string        // symlinks
}

// Walk calls fn for every entry of the tree rooted at the Directory root,
// depth first, the entries of each directory in name order, a directory
// before its contents. If fn returns fs.SkipDir for a directory, Walk skips
// its contents; any other error stops the walk and is returned.
func Walk(ctx context.Context, s Store, root digest.Digest, fn func(Entry) error) error {
	err := walk(ctx, s, root, "", fn)
	if errors.Is(err, fs.SkipDir) {
		return nil
	}
	return err
}

func walk(ctx context.Context, s Store, d digest.Digest, dirPath string, fn func(Entry) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, err := s.GetDirectory(ctx, d)
	if err != nil {
		return err
	}
	for _, e := range sortedEntries(dir, dirPath) {
		err := fn(e)
		if e.Type == DirectoryEntry {
			if errors.Is(err, fs.SkipDir) {
				continue
			}
			if err == nil {
				err = walk(ctx, s, e.Digest, e.Path, fn)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sortedEntries lists a validated Directory's entries in name order.
func sortedEntries(dir *remoteexecution.Directory, dirPath string) []Entry {
	out := make([]Entry, 0, len(dir.GetFiles())+len(dir.GetDirectories())+len(dir.GetSymlinks()))
	for _, f := range dir.GetFiles() {
		d, _ := digest.NewFromProto(f.GetDigest())
		out = append(out, Entry{Path: path.Join(dirPath, f.GetName()), Type: FileEntry, Digest: d, Executable: f.GetIsExecutable()})
	}
	for _, sub := range dir.GetDirectories() {
		d, _ := digest.NewFromProto(sub.GetDigest())
		out = append(out, Entry{Path: path.Join(dirPath, sub.GetName()), Type: DirectoryEntry, Digest: d})
	}
	for _, s := range dir.GetSymlinks() {
		out = append(out, Entry{Path: path.Join(dirPath, s.GetName()), Type: SymlinkEntry, Target: s.GetTarget()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
