package pypi

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/unpack"
	"example.org/bst/internal/yamlnode"
)

// Defaults of the plugin.
const (
	// StorageRoot is the default `url`, and what tracking removes from a
	// file's URL to make the suffix.
	StorageRoot = "https://files.pythonhosted.org/packages/"
	// DefaultIndex is where the JSON API is.
	DefaultIndex = "https://pypi.org/pypi/"
)

// Reasons of this package's errors.
const (
	// NoMatchingRelease: tracking found no release or sdist to use.
	NoMatchingRelease bsterr.Reason = "no-matching-release"
	// BadIndex: the JSON API's answer could not be read.
	BadIndex bsterr.Reason = "bad-index"
)

// Source is a pypi source.
type Source struct {
	gen     int
	element string
	prov    *bsterr.Provenance

	name    string
	url     string // as written
	include []*regexp.Regexp
	exclude []*regexp.Regexp

	suffix string
	sha    string

	// Index is the root of the JSON API: tracking reads
	// Index + name + "/json".
	Index string
	// Backoff is passed to the downloads (tests set it to zero).
	Backoff func(n int) time.Duration
}

var _ plugin.Source = (*Source)(nil)

// New configures a pypi source from spec.
func New(spec plugin.SourceSpec) (plugin.Source, error) {
	c := spec.Config
	s := &Source{gen: spec.Gen, element: spec.Element, prov: c.Pos(), Index: DefaultIndex}
	var err error
	if s.name, err = c.RequiredString("name"); err != nil {
		return nil, err
	}
	if s.url, err = c.StringDefault("url", StorageRoot); err != nil {
		return nil, err
	}
	for _, l := range []struct {
		key string
		out *[]*regexp.Regexp
	}{{"include", &s.include}, {"exclude", &s.exclude}} {
		pats, err := c.StringList(l.key)
		if err != nil {
			return nil, err
		}
		for _, p := range pats {
			re, err := regexp.Compile(`^(?:` + p + `)`)
			if err != nil {
				return nil, bsterr.Load(bsterr.InvalidData, c.Get(l.key).Pos(),
					"%s: invalid %s pattern '%s': %v", s, l.key, p, err)
			}
			*l.out = append(*l.out, re)
		}
	}
	ref, err := c.MappingAt("ref")
	if err != nil {
		return nil, err
	}
	if ref != nil {
		if err := ref.ValidateKeys("sha256sum", "suffix"); err != nil {
			return nil, err
		}
		s.SetRef(ref)
	}
	return s, nil
}

// String names the source in messages.
func (s *Source) String() string {
	if s.prov != nil && s.prov.File != "" {
		return fmt.Sprintf("pypi source at %s", s.prov)
	}
	return fmt.Sprintf("pypi source of %s", s.element)
}

func (s *Source) errorf(r bsterr.Reason, format string, args ...any) *bsterr.Error {
	return bsterr.Source(r, s.prov, "%s: %s", s, fmt.Sprintf(format, args...))
}

// Ref returns {sha256sum, suffix}, nil without a complete ref.
func (s *Source) Ref() yamlnode.Node {
	if s.sha == "" || s.suffix == "" {
		return nil
	}
	return refNode(s.sha, s.suffix)
}

func refNode(sha, suffix string) *yamlnode.Mapping {
	m := yamlnode.NewMapping(bsterr.Provenance{})
	m.Set("sha256sum", yamlnode.NewScalar(sha, bsterr.Provenance{}))
	m.Set("suffix", yamlnode.NewScalar(suffix, bsterr.Provenance{}))
	return m
}

// SetRef takes a {sha256sum, suffix} mapping; anything else clears the
// ref.
func (s *Source) SetRef(ref yamlnode.Node) {
	s.sha, s.suffix = "", ""
	if m, ok := ref.(*yamlnode.Mapping); ok {
		s.sha, _ = m.StringDefault("sha256sum", "")
		s.suffix, _ = m.StringDefault("suffix", "")
	}
}

// file is the download of the ref's sdist, nil without a ref.
func (s *Source) file() *download.File {
	if s.sha == "" || s.suffix == "" {
		return nil
	}
	f := &download.File{Kind: "pypi", URL: s.url + s.suffix, Gen: s.gen, Element: s.element, Prov: s.prov, Backoff: s.Backoff}
	f.SetRef(yamlnode.NewScalar(s.sha, bsterr.Provenance{}))
	return f
}

// Cached reports whether the ref's sdist is in the source cache.
func (s *Source) Cached(env *plugin.SourceEnv) bool {
	f := s.file()
	return f != nil && f.Cached(env)
}

// Fetch downloads the ref's sdist, verifying its sha256.
func (s *Source) Fetch(ctx context.Context, env *plugin.SourceEnv, _ string) error {
	f := s.file()
	if f == nil {
		return s.errorf(download.NoRef, "Cannot fetch %s: the source has no ref", s.name)
	}
	return f.Fetch(ctx, env, "")
}

// Stage unpacks the cached sdist into dir, its top directory stripped.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	f := s.file()
	if f == nil {
		return s.errorf(download.NoRef, "Cannot stage %s: the source has no ref", s.name)
	}
	if !f.Cached(env) {
		return s.errorf(download.StageFailed, "Cannot find mirror file %s", f.Path(env))
	}
	logf(env, "Staging %s into %s\n", s.url+s.suffix, dir)
	tmp := ""
	if env.SourceDir != "" {
		tmp = filepath.Join(env.SourceDir, ".tmp")
	}
	if err := unpack.Sdist(ctx, env, f.Path(env), s.suffix, dir, tmp); err != nil {
		return s.errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
	}
	return nil
}

func logf(env *plugin.SourceEnv, format string, args ...any) {
	if env != nil && env.Log != nil {
		fmt.Fprintf(env.Log, format, args...)
	}
}
