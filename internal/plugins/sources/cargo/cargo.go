package cargo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/yamlnode"
)

// DefaultURL is where crates are downloaded from by default.
const DefaultURL = "https://static.crates.io/crates"

// Reasons of this package's errors.
const (
	// LockNotFound: tracking found no Cargo.lock in the previous sources.
	LockNotFound bsterr.Reason = "cargo-lock-not-found"
	// MalformedLock: the Cargo.lock could not be read.
	MalformedLock bsterr.Reason = "malformed-cargo-lock"
	// CrateNotFound: a git crate is not in its repository.
	CrateNotFound bsterr.Reason = "crate-not-found"
)

// Crate kinds of cargo2 refs.
const (
	KindRegistry = "registry"
	KindGit      = "git"
)

// crate is one entry of the ref.
type crate struct {
	kind    string // cargo2: KindRegistry or KindGit; cargo: KindRegistry
	name    string
	version string
	sha     string // registry crates; "" = unknown
	// git crates (cargo2)
	repo   string
	commit string
	query  [][2]string // e.g. rev=<sha>, in order
	// provenance of a BuildStream 2 cargo crate, kept across tracking.
	provenance yamlnode.Node
}

// Source is a cargo or cargo2 source.
type Source struct {
	kind    string
	gen     int
	element string
	prov    *bsterr.Provenance

	url    string // as written
	lock   string
	vendor string

	crates     []crate // nil = no ref
	provenance map[string]yamlnode.Node

	// Backoff is passed to the downloads (tests set it to zero).
	Backoff func(n int) time.Duration
}

var _ plugin.Source = (*Source)(nil)

// New configures a `cargo` source (bst-external's when spec.Gen is 1,
// buildstream-plugins' when it is 2).
func New(spec plugin.SourceSpec) (plugin.Source, error) { return configure(spec, "cargo") }

// NewCargo2 configures a community `cargo2` source.
func NewCargo2(spec plugin.SourceSpec) (plugin.Source, error) { return configure(spec, "cargo2") }

func configure(spec plugin.SourceSpec, kind string) (plugin.Source, error) {
	c := spec.Config
	if c == nil {
		c = yamlnode.NewMapping(bsterr.Provenance{})
	}
	s := &Source{kind: kind, gen: spec.Gen, element: spec.Element, prov: c.Pos(), provenance: map[string]yamlnode.Node{}}
	if s.gen == 0 {
		s.gen = 1
	}
	if kind == "cargo2" {
		s.gen = 2
	}
	var err error
	if s.url, err = c.StringDefault("url", DefaultURL); err != nil {
		return nil, err
	}
	if s.lock, err = c.StringDefault("cargo-lock", "Cargo.lock"); err != nil {
		return nil, err
	}
	if s.vendor, err = c.StringDefault("vendor-dir", "crates"); err != nil {
		return nil, err
	}
	ref, err := c.SequenceAt("ref")
	if err != nil {
		return nil, err
	}
	if ref != nil {
		crates, err := s.parseRef(ref)
		if err != nil {
			return nil, err
		}
		for _, cr := range crates {
			if cr.provenance != nil {
				s.provenance[cr.name] = cr.provenance
			}
		}
		s.crates = crates
	}
	return s, nil
}

// parseRef reads the ref's entries.
func (s *Source) parseRef(seq *yamlnode.Sequence) ([]crate, error) {
	var out []crate
	for _, it := range seq.Items {
		m, ok := it.(*yamlnode.Mapping)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'ref' is not of the expected type 'dict'")
		}
		cr := crate{kind: KindRegistry}
		var err error
		if s.kind == "cargo2" {
			if cr.kind, err = m.StringDefault("kind", KindRegistry); err != nil {
				return nil, err
			}
			if cr.kind != KindRegistry && cr.kind != KindGit {
				return nil, bsterr.Load(bsterr.InvalidData, m.Get("kind").Pos(),
					"%s: unknown crate kind '%s' (expected registry or git)", s, cr.kind)
			}
		}
		if cr.name, err = m.RequiredString("name"); err != nil {
			return nil, err
		}
		if cr.version, err = m.RequiredString("version"); err != nil {
			return nil, err
		}
		if cr.sha, _, err = m.String("sha"); err != nil {
			return nil, err
		}
		if cr.kind == KindGit {
			if cr.repo, err = m.RequiredString("repo"); err != nil {
				return nil, err
			}
			if cr.commit, err = m.RequiredString("commit"); err != nil {
				return nil, err
			}
			q, err := m.MappingAt("query")
			if err != nil {
				return nil, err
			}
			if q != nil {
				for i, k := range q.Keys {
					v, _ := q.Vals[i].(*yamlnode.Scalar)
					if v == nil {
						return nil, bsterr.Load(bsterr.InvalidData, q.Vals[i].Pos(), "Value of '%s' is not of the expected type 'str'", k)
					}
					cr.query = append(cr.query, [2]string{k, v.Str()})
				}
			}
		}
		if s.kind == "cargo" && s.gen >= 2 {
			cr.provenance = m.Get("provenance")
		}
		out = append(out, cr)
	}
	return out, nil
}

// String names the source in messages.
func (s *Source) String() string {
	if s.prov != nil && s.prov.File != "" {
		return fmt.Sprintf("%s source at %s", s.kind, s.prov)
	}
	return fmt.Sprintf("%s source of %s", s.kind, s.element)
}

func (s *Source) errorf(r bsterr.Reason, format string, args ...any) *bsterr.Error {
	return bsterr.Source(r, s.prov, "%s: %s", s, fmt.Sprintf(format, args...))
}

// Ref returns the crate list, nil when there are no crates.
func (s *Source) Ref() yamlnode.Node {
	if len(s.crates) == 0 {
		return nil
	}
	return s.refNode(s.crates)
}

func (s *Source) refNode(crates []crate) *yamlnode.Sequence {
	seq := &yamlnode.Sequence{}
	str := func(v string) *yamlnode.Scalar { return yamlnode.NewScalar(v, bsterr.Provenance{}) }
	for _, cr := range crates {
		m := yamlnode.NewMapping(bsterr.Provenance{})
		if s.kind == "cargo2" {
			m.Set("kind", str(cr.kind))
		}
		if cr.kind == KindGit {
			m.Set("commit", str(cr.commit))
			m.Set("repo", str(cr.repo))
			if len(cr.query) > 0 {
				q := yamlnode.NewMapping(bsterr.Provenance{})
				for _, kv := range cr.query {
					q.Set(kv[0], str(kv[1]))
				}
				m.Set("query", q)
			}
		}
		m.Set("name", str(cr.name))
		m.Set("version", str(cr.version))
		if cr.kind == KindRegistry {
			if cr.sha == "" {
				m.Set("sha", &yamlnode.Scalar{Null: true})
			} else {
				m.Set("sha", str(cr.sha))
			}
		}
		if s.kind == "cargo" && s.gen >= 2 {
			if p := s.provenance[cr.name]; p != nil {
				m.Set("provenance", p.Clone())
			}
		}
		seq.Items = append(seq.Items, m)
	}
	return seq
}

// SetRef replaces the crate list; anything but a sequence clears it.
func (s *Source) SetRef(ref yamlnode.Node) {
	s.crates = nil
	seq, ok := ref.(*yamlnode.Sequence)
	if !ok {
		return
	}
	crates, err := s.parseRef(seq)
	if err == nil {
		s.crates = crates
	}
}

// crateURL is where a registry crate is downloaded from, as written.
func (s *Source) crateURL(cr crate) string {
	path := cr.name + "/" + cr.name + "-" + cr.version + ".crate"
	if s.gen < 2 {
		return s.url + "/" + path
	}
	u := s.url
	if !strings.HasSuffix(u, ":") && !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u + path
}

// baseURL is the url crates are under (2.x: with its '/').
func (s *Source) baseURL() string {
	if s.gen >= 2 && !strings.HasSuffix(s.url, ":") && !strings.HasSuffix(s.url, "/") {
		return s.url + "/"
	}
	return s.url
}

// file is the download of a registry crate.
func (s *Source) file(cr crate) *download.File {
	f := &download.File{Kind: s.kind, URL: s.crateURL(cr), Gen: s.gen, Element: s.element, Prov: s.prov, Backoff: s.Backoff}
	if cr.sha != "" {
		f.SetRef(yamlnode.NewScalar(cr.sha, bsterr.Provenance{}))
	}
	return f
}

// Cached reports whether every crate is resolved and in the source
// cache.
func (s *Source) Cached(env *plugin.SourceEnv) bool {
	if len(s.crates) == 0 {
		return false
	}
	for _, g := range s.gitGroups() {
		src, err := s.gitSource(g)
		if err != nil || !src.Cached(env) {
			return false
		}
	}
	for _, cr := range s.crates {
		if cr.kind != KindRegistry {
			continue
		}
		if cr.sha == "" || !s.file(cr).Cached(env) {
			return false
		}
	}
	return true
}

// Fetch downloads every crate that is not cached.
func (s *Source) Fetch(ctx context.Context, env *plugin.SourceEnv, _ string) error {
	if len(s.crates) == 0 {
		return s.errorf(download.NoRef, "Cannot fetch: the source has no ref")
	}
	for _, cr := range s.crates {
		if cr.kind != KindRegistry {
			continue
		}
		if cr.sha == "" {
			return s.errorf(download.NoRef, "Cannot fetch crate %s %s: it has no sha", cr.name, cr.version)
		}
		f := s.file(cr)
		if f.Cached(env) {
			continue
		}
		logf(env, "Downloading: %s\n", f.URL)
		if err := f.Fetch(ctx, env, ""); err != nil {
			return err
		}
	}
	for _, g := range s.gitGroups() {
		src, err := s.gitSource(g)
		if err != nil {
			return err
		}
		if src.Cached(env) {
			continue
		}
		if err := src.Fetch(ctx, env, ""); err != nil {
			return err
		}
	}
	return nil
}

func logf(env *plugin.SourceEnv, format string, args ...any) {
	if env != nil && env.Log != nil {
		fmt.Fprintf(env.Log, format, args...)
	}
}
