package git

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/yamlnode"
)

// flavor is which plugin's behaviour a Source follows.
type flavor int

const (
	flavorGit       flavor = iota // git: BuildStream 1 core or buildstream-plugins (by Gen)
	flavorGitTag                  // git_tag (bst-external)
	flavorGitModule               // git_module (bst-external, community)
	flavorGitRepo                 // git_repo (community)
)

// Reasons of the errors this package returns.
const (
	// MissingTrackAndRef: a git or git_tag source has neither ref nor track.
	MissingTrackAndRef bsterr.Reason = "missing-track-and-ref"
	// TrackAttemptNoTrack: 2.x git tracked without track nor ref.
	TrackAttemptNoTrack bsterr.Reason = "track-attempt-no-track"
	// RefNotFound: the reference is not in the repository after fetching.
	RefNotFound bsterr.Reason = "ref-not-found"
	// FetchFailed: no URL of the repository could be fetched from.
	FetchFailed bsterr.Reason = "fetch-failed"
	// NotCached: staging needs a fetch first.
	NotCached bsterr.Reason = "not-cached"
	// TrackFailed: the tracking branch or tag could not be resolved.
	TrackFailed bsterr.Reason = "track-failed"
	// Unsupported: a configured feature this implementation lacks (git LFS).
	Unsupported bsterr.Reason = "unsupported"
)

// Tag is one entry of a 2.x git source's `tags`.
type Tag struct {
	Name      string
	Commit    string
	Annotated bool
}

// submoduleConfig is one entry of `submodules`.
type submoduleConfig struct {
	url      string // "" = the URL in .gitmodules
	checkout *bool  // nil = checkout-submodules
}

// Source is a configured git, git_tag, git_module or git_repo source.
type Source struct {
	kind    string
	gen     int
	flavor  flavor
	element string
	prov    bsterr.Provenance

	url       string // as written (alias not expanded)
	ref       string // "" = none
	tags      []Tag  // 2.x git
	track     string
	refFormat string // "sha1" or "git-describe"

	trackTags  bool     // 2.x git: record tags; git_tag: track the latest tag
	trackExtra []string // git_tag
	match      []string // git_tag
	exclude    []string // git_tag, git_repo

	checkoutSubmodules bool
	submodules         map[string]submoduleConfig
	submodulePaths     []string // configured paths, in file order

	path      string // git_module: where the submodule is staged
	fullClone bool
	useLFS    bool
}

var _ plugin.Source = (*Source)(nil)

// NewGit makes a `git` source (BuildStream 1 core when spec.Gen is 1,
// buildstream-plugins when it is 2).
func NewGit(spec plugin.SourceSpec) (plugin.Source, error) { return construct(spec, flavorGit) }

// NewGitTag makes a bst-external `git_tag` source.
func NewGitTag(spec plugin.SourceSpec) (plugin.Source, error) { return construct(spec, flavorGitTag) }

// NewGitModule makes a `git_module` source (bst-external in 1.x,
// community in 2.x).
func NewGitModule(spec plugin.SourceSpec) (plugin.Source, error) {
	return construct(spec, flavorGitModule)
}

// NewGitRepo makes a community `git_repo` source.
func NewGitRepo(spec plugin.SourceSpec) (plugin.Source, error) { return construct(spec, flavorGitRepo) }

// construct keeps a failed construction from returning a non-nil
// interface holding a nil *Source.
func construct(spec plugin.SourceSpec, fl flavor) (plugin.Source, error) {
	s, err := newSource(spec, fl)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// String names the source in messages, as BuildStream does.
func (s *Source) String() string {
	if s.prov.File != "" {
		return fmt.Sprintf("%s source at %s", s.kind, s.prov)
	}
	if s.element != "" {
		return fmt.Sprintf("%s source of %s", s.kind, s.element)
	}
	return s.kind + " source"
}

func (s *Source) errorf(r bsterr.Reason, format string, args ...any) *bsterr.Error {
	return bsterr.Source(r, nil, "%s: %s", s, fmt.Sprintf(format, args...))
}

// gen2git reports whether s follows buildstream-plugins' git.
func (s *Source) gen2git() bool { return s.flavor == flavorGit && s.gen == 2 }

// Ref implements plugin.Source. Every kind's reference is a string,
// except 2.x git's: a mapping with `ref` and, when there are tags, `tags`
// (a list of {tag, commit, annotated}), the two configuration keys that
// buildstream-plugins' set_ref writes. Keys absent from the mapping are to
// be removed from the element.
func (s *Source) Ref() yamlnode.Node {
	if s.ref == "" {
		return nil
	}
	if !s.gen2git() {
		return yamlnode.NewScalar(s.ref, bsterr.Provenance{})
	}
	return refMapping(s.ref, s.tags)
}

func refMapping(ref string, tags []Tag) *yamlnode.Mapping {
	m := yamlnode.NewMapping(bsterr.Provenance{})
	m.Set("ref", yamlnode.NewScalar(ref, bsterr.Provenance{}))
	if len(tags) > 0 {
		seq := &yamlnode.Sequence{}
		for _, t := range tags {
			tm := yamlnode.NewMapping(bsterr.Provenance{})
			tm.Set("tag", yamlnode.NewScalar(t.Name, bsterr.Provenance{}))
			tm.Set("commit", yamlnode.NewScalar(t.Commit, bsterr.Provenance{}))
			ann := "False"
			if t.Annotated {
				ann = "True"
			}
			tm.Set("annotated", yamlnode.NewScalar(ann, bsterr.Provenance{}))
			seq.Items = append(seq.Items, tm)
		}
		m.Set("tags", seq)
	}
	return m
}

// SetRef implements plugin.Source: a scalar sets the ref (keeping 2.x
// tags), a mapping as Ref returns sets ref and tags, nil clears both.
func (s *Source) SetRef(ref yamlnode.Node) {
	switch r := ref.(type) {
	case nil:
		s.ref, s.tags = "", nil
	case *yamlnode.Scalar:
		if r.Null {
			s.ref, s.tags = "", nil
			return
		}
		s.ref = r.Str()
	case *yamlnode.Mapping:
		v, _, _ := r.String("ref")
		s.ref = v
		tags, err := loadTags(r)
		if err == nil {
			s.tags = tags
		}
	}
}

// mirrorDir is where the mirror of url (as written) lives.
func (s *Source) mirrorDir(env *plugin.SourceEnv, url string) string {
	name := URLDirectoryName(url)
	if s.flavor == flavorGitRepo {
		name = URLDirectoryName(strings.TrimSuffix(url, ".git")) + ".git"
	}
	return filepath.Join(env.SourceDir, s.kind, name)
}

func (s *Source) mirror(env *plugin.SourceEnv, url string) *mirror {
	return &mirror{url: url, dir: s.mirrorDir(env, url)}
}

// logf writes a line to the source's log.
func logf(env *plugin.SourceEnv, format string, args ...any) {
	var w io.Writer = io.Discard
	if env != nil && env.Log != nil {
		w = env.Log
	}
	fmt.Fprintf(w, format+"\n", args...)
}

// warn logs one of the plugins' configurable warnings.
func (s *Source) warn(env *plugin.SourceEnv, token, format string, args ...any) {
	logf(env, "WARNING [%s] %s: %s", token, s, fmt.Sprintf(format, args...))
}

// Cached implements plugin.Source: the mirror has the reference's
// object (and the tag a git_repo ref names), and every submodule to
// check out is in its own mirror.
func (s *Source) Cached(env *plugin.SourceEnv) bool {
	if s.ref == "" || env == nil {
		return false
	}
	g, err := newRunner(env)
	if err != nil {
		return false
	}
	ctx := context.Background()
	m := s.mirror(env, s.url)
	ok, err := m.satisfies(ctx, g, s.want())
	if err != nil || !ok {
		return false
	}
	if !s.hasSubmodules() {
		return true
	}
	commit, err := m.peel(ctx, g, s.refObject())
	if err != nil {
		return false
	}
	subs, err := s.submoduleTree(ctx, env, g, m, commit, "", nil)
	if err != nil {
		return false
	}
	for _, sm := range subs {
		if !sm.cached {
			return false
		}
	}
	return true
}

// refObject is the revision the ref names in the mirror.
func (s *Source) refObject() string {
	switch s.flavor {
	case flavorGitRepo:
		if m := gitRepoRefRE.FindStringSubmatch(s.ref); m != nil {
			return m[3]
		}
	case flavorGit:
		if s.gen == 2 {
			return stripDescribe(s.ref)
		}
	}
	if ri := parseRef(s.ref); ri.obj != "" {
		return ri.obj
	}
	return s.ref
}

// RefKeys names the configuration keys the ref occupies (plugin.MultiKeyRef):
// 2.x git keeps its tags beside the ref; other kinds only `ref`.
func (s *Source) RefKeys() []string {
	if s.flavor == flavorGit {
		return RefKeys(s.gen)
	}
	return []string{"ref"}
}

// RefKeys names the configuration keys a `git` source's ref occupies in
// generation gen: buildstream-plugins' set_ref writes `ref` and `tags`,
// BuildStream 1's only `ref`.
func RefKeys(gen int) []string {
	if gen == 2 {
		return []string{"ref", "tags"}
	}
	return []string{"ref"}
}
