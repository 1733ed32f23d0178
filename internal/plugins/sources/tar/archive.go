package tar

import (
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/unpack"
)

// archive gives the uncompressed tar stream of a cached file as many
// times as the staging passes need it.
type archive struct {
	path   string // the uncompressed tar, or the gzip file
	gzip   bool   // path is gzip-compressed: decompress on each pass
	tmpDir string // removed by Close
}

// openArchive prepares the cached file at p for reading: a plain tar is
// read in place (and seeked over), gzip is decompressed on each pass, and
// the others are decompressed once into a temporary file.
func openArchive(ctx context.Context, env *plugin.SourceEnv, p string) (*archive, error) {
	c, err := unpack.Sniff(p)
	if err != nil {
		return nil, err
	}
	switch c {
	case unpack.Plain:
		return &archive{path: p}, nil
	case unpack.Gzip:
		return &archive{path: p, gzip: true}, nil
	}
	tmp, err := tempDir(env)
	if err != nil {
		return nil, err
	}
	a := &archive{path: filepath.Join(tmp, "archive.tar"), tmpDir: tmp}
	if err := decompress(ctx, env, c, p, a.path); err != nil {
		a.Close()
		return nil, fmt.Errorf("decompressing %s: %w", c, err)
	}
	return a, nil
}

// tempDir makes a temporary directory in the source cache (on the same
// file system as the archives, and not in a possibly small tmpfs).
func tempDir(env *plugin.SourceEnv) (string, error) {
	parent := os.TempDir()
	if env.SourceDir != "" {
		parent = filepath.Join(env.SourceDir, ".tmp")
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return "", err
		}
	}
	return os.MkdirTemp(parent, "tar-")
}

// decompress writes the decompressed content of src (compressed with c)
// to dest: bzip2 in process, once, since staging reads the tar more than
// once; the others with the host tools.
func decompress(ctx context.Context, env *plugin.SourceEnv, c unpack.Compression, src, dest string) error {
	if c != unpack.Bzip2 {
		return unpack.Decompress(ctx, env, c, src, dest)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dest)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, &ctxReader{ctx, bzip2.NewReader(bufio.NewReaderSize(in, 1<<20))})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// reader opens one pass over the uncompressed tar stream.
func (a *archive) reader() (io.ReadCloser, error) {
	f, err := os.Open(a.path)
	if err != nil {
		return nil, err
	}
	if !a.gzip {
		return f, nil
	}
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		f.Close()
		return nil, err
	}
	return &gzipFile{zr, f}, nil
}

type gzipFile struct {
	*gzip.Reader
	f *os.File
}

func (g *gzipFile) Close() error {
	g.Reader.Close()
	return g.f.Close()
}

// Close removes the temporary files.
func (a *archive) Close() error {
	if a.tmpDir != "" {
		return os.RemoveAll(a.tmpDir)
	}
	return nil
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
