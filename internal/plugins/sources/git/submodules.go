package git

import (
	"context"
	"path"
	"strings"

	"example.org/bst/internal/plugin"
)

// submodule is a submodule to check out, found at a commit of its
// superproject.
type submodule struct {
	path   string // relative to the top repository
	url    string // as configured, or from .gitmodules
	commit string
	mirror *mirror
	cached bool // the mirror has the commit
	parent string
}

// gitmodule is an entry of a .gitmodules file.
type gitmodule struct {
	path, url string
}

// gitmodules lists the submodules the .gitmodules file of commit names.
func gitmodules(ctx context.Context, g runner, dir, commit string) ([]gitmodule, error) {
	out, err := g.run(ctx, dir, "ls-tree", commit, "--", ".gitmodules")
	if err != nil || strings.TrimSpace(out) == "" {
		return nil, err
	}
	out, err = g.run(ctx, dir, "config", "--blob", commit+":.gitmodules", "--null", "--list")
	if err != nil {
		return nil, err
	}
	var order []string
	entries := map[string]*gitmodule{}
	for _, rec := range strings.Split(out, "\x00") {
		key, val, ok := strings.Cut(rec, "\n")
		if !ok || !strings.HasPrefix(key, "submodule.") {
			continue
		}
		i := strings.LastIndexByte(key, '.')
		if i < len("submodule.") {
			continue
		}
		name, field := key[len("submodule."):i], key[i+1:]
		e := entries[name]
		if e == nil {
			e = &gitmodule{}
			entries[name] = e
			order = append(order, name)
		}
		switch field {
		case "path":
			e.path = strings.TrimSpace(val)
		case "url":
			e.url = strings.TrimSpace(val)
		}
	}
	var mods []gitmodule
	for _, n := range order {
		if e := entries[n]; e.path != "" && e.url != "" {
			mods = append(mods, *e)
		}
	}
	return mods, nil
}

// gitlinks returns, for each path, the commit its gitlink entry at commit
// records ("" when the path is no gitlink).
func gitlinks(ctx context.Context, g runner, dir, commit string, paths []string) (map[string]string, error) {
	out := map[string]string{}
	if len(paths) == 0 {
		return out, nil
	}
	res, err := g.run(ctx, dir, append([]string{"ls-tree", "-z", commit, "--"}, paths...)...)
	if err != nil {
		return nil, err
	}
	for _, rec := range strings.Split(res, "\x00") {
		meta, p, ok := strings.Cut(rec, "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta)
		if len(f) >= 3 && f[1] == "commit" && isObjectID(f[2]) {
			out[p] = f[2]
		}
	}
	return out, nil
}

// submoduleTree lists the submodules to check out at commit of the
// repository in m (prefix is that repository's path in the top one). With
// f set, it fetches each into its mirror first. BuildStream 2 git recurses
// into the submodules of submodules whose mirrors have their commit;
// BuildStream 1 kinds stop at the first level.
func (s *Source) submoduleTree(ctx context.Context, env *plugin.SourceEnv, g runner, m *mirror, commit, prefix string, f *fetcher) ([]submodule, error) {
	mods, err := gitmodules(ctx, g, m.dir, commit)
	if err != nil || len(mods) == 0 {
		return nil, err
	}
	var paths []string
	for _, md := range mods {
		paths = append(paths, md.path)
	}
	links, err := gitlinks(ctx, g, m.dir, commit, paths)
	if err != nil {
		return nil, err
	}
	var out []submodule
	for _, md := range mods {
		full := path.Join(prefix, md.path)
		if s.ignoreSubmodule(full) {
			continue
		}
		url := joinSubmoduleURL(m.url, md.url)
		if sc, ok := s.submodules[full]; ok && sc.url != "" {
			url = sc.url
		}
		sub := submodule{path: full, url: url, commit: links[md.path], parent: prefix}
		if sub.commit == "" {
			s.warn(env, "git:inconsistent-submodule", "Ignoring inconsistent submodule '%s': it is in .gitmodules but was never added with `git submodule add`", full)
			continue
		}
		sub.mirror = s.mirror(env, url)
		// BuildStream 1 stages submodules with the history describe
		// needs; 2.x git stages their files only.
		w := want{obj: sub.commit, rev: sub.commit, describeTags: !s.gen2git(), depth: 0}
		if s.gen2git() {
			w.depth = 1
		}
		if f != nil {
			if err := s.fetchMirror(ctx, env, g, sub.mirror, w); err != nil {
				return nil, err
			}
		}
		ok, err := sub.mirror.satisfies(ctx, g, w)
		if err != nil {
			return nil, err
		}
		sub.cached = ok
		out = append(out, sub)
		if s.gen2git() && ok {
			nested, err := s.submoduleTree(ctx, env, g, sub.mirror, sub.commit, full, f)
			if err != nil {
				return nil, err
			}
			out = append(out, nested...)
		}
	}
	return out, nil
}
