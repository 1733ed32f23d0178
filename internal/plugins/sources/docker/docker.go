package docker

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/yamlnode"
)

// DefaultRegistry is the registry-url default (Docker Hub).
const DefaultRegistry = "https://registry.hub.docker.com"

// Reasons of this package's errors.
const (
	// BadConfig: the configuration names no image, or names it twice.
	BadConfig bsterr.Reason = "docker-bad-config"
	// ManifestError: the registry's manifest is unusable.
	ManifestError bsterr.Reason = "docker-manifest"
	// BlobCorrupt: a layer's content does not have its digest.
	BlobCorrupt bsterr.Reason = "docker-blob-corrupt"
	// NotCached: staging needs a fetch first.
	NotCached bsterr.Reason = "docker-not-cached"
)

// Source is a docker source.
type Source struct {
	gen     int
	element string
	prov    *bsterr.Provenance

	url         string // 2.x `url` as written, "" if not used
	registryURL string // as written (registry-url), or derived from url
	image       string
	tag         string
	arch, os    string
	digest      string // "sha256:<hex>", "" = no ref

	// Backoff is the pause before retries (tests set it to zero).
	Backoff func(n int) time.Duration

	mu      sync.Mutex
	clients map[string]*client // by registry root
}

var _ plugin.Source = (*Source)(nil)

// New configures a docker source from spec.
func New(spec plugin.SourceSpec) (plugin.Source, error) {
	c := spec.Config
	s := &Source{gen: spec.Gen, element: spec.Element, prov: c.Pos()}
	if s.gen == 0 {
		s.gen = 1
	}
	var err error
	hasURL := c.Has("url")
	if hasURL && s.gen < 2 {
		return nil, s.errorf(BadConfig, "'url' parameter is now deprecated, use 'registry-url' and 'image' instead.")
	}
	if s.gen >= 2 {
		if hasURL && (c.Has("image") || c.Has("registry-url")) {
			return nil, s.errorf(BadConfig, "May specify either 'url', or 'image' and 'registry-url'")
		}
		if !hasURL && !c.Has("image") {
			return nil, s.errorf(BadConfig, "Must define either 'url' or 'image'")
		}
	}
	if hasURL {
		if s.url, err = c.RequiredString("url"); err != nil {
			return nil, err
		}
	} else {
		if s.image, err = c.RequiredString("image"); err != nil {
			return nil, err
		}
		if s.registryURL, err = c.StringDefault("registry-url", DefaultRegistry); err != nil {
			return nil, err
		}
	}
	if s.tag, err = c.StringDefault("track", ""); err != nil {
		return nil, err
	}
	if s.arch, err = c.StringDefault("architecture", ""); err != nil {
		return nil, err
	}
	if s.arch == "" {
		s.arch = defaultArchitecture()
	}
	if s.os, err = c.StringDefault("os", ""); err != nil {
		return nil, err
	}
	if s.os == "" {
		s.os = "linux"
	}
	ref, _, err := c.String("ref")
	if err != nil {
		return nil, err
	}
	if ref != "" {
		s.digest = "sha256:" + ref
	}
	if s.gen < 2 && s.digest == "" && s.tag == "" {
		return nil, s.errorf(BadConfig, "Must specify either 'ref' or 'track' parameters")
	}
	return s, nil
}

// defaultArchitecture is the machine's architecture as Docker names it
// (the plugins' default_architecture: uname's machine, x86_64 and aarch64
// renamed).
func defaultArchitecture() string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "amd64"
	}
	var b strings.Builder
	for _, c := range u.Machine {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	switch m := b.String(); m {
	case "x86_64":
		return "amd64"
	case "aarch64":
		return "arm64"
	default:
		return m
	}
}

// String names the source in messages.
func (s *Source) String() string {
	if s.prov != nil && s.prov.File != "" {
		return fmt.Sprintf("docker source at %s", s.prov)
	}
	return fmt.Sprintf("docker source of %s", s.element)
}

func (s *Source) errorf(r bsterr.Reason, format string, args ...any) *bsterr.Error {
	return bsterr.Source(r, s.prov, "%s: %s", s, fmt.Sprintf(format, args...))
}

// Ref returns the manifest digest's hex, nil without one.
func (s *Source) Ref() yamlnode.Node {
	if s.digest == "" {
		return nil
	}
	return yamlnode.NewScalar(strings.TrimPrefix(s.digest, "sha256:"), bsterr.Provenance{})
}

// SetRef takes the digest's hex; a null or non-scalar node clears it.
func (s *Source) SetRef(ref yamlnode.Node) {
	s.digest = ""
	if sc, ok := ref.(*yamlnode.Scalar); ok && !sc.Null && sc.Str() != "" {
		s.digest = "sha256:" + sc.Str()
	}
}

// endpoint is one registry root and the image's path on it.
type endpoint struct{ root, image string }

// endpoints are the registries to try, in order: each URL SourceEnv.URLs
// gives for registry-url (or, with 2.x `url`, for url: the registry is
// at the root of its host and the image is its path).
func (s *Source) endpoints(env *plugin.SourceEnv) []endpoint {
	expand := func(u string) []string {
		if env == nil || env.URLs == nil {
			return []string{u}
		}
		if l := env.URLs(u); len(l) > 0 {
			return l
		}
		return []string{u}
	}
	var out []endpoint
	if s.url == "" {
		for _, r := range expand(s.registryURL) {
			out = append(out, endpoint{r, s.image})
		}
		return out
	}
	for _, u := range expand(s.url) {
		p, err := url.Parse(u)
		if err != nil || p.Host == "" {
			continue
		}
		out = append(out, endpoint{p.Scheme + "://" + p.Host, p.Path})
	}
	return out
}
