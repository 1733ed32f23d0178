package ostree

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/local"
	"example.org/bst/internal/yamlnode"
)

// Source is an `ostree` source: one commit of a remote OSTree repository,
// checked out into the staging directory.
type Source struct {
	kind    string
	element string
	prov    bsterr.Provenance

	url    string // as written (alias not expanded)
	ref    string // commit checksum; "" = none
	track  string // branch to track; "" = none
	gpgKey string // full path of the verifying key; "" = no verification
}

var _ plugin.Source = (*Source)(nil)

// New configures an `ostree` source (BuildStream 1 core; the community
// plugin of BuildStream 2 has the same configuration and behaviour).
func New(spec plugin.SourceSpec) (plugin.Source, error) {
	c := spec.Config
	if c == nil {
		c = yamlnode.NewMapping(bsterr.Provenance{})
	}
	s := &Source{kind: spec.Kind, element: spec.Element, prov: c.P}
	var err error
	if s.url, err = c.RequiredString("url"); err != nil {
		return nil, err
	}
	ref, hasRef, err := c.String("ref")
	if err != nil {
		return nil, err
	}
	track, hasTrack, err := c.String("track")
	if err != nil {
		return nil, err
	}
	if !hasRef && !hasTrack {
		return nil, bsterr.Source(MissingTrackAndRef, &s.prov, "%s: OSTree sources require a ref and/or track", s)
	}
	s.ref, s.track = ref, track
	if key, ok, err := c.String("gpg-key"); err != nil {
		return nil, err
	} else if ok && key != "" {
		_, full, err := local.ProjectPathStaged(c, "gpg-key", spec.ProjectDir, local.FilePath, spec.Staging)
		if err != nil {
			return nil, err
		}
		s.gpgKey = full
	}
	return s, nil
}

// String names the source in messages.
func (s *Source) String() string {
	if s.element != "" {
		return fmt.Sprintf("%s source of %s", s.kind, s.element)
	}
	return s.kind + " source"
}

// Ref implements plugin.Source: the commit checksum.
func (s *Source) Ref() yamlnode.Node {
	if s.ref == "" {
		return nil
	}
	return yamlnode.NewScalar(s.ref, bsterr.Provenance{})
}

// SetRef implements plugin.Source.
func (s *Source) SetRef(ref yamlnode.Node) {
	s.ref = ""
	if sc, ok := ref.(*yamlnode.Scalar); ok && !sc.Null {
		s.ref = sc.Str()
	}
}

func (s *Source) mirror(env *plugin.SourceEnv) *mirror { return newMirror(env, s.kind, s.url) }

// Cached implements plugin.Source: the mirror holds the whole commit.
// A ref that is not a checksum (a branch name) is resolved in the mirror.
func (s *Source) Cached(env *plugin.SourceEnv) bool {
	if s.ref == "" || env == nil {
		return false
	}
	m := s.mirror(env)
	if !m.exists() {
		return false
	}
	sum, err := s.checksum(context.Background(), env, m)
	return err == nil && m.hasCommit(sum)
}

// checksum is the commit the ref names in the mirror.
func (s *Source) checksum(ctx context.Context, env *plugin.SourceEnv, m *mirror) (string, error) {
	if checksumRE.MatchString(s.ref) {
		return s.ref, nil
	}
	t, err := newTool(env, &s.prov, s.String())
	if err != nil {
		return "", err
	}
	out, err := t.run(ctx, "rev-parse", "--repo="+m.dir, s.ref)
	if err != nil {
		return "", t.failed(ctx, err, "Failed to compute checksum of '%s' on '%s'", s.ref, m.dir)
	}
	return strings.TrimSpace(out), nil
}

// Track implements plugin.Source: pull the tracking branch into the
// mirror and return the commit it names (nil when there is no track).
func (s *Source) Track(ctx context.Context, env *plugin.SourceEnv, _ string) (yamlnode.Node, error) {
	if s.track == "" {
		return nil, nil
	}
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
	var sum string
	err = eachURL(ctx, env, s.url, func(u string) error {
		name := remoteName(s.url, u)
		if err := m.addRemote(ctx, t, name, u, s.gpgKey); err != nil {
			return err
		}
		logf(env, "%s: Fetching tracking ref '%s' from origin: %s", s, s.track, u)
		if err := m.pull(ctx, env, t, name, u, fmt.Sprintf("tracking ref '%s'", s.track), nil, s.track); err != nil {
			return err
		}
		out, err := t.run(ctx, "rev-parse", "--repo="+m.dir, name+":"+s.track)
		if err != nil {
			return t.failed(ctx, err, "Failed to compute checksum of '%s' on '%s'", s.track, m.dir)
		}
		sum = strings.TrimSpace(out)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return yamlnode.NewScalar(sum, bsterr.Provenance{}), nil
}

// Fetch implements plugin.Source: pull the ref's commit (that commit
// only, not its history) into the mirror, unless it is there already.
func (s *Source) Fetch(ctx context.Context, env *plugin.SourceEnv, _ string) error {
	if s.ref == "" {
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
	if s.Cached(env) {
		return nil
	}
	if err := m.ensure(ctx, t); err != nil {
		return err
	}
	return eachURL(ctx, env, s.url, func(u string) error {
		name := remoteName(s.url, u)
		if err := m.addRemote(ctx, t, name, u, s.gpgKey); err != nil {
			return err
		}
		logf(env, "%s: Fetching remote ref: %s from origin: %s", s, s.ref, u)
		return m.pull(ctx, env, t, name, u, fmt.Sprintf("ref '%s'", s.ref), nil, s.ref)
	})
}

// Stage implements plugin.Source: check the commit out as BuildStream
// does (`ostree checkout --user-mode`: files owned by the user, no
// setuid bits or extended attributes) into a temporary directory, then
// move its entries into dir. An entry dir already has is an error, as
// with BuildStream's move. The mirror's uncompressed object cache is not
// used, so no staged file is a hard link into the mirror.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
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
	if !s.Cached(env) {
		return bsterr.Source(NotCached, &s.prov, "%s: ref '%s' is not in the source cache; fetch it first", s, s.ref)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return bsterr.Source(StageFailed, &s.prov, "%s: %v", s, err).Wrap(err)
	}
	tmp, err := os.MkdirTemp(dir, ".bst-ostree-")
	if err != nil {
		return bsterr.Source(StageFailed, &s.prov, "%s: %v", s, err).Wrap(err)
	}
	defer os.RemoveAll(tmp)
	checkout := filepath.Join(tmp, "checkout")
	logf(env, "%s: Staging ref: %s from origin: %s", s, s.ref, s.url)
	if _, err := t.run(ctx, "checkout", "--repo="+m.dir, "--user-mode", "--disable-cache", s.ref, checkout); err != nil {
		e := t.failed(ctx, err, "Failed to checkout ref '%s' from origin: %s", s.ref, s.url)
		if be, ok := e.(*bsterr.Error); ok && be.Domain == bsterr.DomainSource {
			be.Reason = StageFailed
		}
		return e
	}
	return moveEntries(checkout, dir, func(format string, args ...any) error {
		return bsterr.Source(StageFailed, &s.prov, "%s: Failed to move ostree checkout %s from '%s' to '%s': %s",
			s, s.url, tmp, dir, fmt.Sprintf(format, args...))
	})
}

// moveEntries renames each entry of from into to; an entry to already
// has is an error (fail builds it).
func moveEntries(from, to string, fail func(format string, args ...any) error) error {
	ents, err := os.ReadDir(from)
	if err != nil {
		return fail("%v", err)
	}
	for _, e := range ents {
		dest := filepath.Join(to, e.Name())
		if _, err := os.Lstat(dest); err == nil {
			return fail("Destination path '%s' already exists", dest)
		}
		if err := os.Rename(filepath.Join(from, e.Name()), dest); err != nil {
			return fail("%v", err)
		}
	}
	return nil
}
