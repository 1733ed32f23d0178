package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/httpget"
	"example.org/bst/internal/yamlnode"
)

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// layerTypes are the layer media types staging can unpack.
var layerTypes = map[string]bool{
	mediaLayerGzip:          true,
	mediaOCILayer:           true,
	mediaOCILayer + "+gzip": true,
	mediaOCILayer + "+zstd": true,
	"application/vnd.docker.image.rootfs.diff.tar": true,
}

// mirrorDir is where manifests and blobs are kept.
func mirrorDir(env *plugin.SourceEnv) string { return filepath.Join(env.SourceDir, "docker") }

// loadManifest reads the cached manifest of s.digest and checks its
// digest.
func (s *Source) loadManifest(env *plugin.SourceEnv) (*manifest, error) {
	p := filepath.Join(mirrorDir(env), manifestName(s.digest))
	text, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if got := digestOf(text); got != s.digest {
		return nil, s.errorf(ManifestError, "Manifest %s is corrupt; got content hash of %s", p, got)
	}
	return parseManifest(s, text)
}

func parseManifest(s *Source, text []byte) (*manifest, error) {
	var m manifest
	if err := json.Unmarshal(text, &m); err != nil {
		return nil, s.errorf(ManifestError, "invalid manifest: %v", err)
	}
	for _, l := range m.Layers {
		if !digestRE.MatchString(l.Digest) {
			return nil, s.errorf(ManifestError, "Unsupported layer digest: %s", l.Digest)
		}
		if !layerTypes[l.MediaType] {
			return nil, s.errorf(ManifestError, "Unsupported layer type: %s", l.MediaType)
		}
	}
	return &m, nil
}

// validRef reports whether the ref can name a file.
func (s *Source) validRef() bool { return digestRE.MatchString(s.digest) }

// Cached reports whether the manifest and every layer blob are in the
// source cache (blobs are only ever stored verified).
func (s *Source) Cached(env *plugin.SourceEnv) bool {
	if !s.validRef() {
		return false
	}
	m, err := s.loadManifest(env)
	if err != nil {
		return false
	}
	for _, l := range m.Layers {
		fi, err := os.Stat(filepath.Join(mirrorDir(env), blobName(l.Digest)))
		if err != nil || !fi.Mode().IsRegular() || (l.Size > 0 && fi.Size() != l.Size) {
			return false
		}
	}
	return true
}

// Track resolves the `track` tag to the digest of its image manifest; it
// returns nil without a tag.
func (s *Source) Track(ctx context.Context, env *plugin.SourceEnv, _ string) (yamlnode.Node, error) {
	if s.tag == "" {
		return nil, nil
	}
	var last error
	for _, ep := range s.endpoints(env) {
		logf(env, "Fetching image manifest for image: '%s:%s' from: %s\n", ep.image, s.tag, ep.root)
		_, digest, err := s.client(env, ep.root).manifestText(ctx, ep.image, s.tag)
		if err == nil {
			hexDigest, ok := strings.CutPrefix(digest, "sha256:")
			if !ok {
				return nil, s.errorf(ManifestError, "Unsupported digest method: %s", digest)
			}
			return yamlnode.NewScalar(hexDigest, bsterr.Provenance{}), nil
		}
		if isBst(err) || ctx.Err() != nil {
			return nil, err
		}
		last = err
	}
	return nil, s.requestError(last, "Error tracking %s:%s", s.imageName(), s.tag)
}

func (s *Source) imageName() string {
	if s.url != "" {
		return s.url
	}
	return s.image
}

func isBst(err error) bool {
	var e *bsterr.Error
	return errors.As(err, &e)
}

func (s *Source) requestError(err error, format string, args ...any) error {
	if err == nil {
		err = fmt.Errorf("no registry URL")
	}
	return httpget.Error(s.prov, err, "%s: %s", s, fmt.Sprintf(format, args...))
}

// Fetch downloads the manifest and the layers that are not cached.
func (s *Source) Fetch(ctx context.Context, env *plugin.SourceEnv, _ string) error {
	if s.digest == "" {
		return s.errorf(download.NoRef, "Cannot fetch %s: the source has no ref", s.imageName())
	}
	if !s.validRef() {
		return s.errorf(ManifestError, "Unsupported digest: %s", s.digest)
	}
	if s.Cached(env) {
		return nil
	}
	dir := mirrorDir(env)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return s.errorf(download.DownloadFailed, "Cannot create %s: %v", dir, err)
	}
	var last error
	for _, ep := range s.endpoints(env) {
		logf(env, "Fetching image %s:%s with digest %s from %s\n", ep.image, s.tag, s.digest, ep.root)
		err := s.fetchFrom(ctx, env, s.client(env, ep.root), ep.image, dir)
		if err == nil {
			return nil
		}
		if isBst(err) || ctx.Err() != nil {
			return err
		}
		logf(env, "%s failed: %v\n", ep.root, err)
		last = err
	}
	return s.requestError(last, "Error fetching %s@%s", s.imageName(), s.digest)
}

func (s *Source) fetchFrom(ctx context.Context, env *plugin.SourceEnv, c *client, image, dir string) error {
	m, err := s.loadManifest(env)
	var text []byte
	if err != nil {
		if isBst(err) && bsterr.ReasonOf(err) != ManifestError {
			return err
		}
		t, digest, err := c.manifestText(ctx, image, s.digest)
		if err != nil {
			return err
		}
		if digest != s.digest {
			return s.errorf(ManifestError, "Requested image %s, got manifest with digest %s", s.digest, digest)
		}
		if m, err = parseManifest(s, t); err != nil {
			return err
		}
		text = t
	}
	for _, l := range m.Layers {
		p := filepath.Join(dir, blobName(l.Digest))
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			continue
		}
		logf(env, "Fetching layer %s\n", l.Digest)
		if err := c.blob(ctx, image, l.Digest, dir); err != nil {
			return err
		}
	}
	if text != nil {
		// The manifest goes last: a cached manifest means complete layers.
		return writeAtomic(filepath.Join(dir, manifestName(s.digest)), text)
	}
	return nil
}

func writeAtomic(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".download-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), p)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

func logf(env *plugin.SourceEnv, format string, args ...any) {
	if env != nil && env.Log != nil {
		fmt.Fprintf(env.Log, format, args...)
	}
}
