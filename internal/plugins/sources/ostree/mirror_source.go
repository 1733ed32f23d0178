package ostree

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/local"
	"example.org/bst/internal/yamlnode"
)

// MirrorRef is one entry of an `ostree_mirror` ref: a branch of the
// remote repository and the commit it named when tracked.
type MirrorRef struct {
	Ref      string
	Checksum string
}

// MirrorSource is freedesktop-sdk's `ostree_mirror` source: the commits of
// several branches of an OSTree repository, staged as an OSTree
// repository (archive mode) holding those commits under those branches.
type MirrorSource struct {
	kind    string
	element string
	prov    bsterr.Provenance

	url   string // as written, or file://<project>/<path>
	gpg   string // full path of the verifying key (always verified)
	match string // fnmatch pattern selecting the branches to track; "" = all
	refs  []MirrorRef
	// hasRef: the configuration has a ref (possibly an empty list).
	hasRef bool
}

var _ plugin.Source = (*MirrorSource)(nil)

// NewMirror configures an `ostree_mirror` source. Its keys are those of
// freedesktop-sdk's plugin (the same in its 1.x and 2.x versions): url,
// or path (a project directory used as file:// URL); gpg (required); match;
// ref, a list of {ref, checksum}.
func NewMirror(spec plugin.SourceSpec) (plugin.Source, error) {
	c := spec.Config
	if c == nil {
		c = yamlnode.NewMapping(bsterr.Provenance{})
	}
	s := &MirrorSource{kind: spec.Kind, element: spec.Element, prov: c.P}
	url, ok, err := c.String("url")
	if err != nil {
		return nil, err
	}
	if ok && url != "" {
		s.url = url
	} else {
		rel, _, err := local.ProjectPathStaged(c, "path", spec.ProjectDir, local.AnyPath, spec.Staging)
		if err != nil {
			return nil, err
		}
		s.url = "file://" + filepath.Join(spec.ProjectDir, rel)
	}
	if _, s.gpg, err = local.ProjectPathStaged(c, "gpg", spec.ProjectDir, local.AnyPath, spec.Staging); err != nil {
		return nil, err
	}
	if s.match, _, err = c.String("match"); err != nil {
		return nil, err
	}
	if s.match != "" {
		if _, err := download.Fnmatch("", s.match); err != nil {
			return nil, bsterr.Load(bsterr.InvalidData, c.Get("match").Pos(), "invalid pattern '%s': %v", s.match, err)
		}
	}
	if err := s.loadRef(c); err != nil {
		return nil, err
	}
	return s, nil
}

// loadRef reads the `ref` list of c.
func (s *MirrorSource) loadRef(c *yamlnode.Mapping) error {
	s.refs, s.hasRef = nil, false
	seq, err := c.SequenceAt("ref")
	if err != nil || seq == nil {
		return err
	}
	refs := make([]MirrorRef, 0, len(seq.Items))
	for _, it := range seq.Items {
		m, ok := it.(*yamlnode.Mapping)
		if !ok {
			return bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'ref' is not of the expected type 'dict'")
		}
		if err := m.ValidateKeys("ref", "checksum"); err != nil {
			return err
		}
		var r MirrorRef
		if r.Ref, err = m.RequiredString("ref"); err != nil {
			return err
		}
		if r.Checksum, err = m.RequiredString("checksum"); err != nil {
			return err
		}
		refs = append(refs, r)
	}
	s.refs, s.hasRef = refs, true
	return nil
}

// String names the source in messages.
func (s *MirrorSource) String() string {
	if s.element != "" {
		return fmt.Sprintf("%s source of %s", s.kind, s.element)
	}
	return s.kind + " source"
}

// Ref implements plugin.Source: the list of {ref, checksum}.
func (s *MirrorSource) Ref() yamlnode.Node {
	if !s.hasRef {
		return nil
	}
	return refsNode(s.refs)
}

// refsNode is the YAML of a ref list.
func refsNode(refs []MirrorRef) *yamlnode.Sequence {
	seq := &yamlnode.Sequence{}
	for _, r := range refs {
		m := yamlnode.NewMapping(bsterr.Provenance{})
		m.Set("ref", yamlnode.NewScalar(r.Ref, bsterr.Provenance{}))
		m.Set("checksum", yamlnode.NewScalar(r.Checksum, bsterr.Provenance{}))
		seq.Items = append(seq.Items, m)
	}
	return seq
}

// SetRef implements plugin.Source: a list as Ref returns sets it, nil
// clears it.
func (s *MirrorSource) SetRef(ref yamlnode.Node) {
	c := yamlnode.NewMapping(bsterr.Provenance{})
	if ref != nil {
		c.Set("ref", ref)
	}
	if err := s.loadRef(c); err != nil {
		s.refs, s.hasRef = nil, false
	}
}

func (s *MirrorSource) mirror(env *plugin.SourceEnv) *mirror { return newMirror(env, s.kind, s.url) }

// missing lists the checksums of the ref that the mirror lacks.
func (s *MirrorSource) missing(m *mirror) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range s.refs {
		if !m.hasCommit(r.Checksum) && !seen[r.Checksum] {
			seen[r.Checksum] = true
			out = append(out, r.Checksum)
		}
	}
	return out
}

// Cached implements plugin.Source: the mirror holds every commit of the
// ref, complete.
func (s *MirrorSource) Cached(env *plugin.SourceEnv) bool {
	if !s.hasRef || env == nil {
		return false
	}
	return len(s.missing(s.mirror(env))) == 0
}

// Track implements plugin.Source: the remote's branches that match, in
// name order, each with the commit it names now; their commits are
// pulled into the mirror along the way. The remote must have a summary
// file (`ostree summary -u`), as for freedesktop-sdk's plugin.
func (s *MirrorSource) Track(ctx context.Context, env *plugin.SourceEnv, _ string) (yamlnode.Node, error) {
	t, err := newTool(env, &s.prov, s.String())
	if err != nil {
		return nil, err
	}
	m := s.mirror(env)
	unlock, err := m.lock(ctx, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := m.ensure(ctx, t); err != nil {
		return nil, err
	}
	var refs []MirrorRef
	err = eachURL(ctx, env, s.url, func(u string) error {
		var err error
		refs, err = s.trackFrom(ctx, env, t, m, u)
		return err
	})
	if err != nil {
		return nil, err
	}
	return refsNode(refs), nil
}

// trackFrom lists, pulls and resolves the matching branches of u.
func (s *MirrorSource) trackFrom(ctx context.Context, env *plugin.SourceEnv, t tool, m *mirror, u string) ([]MirrorRef, error) {
	name := remoteName(s.url, u)
	if err := m.addRemote(ctx, t, name, u, s.gpg); err != nil {
		return nil, err
	}
	logf(env, "%s: Listing the refs of %s", s, u)
	out, err := t.run(ctx, "remote", "refs", "--repo="+m.dir, name)
	if err != nil {
		return nil, pullError(ctx, env, t, u, "the list of refs", err)
	}
	var names []string
	for _, l := range lines(out) {
		ref := strings.TrimPrefix(l, name+":")
		if s.match != "" {
			if ok, _ := download.Fnmatch(ref, s.match); !ok {
				continue
			}
		}
		names = append(names, ref)
	}
	sort.Strings(names)
	refs := make([]MirrorRef, 0, len(names))
	if len(names) == 0 {
		return refs, nil
	}
	logf(env, "%s: Fetching %d refs from %s", s, len(names), u)
	if err := m.pull(ctx, env, t, name, u, "refs "+strings.Join(names, ", "), []string{"--mirror"}, names...); err != nil {
		return nil, err
	}
	for _, n := range names {
		out, err := t.run(ctx, "rev-parse", "--repo="+m.dir, n)
		if err != nil {
			return nil, t.failed(ctx, err, "Failed to compute checksum of '%s' on '%s'", n, m.dir)
		}
		refs = append(refs, MirrorRef{Ref: n, Checksum: strings.TrimSpace(out)})
	}
	return refs, nil
}

// Fetch implements plugin.Source: pull the commits of the ref that the
// mirror lacks (those commits only, not their history), verifying them
// with the gpg key.
func (s *MirrorSource) Fetch(ctx context.Context, env *plugin.SourceEnv, _ string) error {
	if !s.hasRef {
		return bsterr.Source(RefNotFound, &s.prov, "%s: cannot fetch without a ref; track the source first", s)
	}
	t, err := newTool(env, &s.prov, s.String())
	if err != nil {
		return err
	}
	m := s.mirror(env)
	unlock, err := m.lock(ctx, false)
	if err != nil {
		return err
	}
	defer unlock()
	missing := s.missing(m)
	if len(missing) == 0 {
		return nil
	}
	if err := m.ensure(ctx, t); err != nil {
		return err
	}
	return eachURL(ctx, env, s.url, func(u string) error {
		name := remoteName(s.url, u)
		if err := m.addRemote(ctx, t, name, u, s.gpg); err != nil {
			return err
		}
		logf(env, "%s: Fetching %d commits from %s", s, len(missing), u)
		return m.pull(ctx, env, t, name, u, "commits "+strings.Join(missing, ", "), []string{"--mirror"}, missing...)
	})
}

// Stage implements plugin.Source: make dir an archive-mode repository,
// pull the ref's commits into it from the mirror, and point each branch
// at its commit.
func (s *MirrorSource) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	t, err := newTool(env, &s.prov, s.String())
	if err != nil {
		return err
	}
	m := s.mirror(env)
	unlock, err := m.lock(ctx, true)
	if err != nil {
		return err
	}
	defer unlock()
	if missing := s.missing(m); len(missing) > 0 {
		return bsterr.Source(NotCached, &s.prov, "%s: commits %s are not in the source cache; fetch them first",
			s, strings.Join(missing, ", "))
	}
	fail := func(err error, format string, args ...any) error {
		e := t.failed(ctx, err, format, args...)
		if be, ok := e.(*bsterr.Error); ok && be.Domain == bsterr.DomainSource {
			be.Reason = StageFailed
		}
		return e
	}
	if _, err := t.run(ctx, "init", "--repo="+dir, "--mode=archive"); err != nil {
		return fail(err, "Failed to create a repository in %s", dir)
	}
	var sums []string
	seen := map[string]bool{}
	for _, r := range s.refs {
		if !seen[r.Checksum] {
			seen[r.Checksum] = true
			sums = append(sums, r.Checksum)
		}
	}
	if len(sums) > 0 {
		args := append([]string{"pull-local", "--repo=" + dir, m.dir}, sums...)
		if _, err := t.run(ctx, args...); err != nil {
			return fail(err, "Failed to copy commits from the mirror %s", m.dir)
		}
	}
	for _, r := range s.refs {
		if _, err := t.run(ctx, "refs", "--repo="+dir, "--force", "--create="+r.Ref, r.Checksum); err != nil {
			return fail(err, "Failed to set ref '%s' to %s", r.Ref, r.Checksum)
		}
	}
	return nil
}
