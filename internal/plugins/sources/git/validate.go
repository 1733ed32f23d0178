package git

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"example.org/bst/internal/plugin"
)

var exactTagRE = regexp.MustCompile(`^(.*)-0-g(.*)$`)

// validate logs the plugins' warnings once the source is fetched:
// submodules configured but absent or present but not configured, and a
// ref that is not in its tracking branch or tag (ref-not-in-track).
func (s *Source) validate(ctx context.Context, env *plugin.SourceEnv, g runner, m *mirror, commit string, subs []submodule) error {
	if s.flavor == flavorGit {
		if err := s.validateSubmodules(ctx, env, g, m, commit, subs); err != nil {
			return err
		}
	}
	if s.flavor != flavorGit || s.track == "" {
		return nil
	}
	if s.gen == 2 && exactTagRE.MatchString(s.ref) {
		return nil
	}
	// Only a mirror that has the tracking branch or tag can tell.
	have, err := g.batchCheck(ctx, m.dir, []string{"refs/heads/" + s.track, "refs/tags/" + s.track})
	if err != nil || (!have["refs/heads/"+s.track] && !have["refs/tags/"+s.track]) {
		return err
	}
	obj := s.refObject()
	for _, kind := range []string{"branch", "tag"} {
		out, err := g.run(ctx, m.dir, kind, "--list", s.track, "--contains", obj)
		if err == nil && strings.TrimSpace(out) != "" {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	s.warn(env, "ref-not-in-track", "expected ref '%s' was not found in given track '%s' for staged repository: '%s'", s.ref, s.track, s.url)
	return nil
}

func (s *Source) validateSubmodules(ctx context.Context, env *plugin.SourceEnv, g runner, m *mirror, commit string, subs []submodule) error {
	top, err := gitmodules(ctx, g, m.dir, commit)
	if err != nil {
		return err
	}
	found := map[string]bool{}
	for _, md := range top {
		found[md.path] = true
	}
	for _, sm := range subs {
		found[sm.path] = true
	}
	var unlisted, invalid []string
	for p := range found {
		if _, ok := s.submodules[p]; !ok && !s.ignoreSubmodule(p) {
			unlisted = append(unlisted, p)
		}
	}
	for _, p := range s.submodulePaths {
		if !found[p] {
			invalid = append(invalid, p)
		}
	}
	sort.Strings(unlisted)
	if len(invalid) > 0 {
		s.warn(env, "git:invalid-submodule", "Invalid submodules specified (not in the repository): %s", strings.Join(invalid, ", "))
	}
	if len(unlisted) > 0 {
		s.warn(env, "git:unlisted-submodule", "Unlisted submodules exist (not in the source description): %s", strings.Join(unlisted, ", "))
	}
	return nil
}
