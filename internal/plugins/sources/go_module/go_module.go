package gomodule

import (
	"context"
	"fmt"
	"regexp"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/git"
	"example.org/bst/internal/yamlnode"
)

// Reasons of this package's errors.
const (
	// BadRef: the ref is not in the expected format.
	BadRef bsterr.Reason = "go-module-bad-ref"
	// NotInGoSum: go.sum does not list the module.
	NotInGoSum bsterr.Reason = "go-module-not-in-go-sum"
	// BadVersion: the module's version is not one the plugin knows.
	BadVersion bsterr.Reason = "go-module-bad-version"
	// NoRef: the source has no ref to fetch or stage.
	NoRef bsterr.Reason = "go-module-no-ref"
)

// refRE is the git-ref format: a commit, optionally described.
var refRE = regexp.MustCompile(`^(?:(.*)(?:-(\d+)-g))?([0-9a-f]{40})$`)

// ref is the source's reference.
type ref struct {
	goVersion    string
	gitRef       string
	explicit     bool
	subdirectory string
	hasSubdir    bool
}

// Source is a go_module source.
type Source struct {
	element string
	prov    *bsterr.Provenance
	url     string
	module  string
	ref     *ref

	// ImportURL is where tracking reads a module's go-import meta tag.
	ImportURL func(module string) string
}

var _ plugin.Source = (*Source)(nil)

// New configures a go_module source from spec.
func New(spec plugin.SourceSpec) (plugin.Source, error) {
	c := spec.Config
	s := &Source{element: spec.Element, prov: c.Pos(),
		ImportURL: func(m string) string { return "https://" + m + "?go-get=1" }}
	var err error
	if s.url, err = c.RequiredString("url"); err != nil {
		return nil, err
	}
	if s.module, err = c.RequiredString("module"); err != nil {
		return nil, err
	}
	m, err := c.MappingAt("ref")
	if err != nil {
		return nil, err
	}
	if m != nil {
		if s.ref, err = s.loadRef(m); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Source) loadRef(m *yamlnode.Mapping) (*ref, error) {
	if err := m.ValidateKeys("go-version", "git-ref", "explicit", "subdirectory"); err != nil {
		return nil, err
	}
	r := &ref{}
	var err error
	if r.goVersion, err = m.RequiredString("go-version"); err != nil {
		return nil, err
	}
	if r.gitRef, err = m.RequiredString("git-ref"); err != nil {
		return nil, err
	}
	if !m.Has("explicit") {
		return nil, bsterr.Load(bsterr.InvalidData, &m.P, "Dictionary did not contain expected key 'explicit'")
	}
	if r.explicit, err = m.Bool("explicit", false); err != nil {
		return nil, err
	}
	if m.Has("subdirectory") {
		if r.subdirectory, err = m.RequiredString("subdirectory"); err != nil {
			return nil, err
		}
		r.hasSubdir = true
	}
	if !refRE.MatchString(r.gitRef) {
		return nil, s.errorf(BadRef, "ref %s is not in the expected format", r.gitRef)
	}
	return r, nil
}

// String names the source in messages.
func (s *Source) String() string {
	if s.prov != nil && s.prov.File != "" {
		return fmt.Sprintf("go_module source at %s", s.prov)
	}
	return fmt.Sprintf("go_module source of %s", s.element)
}

func (s *Source) errorf(r bsterr.Reason, format string, args ...any) *bsterr.Error {
	return bsterr.Source(r, s.prov, "%s: %s", s, fmt.Sprintf(format, args...))
}

// Ref returns {go-version, git-ref, explicit[, subdirectory]}.
func (s *Source) Ref() yamlnode.Node {
	if s.ref == nil {
		return nil
	}
	return s.ref.node()
}

func (r *ref) node() *yamlnode.Mapping {
	m := yamlnode.NewMapping(bsterr.Provenance{})
	str := func(v string) *yamlnode.Scalar { return yamlnode.NewScalar(v, bsterr.Provenance{}) }
	m.Set("go-version", str(r.goVersion))
	m.Set("git-ref", str(r.gitRef))
	if r.explicit {
		m.Set("explicit", str("True"))
	} else {
		m.Set("explicit", str("False"))
	}
	if r.hasSubdir {
		m.Set("subdirectory", str(r.subdirectory))
	}
	return m
}

// SetRef takes a ref mapping; anything unreadable clears the ref.
func (s *Source) SetRef(n yamlnode.Node) {
	s.ref = nil
	if m, ok := n.(*yamlnode.Mapping); ok {
		if r, err := s.loadRef(m); err == nil {
			s.ref = r
		}
	}
}

// gitSource is the git_repo source for a commit (in git-ref form), with
// its mirror under SourceDir/go_module/; extra sets more keys.
func (s *Source) gitSource(extra map[string]string) (plugin.Source, error) {
	c := yamlnode.NewMapping(*s.prov)
	c.Set("url", yamlnode.NewScalar(s.url, *s.prov))
	for k, v := range extra {
		c.Set(k, yamlnode.NewScalar(v, *s.prov))
	}
	return git.NewGitRepo(plugin.SourceSpec{Kind: "go_module", Gen: 2, Config: c, Element: s.element})
}

func (s *Source) refSource() (plugin.Source, error) {
	if s.ref == nil {
		return nil, s.errorf(NoRef, "the source has no ref; track it first")
	}
	return s.gitSource(map[string]string{"ref": s.ref.gitRef})
}

// Cached reports whether the mirror has the ref's commit.
func (s *Source) Cached(env *plugin.SourceEnv) bool {
	g, err := s.refSource()
	return err == nil && g.Cached(env)
}

// Fetch fetches the ref's commit into the mirror.
func (s *Source) Fetch(ctx context.Context, env *plugin.SourceEnv, _ string) error {
	g, err := s.refSource()
	if err != nil {
		return err
	}
	return g.Fetch(ctx, env, "")
}
