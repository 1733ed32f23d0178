package docker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/httpget"
)

// Media types of manifests and layers.
const (
	mediaManifest     = "application/vnd.docker.distribution.manifest.v2+json"
	mediaManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaOCIManifest  = "application/vnd.oci.image.manifest.v1+json"
	mediaOCIIndex     = "application/vnd.oci.image.index.v1+json"
	mediaLayerGzip    = "application/vnd.docker.image.rootfs.diff.tar.gzip"
	mediaOCILayer     = "application/vnd.oci.image.layer.v1.tar"
)

// maxManifest bounds a manifest's size.
const maxManifest = 4 << 20

// manifest is what staging needs of an image manifest or manifest list.
type manifest struct {
	SchemaVersion int    `json:"schemaVersion"`
	MediaType     string `json:"mediaType"`
	Layers        []struct {
		MediaType string `json:"mediaType"`
		Digest    string `json:"digest"`
		Size      int64  `json:"size"`
	} `json:"layers"`
	Manifests []struct {
		Digest   string `json:"digest"`
		Platform struct {
			Architecture string `json:"architecture"`
			OS           string `json:"os"`
		} `json:"platform"`
	} `json:"manifests"`
}

// client talks to one registry; it keeps the token it was given.
type client struct {
	s     *Source
	http  *httpget.Client
	root  string
	token string
}

// client returns the source's client for a registry root, which keeps
// the token it got for later requests, as the plugins' client does.
func (s *Source) client(env *plugin.SourceEnv, root string) *client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients == nil {
		s.clients = map[string]*client{}
	}
	c := s.clients[root]
	if c == nil {
		c = &client{s: s, root: root}
		s.clients[root] = c
	}
	c.http = &httpget.Client{Env: env, Gen: s.gen, Backoff: s.Backoff}
	return c
}

// quote is Python's urllib.parse.quote: everything but unreserved
// characters and '/' percent-encoded.
func quote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// urlFor is the plugins' urljoin(endpoint, "v2", image, kind, quote(ref)).
func (c *client) urlFor(image, kind, ref string) string {
	root := strings.TrimSuffix(c.root, "/")
	return root + "/v2/" + strings.Trim(image, "/") + "/" + kind + "/" + quote(ref)
}

// get requests u, answering one Bearer challenge by getting a token.
func (c *client) get(ctx context.Context, u string, header http.Header) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		h := header.Clone()
		if h == nil {
			h = http.Header{}
		}
		h.Set("Content-Type", "application/json")
		if c.token != "" {
			h.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := c.http.Get(ctx, u, h)
		var se *httpget.StatusError
		if attempt == 0 && errors.As(err, &se) && se.Status == http.StatusUnauthorized {
			if err := c.authenticate(ctx, se.Header.Get("Www-Authenticate")); err != nil {
				return nil, err
			}
			continue
		}
		return resp, err
	}
}

// authenticate answers a Bearer challenge with a token from its realm.
func (c *client) authenticate(ctx context.Context, challenge string) error {
	params, ok := parseBearer(challenge)
	if !ok {
		return fmt.Errorf("unexpected Www-Authenticate response: %q", challenge)
	}
	realm := params["realm"]
	if realm == "" {
		return fmt.Errorf("no realm in Www-Authenticate response: %q", challenge)
	}
	q := url.Values{}
	for _, k := range []string{"service", "scope"} {
		if v, ok := params[k]; ok {
			q.Set(k, v)
		}
	}
	u := realm
	if len(q) > 0 {
		sep := "?"
		if strings.Contains(realm, "?") {
			sep = "&"
		}
		u += sep + q.Encode()
	}
	data, _, err := c.http.Bytes(ctx, u, nil, 1<<20)
	if err != nil {
		return fmt.Errorf("getting a token: %w", err)
	}
	var tok struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(data, &tok); err != nil {
		return fmt.Errorf("reading the token from %s: %w", realm, err)
	}
	c.token = tok.Token
	if c.token == "" {
		c.token = tok.AccessToken
	}
	if c.token == "" {
		return fmt.Errorf("%s gave no token", realm)
	}
	return nil
}

// parseBearer reads `Bearer k="v",k2="v2"` (values may hold commas).
func parseBearer(h string) (map[string]string, bool) {
	rest, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; {
		k, after, ok := strings.Cut(rest, "=")
		if !ok {
			return nil, false
		}
		k = strings.TrimSpace(k)
		var v string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				return nil, false
			}
			v, rest = after[1:1+end], after[2+end:]
		} else {
			v, rest, _ = strings.Cut(after, ",")
			rest = "," + rest
		}
		out[k] = v
		rest = strings.TrimLeft(strings.TrimSpace(rest), ",")
		rest = strings.TrimSpace(rest)
	}
	return out, true
}

// manifestText gets the manifest of reference (a tag or a digest),
// following a manifest list to the image for the configured platform.
// It returns the image manifest's text and digest.
func (c *client) manifestText(ctx context.Context, image, reference string) ([]byte, string, error) {
	h := http.Header{}
	h.Set("Accept", strings.Join([]string{mediaManifest, mediaManifestList, mediaOCIManifest, mediaOCIIndex}, ","))
	resp, err := c.get(ctx, c.urlFor(image, "manifests", reference), h)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	text, err := io.ReadAll(io.LimitReader(resp.Body, maxManifest+1))
	if err != nil {
		return nil, "", err
	}
	if len(text) > maxManifest {
		return nil, "", c.s.errorf(ManifestError, "manifest larger than %d bytes", maxManifest)
	}
	var m manifest
	if err := json.Unmarshal(text, &m); err != nil {
		return nil, "", c.s.errorf(ManifestError, "Server did not return a valid manifest: %v", err).WithDetail("%s", text)
	}
	switch m.SchemaVersion {
	case 1:
		return nil, "", c.s.errorf(ManifestError, "Schema version 1 is unsupported.").WithDetail("%s", text)
	case 0:
		return nil, "", c.s.errorf(ManifestError, "Manifest did not include the schemaVersion key.").WithDetail("%s", text)
	}
	ours := digestOf(text)
	if theirs := resp.Header.Get("Docker-Content-Digest"); theirs != "" && theirs != ours {
		return nil, "", c.s.errorf(ManifestError, "Server returned a non-matching content digest. Our digest: %s, their digest: %s", ours, theirs).WithDetail("%s", text)
	}
	mt := m.MediaType
	if mt == "" {
		mt = resp.Header.Get("Content-Type")
	}
	switch {
	case mt == mediaManifestList || mt == mediaOCIIndex || (mt == "" && len(m.Manifests) > 0):
		for _, sub := range m.Manifests {
			if sub.Platform.Architecture == c.s.arch && sub.Platform.OS != "" {
				return c.manifestText(ctx, image, sub.Digest)
			}
		}
		return nil, "", c.s.errorf(ManifestError, "No images found for architecture %s, OS %s", c.s.arch, c.s.os).WithDetail("%s", text)
	case mt == mediaManifest || mt == mediaOCIManifest || mt == "":
		return text, ours, nil
	}
	return nil, "", c.s.errorf(ManifestError, "Unsupported manifest type %s", mt).WithDetail("%s", text)
}

// blob downloads the blob with digest into dir/<digest>.tar.gz through a
// temporary file, verifying it first.
func (c *client) blob(ctx context.Context, image, digest, dir string) error {
	resp, err := c.get(ctx, c.urlFor(image, "blobs", digest), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	tmp, err := os.CreateTemp(dir, ".download-*")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), resp.Body); err != nil {
		return err
	}
	got := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if got != digest {
		return c.s.errorf(BlobCorrupt, "Blob %s is corrupt; got content hash of %s.", digest, got)
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, blobName(digest))); err != nil {
		return err
	}
	keep = true
	return nil
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func blobName(digest string) string     { return digest + ".tar.gz" }
func manifestName(digest string) string { return digest + ".manifest.json" }
