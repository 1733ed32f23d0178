package git

import (
	"context"
	"sort"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/yamlnode"
)

// Track implements plugin.Source. It returns nil when the source has
// nothing to track (its ref stays). The new ref has Ref's shape.
func (s *Source) Track(ctx context.Context, env *plugin.SourceEnv, previous string) (yamlnode.Node, error) {
	g, err := newRunner(env)
	if err != nil {
		return nil, err
	}
	var ref string
	switch s.flavor {
	case flavorGitModule:
		ref, err = s.trackGitModule(ctx, g, previous)
	case flavorGitRepo:
		ref, err = s.trackGitRepo(ctx, env, g)
	case flavorGitTag:
		ref, err = s.trackGitTag(ctx, env, g)
	default:
		if s.gen == 2 {
			return s.trackGit2(ctx, env, g)
		}
		ref, err = s.trackGit1(ctx, env, g)
	}
	if err != nil || ref == "" {
		return nil, err
	}
	return yamlnode.NewScalar(ref, bsterr.Provenance{}), nil
}

// fetchForTracking fetches every branch and tag into the mirror.
func (s *Source) fetchForTracking(ctx context.Context, env *plugin.SourceEnv, g runner, m *mirror) error {
	unlock, err := m.lock(ctx, false)
	if err != nil {
		return err
	}
	defer unlock()
	return s.eachURL(ctx, env, m, "track", func(u string) error {
		return m.update(ctx, g, func(dir string, _ bool) error { return fetchAll(ctx, g, dir, u) })
	})
}

func (s *Source) revParse(ctx context.Context, g runner, m *mirror, args ...string) (string, error) {
	out, err := g.line(ctx, m.dir, args...)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", s.errorf(TrackFailed, "Unable to find commit for specified branch name '%s'", s.track).Wrap(err)
	}
	return out, nil
}

// trackGit1 is BuildStream 1's git: the object the branch or tag names
// (for an annotated tag, the tag object), optionally described.
func (s *Source) trackGit1(ctx context.Context, env *plugin.SourceEnv, g runner) (string, error) {
	if s.track == "" {
		return "", nil
	}
	m := s.mirror(env, s.url)
	if err := s.fetchForTracking(ctx, env, g, m); err != nil {
		return "", err
	}
	ref, err := s.revParse(ctx, g, m, "rev-parse", s.track)
	if err != nil {
		return "", err
	}
	if s.refFormat == "git-describe" {
		if d, err := g.line(ctx, m.dir, "describe", "--tags", "--abbrev=40", "--long", ref); err == nil {
			ref = d
		} else if ctx.Err() != nil {
			return "", ctx.Err()
		}
	}
	return ref, nil
}

// trackGit2 is buildstream-plugins' git: the commit, optionally
// described, and with track-tags the tags describe finds.
func (s *Source) trackGit2(ctx context.Context, env *plugin.SourceEnv, g runner) (yamlnode.Node, error) {
	if s.track == "" {
		if s.ref == "" {
			return nil, s.errorf(TrackAttemptNoTrack, "No track or ref").
				WithDetail("Without a tracking branch ref can not be updated. Please provide a ref or a track.")
		}
		return nil, nil
	}
	m := s.mirror(env, s.url)
	if err := s.fetchForTracking(ctx, env, g, m); err != nil {
		return nil, err
	}
	ref, err := s.revParse(ctx, g, m, "rev-list", "-n", "1", s.track)
	if err != nil {
		return nil, err
	}
	var tags []Tag
	if s.trackTags {
		if tags, err = reachableTags(ctx, g, m, ref); err != nil {
			return nil, err
		}
	}
	if s.refFormat == "git-describe" {
		d, err := g.line(ctx, m.dir, "describe", "--tags", "--abbrev=40", "--long", "--always", ref)
		if err != nil {
			return nil, s.errorf(TrackFailed, "Unable to find revision %s", ref).Wrap(err)
		}
		ref = d
	}
	return refMapping(ref, tags), nil
}

// reachableTags lists the tags `git describe` finds from rev (annotated or
// any, all parents or first parents), sorted by name.
func reachableTags(ctx context.Context, g runner, m *mirror, rev string) ([]Tag, error) {
	seen := map[string]Tag{}
	for _, opts := range [][]string{nil, {"--first-parent"}, {"--tags"}, {"--tags", "--first-parent"}} {
		args := append([]string{"describe", "--abbrev=0", rev}, opts...)
		name, err := g.line(ctx, m.dir, args...)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if _, ok := seen[name]; ok {
			continue
		}
		commit, err := g.line(ctx, m.dir, "rev-parse", name+"^{commit}")
		if err != nil {
			return nil, bsterr.Source(TrackFailed, nil, "Unable to resolve tag '%s'", name).Wrap(err)
		}
		annotated, err := g.ok(ctx, m.dir, "cat-file", "tag", name)
		if err != nil {
			return nil, err
		}
		seen[name] = Tag{Name: name, Commit: commit, Annotated: annotated}
	}
	out := make([]Tag, 0, len(seen))
	for _, t := range seen {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// trackGitTag is bst-external's git_tag: for track and each track-extra
// branch, its commit (or, with track-tags, its latest tag matching match
// and not exclude), described; the newest of them by commit time.
func (s *Source) trackGitTag(ctx context.Context, env *plugin.SourceEnv, g runner) (string, error) {
	if s.track == "" {
		return "", nil
	}
	m := s.mirror(env, s.url)
	if err := s.fetchForTracking(ctx, env, g, m); err != nil {
		return "", err
	}
	var patterns []string
	for _, p := range s.match {
		patterns = append(patterns, "--match="+p)
	}
	for _, p := range s.exclude {
		patterns = append(patterns, "--exclude="+p)
	}
	best, bestTime := "", ""
	for _, branch := range append([]string{s.track}, s.trackExtra...) {
		ref, t, err := s.latestCommit(ctx, env, g, m, branch, patterns)
		if err != nil {
			return "", err
		}
		if ref != "" && (best == "" || t > bestTime) {
			best, bestTime = ref, t
		}
	}
	return best, nil
}

func (s *Source) latestCommit(ctx context.Context, env *plugin.SourceEnv, g runner, m *mirror, branch string, patterns []string) (ref, commitTime string, err error) {
	if s.trackTags {
		args := append([]string{"describe", "--tags", "--abbrev=0"}, patterns...)
		out, err := g.line(ctx, m.dir, append(args, branch)...)
		if err != nil {
			if ctx.Err() != nil {
				return "", "", ctx.Err()
			}
			logf(env, "%s: Unable to find tag for specified branch name '%s'", s, branch)
			return "", "", nil
		}
		ref = out
	} else {
		out, err := g.line(ctx, m.dir, "rev-parse", branch)
		if err != nil {
			if ctx.Err() != nil {
				return "", "", ctx.Err()
			}
			return "", "", s.errorf(TrackFailed, "Unable to find commit for specified branch name '%s'", branch).Wrap(err)
		}
		ref = out
	}
	args := append([]string{"describe", "--tags", "--abbrev=40", "--long"}, patterns...)
	if d, err := g.line(ctx, m.dir, append(args, ref)...); err == nil {
		ref = d
	} else if ctx.Err() != nil {
		return "", "", ctx.Err()
	}
	t, err := g.run(ctx, m.dir, "show", "-s", "--format=%ct", ref)
	if err != nil && ctx.Err() != nil {
		return "", "", ctx.Err()
	}
	return ref, t, nil
}

// trackGitModule reads the commit the superproject staged in previous
// records for the module's path.
func (s *Source) trackGitModule(ctx context.Context, g runner, previous string) (string, error) {
	if previous == "" {
		return "", s.errorf(TrackFailed, "tracking needs the previous sources staged")
	}
	out, err := g.run(ctx, previous, "submodule", "status", "--", s.path)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", s.errorf(TrackFailed, "Failed to run 'git submodule status %s'", s.path).Wrap(err)
	}
	f := strings.Fields(out)
	if len(f) == 0 {
		return "", s.errorf(TrackFailed, "Unexpected output from 'git submodule status'")
	}
	commit := strings.TrimLeft(f[0], "-+")
	if len(commit) != 40 {
		return "", s.errorf(TrackFailed, "Unexpected output from 'git submodule status'")
	}
	return commit, nil
}

// trackGitRepo is the community git_repo: the remote ref matching track
// (a glob) and no exclude pattern with the highest version, peeled; in
// git-describe format a tag is `tag-0-gSHA`, a branch is described after
// fetching its history.
func (s *Source) trackGitRepo(ctx context.Context, env *plugin.SourceEnv, g runner) (string, error) {
	if s.track == "" {
		return "", nil
	}
	m := s.mirror(env, s.url)
	var listing string
	err := s.eachURL(ctx, env, m, "track", func(u string) error {
		out, err := g.run(ctx, "", "ls-remote", u)
		listing = out
		return temporary(err)
	})
	if err != nil {
		return "", err
	}
	refs := map[string]string{}
	for _, l := range lines(listing) {
		sha, name, ok := strings.Cut(l, "\t")
		if ok {
			refs[name] = sha
		}
	}
	name, err := s.matchRef(refs)
	if err != nil {
		return "", err
	}
	resolved := refs[name]
	if p, ok := refs[name+"^{}"]; ok {
		resolved = p
	}
	logf(env, "%s: tracked %s: %s", s, name, resolved)
	if s.refFormat == "sha1" {
		return resolved, nil
	}
	if strings.Contains(name, "tags") {
		parts := strings.SplitN(name, "/", 3)
		return parts[len(parts)-1] + "-0-g" + resolved, nil
	}
	if err := s.fetchMirror(ctx, env, g, m, want{obj: resolved, rev: resolved, describeTags: true}); err != nil {
		return "", err
	}
	if d, err := g.line(ctx, m.dir, "describe", "--tags", "--abbrev=40", "--long", resolved); err == nil {
		return d, nil
	} else if ctx.Err() != nil {
		return "", ctx.Err()
	}
	return resolved, nil
}

// matchRef picks the ref git_repo tracks among the remote's refs.
func (s *Source) matchRef(refs map[string]string) (string, error) {
	track, err := refPattern(s.track)
	if err != nil {
		return "", err
	}
	var excl []interface{ MatchString(string) bool }
	for _, p := range s.exclude {
		re, err := refPattern(p)
		if err != nil {
			return "", err
		}
		excl = append(excl, re)
	}
	best := ""
	for name := range refs {
		if strings.HasSuffix(name, "^{}") || !track.MatchString(name) {
			continue
		}
		skip := false
		for _, re := range excl {
			if re.MatchString(name) {
				skip = true
				break
			}
		}
		if skip {
			continue
		}
		if best == "" {
			best = name
			continue
		}
		if c := compareVersions(name, best); c > 0 || (c == 0 && name > best) {
			best = name
		}
	}
	if best == "" {
		return "", s.errorf(TrackFailed, "No matching refs")
	}
	return best, nil
}
