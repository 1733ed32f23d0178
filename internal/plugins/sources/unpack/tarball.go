package unpack

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"example.org/bst/internal/plugin"
)

// Compression is a tarball's compression, told by its magic number.
type Compression int

// The compressions Sniff tells apart.
const (
	Plain Compression = iota
	Gzip
	Bzip2
	XZ
	Zstd
	Lzip
)

func (c Compression) String() string {
	return [...]string{"plain", "gzip", "bzip2", "xz", "zstd", "lzip"}[c]
}

// Sniff tells the compression of the file at p.
func Sniff(p string) (Compression, error) {
	f, err := os.Open(p)
	if err != nil {
		return Plain, err
	}
	defer f.Close()
	var head [6]byte
	n, err := io.ReadFull(f, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Plain, err
	}
	h := head[:n]
	switch {
	case bytes.HasPrefix(h, []byte{0x1f, 0x8b}):
		return Gzip, nil
	case bytes.HasPrefix(h, []byte("BZh")):
		return Bzip2, nil
	case bytes.HasPrefix(h, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return XZ, nil
	case bytes.HasPrefix(h, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return Zstd, nil
	case bytes.HasPrefix(h, []byte("LZIP")):
		return Lzip, nil
	}
	return Plain, nil
}

// Tarball is a tarball opened for one or more passes over its members.
type Tarball struct {
	path   string // the uncompressed tar, or the compressed file (stream)
	stream Compression
	tmpDir string // removed by Close
}

// OpenTarball prepares the tarball at p: plain, gzip and bzip2 are read
// in place on each pass, the others are decompressed once with the host
// tools into a temporary directory under tmpParent ("" = the system's).
func OpenTarball(ctx context.Context, env *plugin.SourceEnv, p, tmpParent string) (*Tarball, error) {
	c, err := Sniff(p)
	if err != nil {
		return nil, err
	}
	switch c {
	case Plain, Gzip, Bzip2:
		return &Tarball{path: p, stream: c}, nil
	}
	if tmpParent != "" {
		if err := os.MkdirAll(tmpParent, 0o755); err != nil {
			return nil, err
		}
	}
	tmp, err := os.MkdirTemp(tmpParent, "unpack-")
	if err != nil {
		return nil, err
	}
	t := &Tarball{path: filepath.Join(tmp, "archive.tar"), tmpDir: tmp}
	if err := Decompress(ctx, env, c, p, t.path); err != nil {
		t.Close()
		return nil, fmt.Errorf("decompressing %s: %w", c, err)
	}
	return t, nil
}

// Decompress writes the content of src, compressed with xz, zstd or lzip,
// to dest, with the host tool through env.Exec.
func Decompress(ctx context.Context, env *plugin.SourceEnv, c Compression, src, dest string) error {
	if env == nil || env.Exec == nil {
		return fmt.Errorf("no host command runner to decompress %s", c)
	}
	var err error
	switch c {
	case XZ:
		// xz writes beside its input without the suffix: give it a link.
		link := dest + ".xz"
		if err := os.Symlink(src, link); err != nil {
			return err
		}
		_, err = env.Exec.Run(ctx, filepath.Dir(dest), nil, "xz", "--decompress", "--keep", "--force", link)
	case Zstd:
		_, err = env.Exec.Run(ctx, filepath.Dir(dest), nil, "zstd", "--decompress", "--quiet", "--force", "-o", dest, src)
	case Lzip:
		_, err = env.Exec.Run(ctx, filepath.Dir(dest), nil, "lzip", "--decompress", "-o", dest, src)
	}
	return err
}

// Close removes the temporary files.
func (t *Tarball) Close() error {
	if t.tmpDir != "" {
		return os.RemoveAll(t.tmpDir)
	}
	return nil
}

// Each calls fn for every member in order, with the member's content.
func (t *Tarball) Each(ctx context.Context, fn func(h *tar.Header, r io.Reader) error) error {
	f, err := os.Open(t.path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	switch t.stream {
	case Gzip:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return err
		}
		defer zr.Close()
		r = zr
	case Bzip2:
		r = bzip2.NewReader(r)
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(h, tr); err != nil {
			return err
		}
	}
}
