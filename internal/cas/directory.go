package cas

import (
	"context"
	"strings"
	"unicode/utf8"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"example.org/bst/internal/digest"
)

// GetDirectory reads the Directory message d, checked against its digest,
// and validates it (see validateDirectory).
func (l *Local) GetDirectory(ctx context.Context, d digest.Digest) (*remoteexecution.Directory, error) {
	blob, err := l.Get(ctx, d)
	if err != nil {
		return nil, err
	}
	return decodeDirectory(d, blob)
}

func decodeDirectory(d digest.Digest, blob []byte) (*remoteexecution.Directory, error) {
	dir := &remoteexecution.Directory{}
	if err := proto.Unmarshal(blob, dir); err != nil {
		return nil, casError(InvalidTree, err, "blob %s is not a Directory", d)
	}
	if err := validateDirectory(dir, false); err != nil {
		return nil, casError(InvalidTree, err, "directory %s", d)
	}
	return dir, nil
}

// PutDirectory stores dir, whose files must be stored and whose
// subdirectories must have been stored with PutDirectory (or ImportTree)
// first, and returns its digest. dir must be canonical (see
// validateDirectory). From then on the directory holds its children: they
// are not expired while it exists.
func (l *Local) PutDirectory(ctx context.Context, dir *remoteexecution.Directory) (digest.Digest, error) {
	if err := validateDirectory(dir, true); err != nil {
		return digest.Digest{}, casError(InvalidTree, err, "invalid directory")
	}
	d, blob, err := marshalDirectory("", dir)
	if err != nil {
		return digest.Digest{}, casError(InvalidTree, err, "invalid directory")
	}
	unlock, err := l.wlock(ctx)
	if err != nil {
		return digest.Digest{}, err
	}
	defer unlock()
	kind, err := l.registerLocked(d, blob, dir, true)
	if err != nil {
		return digest.Digest{}, err
	}
	return d, l.record(kind, d)
}

// dirError is a validation failure of a Directory message.
type dirError string

func (e dirError) Error() string { return string(e) }

// validateDirectory checks what Checkout relies on: every name is a valid
// single path component (not empty, ".", "..", no "/" or NUL, valid
// UTF-8), names are unique across files, directories and symlinks, and
// digests are valid. With canonical it also requires each list sorted by
// name, as REAPI does for messages that are hashed.
func validateDirectory(dir *remoteexecution.Directory, canonical bool) error {
	seen := make(map[string]bool, len(dir.GetFiles())+len(dir.GetDirectories())+len(dir.GetSymlinks()))
	check := func(kind, name, prev string, i int) error {
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") || !utf8.ValidString(name) {
			return dirError("invalid " + kind + " name " + quote(name))
		}
		if seen[name] {
			return dirError("duplicate name " + quote(name))
		}
		seen[name] = true
		if canonical && i > 0 && prev >= name {
			return dirError(kind + "s not sorted by name at " + quote(name))
		}
		return nil
	}
	for i, f := range dir.GetFiles() {
		if err := check("file", f.GetName(), nameAt(dir.GetFiles(), i-1), i); err != nil {
			return err
		}
		if _, err := digest.NewFromProto(f.GetDigest()); err != nil {
			return err
		}
	}
	for i, sub := range dir.GetDirectories() {
		if err := check("directory", sub.GetName(), nameAt(dir.GetDirectories(), i-1), i); err != nil {
			return err
		}
		if _, err := digest.NewFromProto(sub.GetDigest()); err != nil {
			return err
		}
	}
	for i, s := range dir.GetSymlinks() {
		if err := check("symlink", s.GetName(), nameAt(dir.GetSymlinks(), i-1), i); err != nil {
			return err
		}
		if s.GetTarget() == "" || strings.Contains(s.GetTarget(), "\x00") {
			return dirError("invalid target of symlink " + quote(s.GetName()))
		}
	}
	return nil
}

type named interface{ GetName() string }

func nameAt[T named](nodes []T, i int) string {
	if i < 0 {
		return ""
	}
	return nodes[i].GetName()
}

func quote(s string) string { return "\"" + strings.ToValidUTF8(s, "\uFFFD") + "\"" }
