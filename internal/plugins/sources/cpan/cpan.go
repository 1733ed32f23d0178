package cpan

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/unpack"
	"example.org/bst/internal/yamlnode"
)

// Defaults and fixed paths of the plugin.
const (
	DefaultIndex = "https://cpan.metacpan.org/"
	PackageIndex = "modules/02packages.details.txt.gz"
	ByAuthor     = "authors/id/"
)

// Reasons of this package's errors.
const (
	// MissingName: the source has no `name`.
	MissingName bsterr.Reason = "missing-name"
	// NotInIndex: tracking did not find the module in the index.
	NotInIndex bsterr.Reason = "not-in-index"
)

// Source is a cpan source.
type Source struct {
	gen     int
	element string
	prov    *bsterr.Provenance

	name   string
	index  string
	scheme string // 1.x: the alias tracked URLs are written with

	loc string // 1.x: url; 2.x: suffix ("" = no ref)
	sha string

	// Backoff is passed to the downloads (tests set it to zero).
	Backoff func(n int) time.Duration
}

var _ plugin.Source = (*Source)(nil)

// New configures a cpan source from spec.
func New(spec plugin.SourceSpec) (plugin.Source, error) {
	c := spec.Config
	s := &Source{gen: spec.Gen, element: spec.Element, prov: c.Pos()}
	var err error
	if s.name, _, err = c.String("name"); err != nil {
		return nil, err
	}
	if s.name == "" {
		return nil, bsterr.Source(MissingName, s.prov, "%s: Missing name", s)
	}
	if s.index, err = c.StringDefault("index", DefaultIndex); err != nil {
		return nil, err
	}
	if s.gen < 2 && s.index == DefaultIndex {
		s.scheme = "cpan"
	}
	for _, k := range s.RefKeys() {
		if _, _, err := c.String(k); err != nil {
			return nil, err
		}
	}
	m := yamlnode.NewMapping(bsterr.Provenance{})
	for _, k := range s.RefKeys() {
		if v := c.Get(k); v != nil {
			m.Set(k, v)
		}
	}
	s.SetRef(m)
	return s, nil
}

// RefKeys names the top-level configuration keys that hold the
// reference: url and sha256sum (1.x), suffix and sha256sum (2.x).
func (s *Source) RefKeys() []string { return RefKeys(s.gen) }

// RefKeys are the configuration keys a cpan reference occupies in
// generation gen: bst-external's load_ref and set_ref read and write `url`
// and `sha256sum` (inline and in project.refs alike); the 2.x community
// plugin's `suffix` replaces `url`.
func RefKeys(gen int) []string {
	if gen >= 2 {
		return []string{"suffix", "sha256sum"}
	}
	return []string{"url", "sha256sum"}
}

func (s *Source) locKey() string { return s.RefKeys()[0] }

// String names the source in messages.
func (s *Source) String() string {
	if s.prov != nil && s.prov.File != "" {
		return fmt.Sprintf("cpan source at %s", s.prov)
	}
	return fmt.Sprintf("cpan source of %s", s.element)
}

func (s *Source) errorf(r bsterr.Reason, format string, args ...any) *bsterr.Error {
	return bsterr.Source(r, s.prov, "%s: %s", s, fmt.Sprintf(format, args...))
}

// Ref returns the mapping of the RefKeys, nil when either is missing.
func (s *Source) Ref() yamlnode.Node {
	if s.loc == "" || s.sha == "" {
		return nil
	}
	return s.refNode(s.loc, s.sha)
}

func (s *Source) refNode(loc, sha string) *yamlnode.Mapping {
	m := yamlnode.NewMapping(bsterr.Provenance{})
	m.Set(s.locKey(), yamlnode.NewScalar(loc, bsterr.Provenance{}))
	m.Set("sha256sum", yamlnode.NewScalar(sha, bsterr.Provenance{}))
	return m
}

// SetRef takes a mapping with the RefKeys; anything else clears the ref.
func (s *Source) SetRef(ref yamlnode.Node) {
	s.loc, s.sha = "", ""
	if m, ok := ref.(*yamlnode.Mapping); ok {
		s.loc, _ = m.StringDefault(s.locKey(), "")
		s.sha, _ = m.StringDefault("sha256sum", "")
	}
}

// url is the distribution's URL as written (possibly with an alias).
func (s *Source) url(loc string) string {
	if s.gen >= 2 {
		return s.index + loc
	}
	return loc
}

func (s *Source) file(loc, sha string) *download.File {
	f := &download.File{Kind: "cpan", URL: s.url(loc), Gen: s.gen, Element: s.element, Prov: s.prov, Backoff: s.Backoff}
	if sha != "" {
		f.SetRef(yamlnode.NewScalar(sha, bsterr.Provenance{}))
	}
	return f
}

// Cached reports whether the distribution is in the source cache.
func (s *Source) Cached(env *plugin.SourceEnv) bool {
	return s.Ref() != nil && s.file(s.loc, s.sha).Cached(env)
}

// Fetch downloads the distribution, verifying its sha256.
func (s *Source) Fetch(ctx context.Context, env *plugin.SourceEnv, _ string) error {
	if s.Ref() == nil {
		return s.errorf(download.NoRef, "Cannot fetch %s: the source has no %s and sha256sum", s.name, s.locKey())
	}
	return s.file(s.loc, s.sha).Fetch(ctx, env, "")
}

// Stage unpacks the cached distribution into dir, its top directory
// stripped.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	if s.Ref() == nil {
		return s.errorf(download.NoRef, "Cannot stage %s: the source has no %s and sha256sum", s.name, s.locKey())
	}
	f := s.file(s.loc, s.sha)
	if !f.Cached(env) {
		return s.errorf(download.StageFailed, "Cannot find mirror file %s", f.Path(env))
	}
	logf(env, "Staging %s into %s\n", f.URL, dir)
	tmp := ""
	if env.SourceDir != "" {
		tmp = filepath.Join(env.SourceDir, ".tmp")
	}
	if err := unpack.Sdist(ctx, env, f.Path(env), f.TranslatedURL(env), dir, tmp); err != nil {
		return s.errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
	}
	return nil
}

func logf(env *plugin.SourceEnv, format string, args ...any) {
	if env != nil && env.Log != nil {
		fmt.Fprintf(env.Log, format, args...)
	}
}
