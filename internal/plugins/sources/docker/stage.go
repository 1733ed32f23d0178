package docker

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/unpack"
)

// Whiteout markers of image layers.
const (
	whiteoutPrefix = ".wh."
	opaqueWhiteout = ".wh..wh..opq"
)

// Stage merges the cached layers into dir.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	if s.digest == "" {
		return s.errorf(download.NoRef, "Cannot stage %s: the source has no ref", s.imageName())
	}
	if !s.validRef() {
		return s.errorf(ManifestError, "Unsupported digest: %s", s.digest)
	}
	m, err := s.loadManifest(env)
	if err != nil {
		return s.errorf(NotCached, "Unable to load manifest: %v", err).Wrap(err)
	}
	tmp := filepath.Join(env.SourceDir, ".tmp")
	layers := make([]*unpack.Tarball, len(m.Layers))
	defer func() {
		for _, l := range layers {
			if l != nil {
				l.Close()
			}
		}
	}()
	for i, l := range m.Layers {
		p := filepath.Join(mirrorDir(env), blobName(l.Digest))
		if err := verifyBlob(p, l.Digest); err != nil {
			return s.errorf(BlobCorrupt, "Error staging source: %v", err).Wrap(err)
		}
		if layers[i], err = unpack.OpenTarball(ctx, env, p, tmp); err != nil {
			return s.stageError(err)
		}
	}
	winner, err := mergeLayers(ctx, layers)
	if err != nil {
		return s.stageError(err)
	}
	mode := unpack.HeaderMode
	if s.gen >= 2 {
		umask := unpack.Umask()
		mode = func(h *tar.Header) os.FileMode {
			if unpack.IsDir(h) || h.Mode&0o100 != 0 {
				return 0o777 &^ umask & 0o755
			}
			return 0o666 &^ umask & 0o755
		}
	}
	for i, l := range layers {
		i := i
		opt := unpack.TarOptions{
			Rename: func(name string) (string, bool) { return layerPath(name), true },
			Keep: func(h *tar.Header) bool {
				w, ok := winner[layerPath(unpack.Name(h))]
				return ok && w == i
			},
			Mode: mode,
			Log:  env.Log,
		}
		if err := unpack.ExtractTar(ctx, l, dir, opt); err != nil {
			return s.stageError(fmt.Errorf("layer %s: %w", m.Layers[i].Digest, err))
		}
	}
	return nil
}

func (s *Source) stageError(err error) error {
	return s.errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
}

// layerPath normalises a member name: no leading '/' or "./", cleaned.
func layerPath(name string) string {
	name = strings.TrimLeft(name, "/")
	c := path.Clean("/" + name)
	return strings.TrimPrefix(c, "/")
}

// isDevice reports the members staging leaves out: device nodes, FIFOs
// and everything under dev/.
func isDevice(h *tar.Header, p string) bool {
	switch h.Typeflag {
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return true
	}
	return strings.HasPrefix(p, "dev/")
}

// mergeLayers decides, for every path of the merged file system, which
// layer's entry is staged: the last layer that has it, unless a later
// layer whited it out (or an ancestor of it), made its directory opaque
// or put a non-directory in the place of an ancestor.
func mergeLayers(ctx context.Context, layers []*unpack.Tarball) (map[string]int, error) {
	winner := map[string]int{}
	isDir := map[string]bool{} // the winning entry is a directory
	removeUnder := func(p string, self bool) {
		prefix := p + "/"
		if p == "" {
			prefix = ""
		}
		for k := range winner {
			if (self && k == p) || strings.HasPrefix(k, prefix) && k != p {
				delete(winner, k)
				delete(isDir, k)
			}
		}
	}
	for i, l := range layers {
		var whiteouts, opaque []string
		entries := map[string]bool{} // path -> is a directory
		err := l.Each(ctx, func(h *tar.Header, _ io.Reader) error {
			p := layerPath(unpack.Name(h))
			base := path.Base(p)
			switch {
			case base == opaqueWhiteout:
				opaque = append(opaque, parent(p))
			case strings.HasPrefix(base, whiteoutPrefix):
				whiteouts = append(whiteouts, path.Join(parent(p), strings.TrimPrefix(base, whiteoutPrefix)))
			case p == "" || isDevice(h, p):
			default:
				entries[p] = unpack.IsDir(h)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, d := range opaque {
			removeUnder(d, false)
		}
		for _, w := range whiteouts {
			removeUnder(w, true)
		}
		for p, dir := range entries {
			if !dir && isDir[p] {
				removeUnder(p, false) // a file replaces a directory
			}
		}
		for p, dir := range entries {
			winner[p] = i
			isDir[p] = dir
		}
	}
	return winner, nil
}

func parent(p string) string {
	if d := path.Dir(p); d != "." {
		return d
	}
	return ""
}

// verifyBlob checks that the file at p has the digest.
func verifyBlob(p, digest string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != digest {
		return fmt.Errorf("blob %s is corrupt; got content hash of %s", p, got)
	}
	return nil
}
