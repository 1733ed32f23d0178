package git

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
)

// stagedTag is a tag written into a staged repository.
type stagedTag struct {
	name   string
	target string // object the ref points to: a tag object or the commit
	commit string
	// synthetic: write an annotated tag object of our own (2.x git
	// `tags` entries, as buildstream-plugins does) instead of target.
	synthetic bool
}

// Stage implements plugin.Source.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	if s.ref == "" {
		return s.errorf(NotCached, "no ref to stage; track the source first")
	}
	if s.useLFS {
		return s.errorf(Unsupported, "use-lfs is not supported")
	}
	g, err := newRunner(env)
	if err != nil {
		return err
	}
	m := s.mirror(env, s.url)
	unlock, err := m.lock(ctx, true)
	if err != nil {
		return err
	}
	defer unlock()
	if ok, err := m.satisfies(ctx, g, s.want()); err != nil {
		return err
	} else if !ok {
		return s.errorf(NotCached, "ref '%s' is not in the mirror of %s; fetch the source first", s.ref, s.url)
	}
	commit, err := m.peel(ctx, g, s.refObject())
	if err != nil {
		return err
	}
	dest := dir
	if s.flavor == flavorGitModule {
		dest = filepath.Join(dir, filepath.FromSlash(s.path))
	}
	tags, err := s.stageTags(ctx, g, m, commit)
	if err != nil {
		return err
	}
	withGit := !s.gen2git() || len(tags) > 0
	if err := stageRepo(ctx, g, m, dest, commit, tags, withGit); err != nil {
		return s.errorf(bsterr.Unknown, "staging %s at %s: %v", s.url, commit, err).Wrap(err)
	}
	if !s.hasSubmodules() {
		return nil
	}
	subs, err := s.submoduleTree(ctx, env, g, m, commit, "", nil)
	if err != nil {
		return err
	}
	for _, sm := range subs {
		if !sm.cached {
			return s.errorf(NotCached, "submodule '%s' (%s) at %s is not fetched", sm.path, sm.url, sm.commit)
		}
		if err := s.stageSubmodule(ctx, g, sm, dest); err != nil {
			return err
		}
	}
	return nil
}

// stageSubmodule stages sm under dest: BuildStream 1 kinds with the
// history describe needs, 2.x git as files only.
func (s *Source) stageSubmodule(ctx context.Context, g runner, sm submodule, dest string) error {
	if sm.mirror.dir == "" {
		return nil
	}
	unlock, err := sm.mirror.lock(ctx, true)
	if err != nil {
		return err
	}
	defer unlock()
	var tags []stagedTag
	if !s.gen2git() {
		if tags, err = describeTags(ctx, g, sm.mirror, sm.commit, ""); err != nil {
			return err
		}
	}
	subDest := filepath.Join(dest, filepath.FromSlash(sm.path))
	if err := stageRepo(ctx, g, sm.mirror, subDest, sm.commit, tags, !s.gen2git()); err != nil {
		return s.errorf(bsterr.Unknown, "staging submodule %s at %s: %v", sm.path, sm.commit, err).Wrap(err)
	}
	return nil
}

// stageTags lists the tags the staged repository gets.
func (s *Source) stageTags(ctx context.Context, g runner, m *mirror, commit string) ([]stagedTag, error) {
	switch {
	case s.gen2git():
		var out []stagedTag
		for _, t := range s.tags {
			c, err := m.peel(ctx, g, t.Commit)
			if err != nil {
				return nil, err
			}
			out = append(out, stagedTag{name: t.Name, target: c, commit: c, synthetic: t.Annotated})
		}
		return out, nil
	case s.flavor == flavorGitRepo:
		mm := gitRepoRefRE.FindStringSubmatch(s.ref)
		if mm == nil || mm[1] == "" {
			return nil, nil
		}
		t, err := mirrorTag(ctx, g, m, mm[1])
		if err != nil {
			return nil, err
		}
		return []stagedTag{t}, nil
	}
	return describeTags(ctx, g, m, commit, parseRef(s.ref).tag)
}

// mirrorTag reads tag name from the mirror.
func mirrorTag(ctx context.Context, g runner, m *mirror, name string) (stagedTag, error) {
	target, err := g.line(ctx, m.dir, "rev-parse", "--verify", "--quiet", "refs/tags/"+name)
	if err != nil {
		return stagedTag{}, bsterr.Source(NotCached, nil, "tag '%s' is not in the mirror of %s", name, m.url).Wrap(err)
	}
	c, err := m.peel(ctx, g, target)
	if err != nil {
		return stagedTag{}, err
	}
	return stagedTag{name: name, target: target, commit: c}, nil
}

// describeTags finds the tags `git describe` picks for commit in the
// mirror (annotated or any, all parents or first parents), plus refTag
// when the mirror has it.
func describeTags(ctx context.Context, g runner, m *mirror, commit, refTag string) ([]stagedTag, error) {
	names := map[string]bool{}
	if refTag != "" {
		if ok, err := g.ok(ctx, m.dir, "rev-parse", "--verify", "--quiet", "refs/tags/"+refTag); err != nil {
			return nil, err
		} else if ok {
			names[refTag] = true
		}
	}
	for _, opts := range [][]string{nil, {"--first-parent"}, {"--tags"}, {"--tags", "--first-parent"}} {
		args := append([]string{"describe", "--abbrev=0"}, opts...)
		out, err := g.line(ctx, m.dir, append(args, commit)...)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue // no such tag
		}
		names[out] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var out []stagedTag
	for _, n := range sorted {
		t, err := mirrorTag(ctx, g, m, n)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// stageRepo checks commit out into dest. With withGit, dest/.git becomes
// a repository of its own holding commit (with its tree and blobs), the
// commits between each tag and commit (with their trees), the tags, and
// an index; commits whose parents it lacks are listed as shallow. Without,
// only the files are written.
func stageRepo(ctx context.Context, g runner, m *mirror, dest, commit string, tags []stagedTag, withGit bool) error {
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	if !withGit {
		return checkoutFiles(ctx, g, m, dest, commit)
	}
	gitDir := filepath.Join(dest, ".git")
	if _, err := os.Lstat(gitDir); err == nil {
		return fmt.Errorf("%s already exists", gitDir)
	}
	history, shallow, err := historyFor(ctx, g, m, commit, tags)
	if err != nil {
		return err
	}
	objects, err := objectsFor(ctx, g, m, commit, history, tags)
	if err != nil {
		return err
	}
	initArgs := []string{"init", "--quiet", "--template="}
	if f, err := g.line(ctx, m.dir, "rev-parse", "--show-object-format"); err == nil && f != "" && f != "sha1" {
		initArgs = append(initArgs, "--object-format="+f)
	}
	if _, err := g.run(ctx, dest, append(initArgs, ".")...); err != nil {
		return err
	}
	if _, err := g.run(ctx, dest, "config", "core.logAllRefUpdates", "false"); err != nil {
		return err
	}
	packBase := filepath.Join(gitDir, "objects", "pack", "pack")
	if _, err := g.input(ctx, m.dir, strings.Join(objects, "\n")+"\n", "pack-objects", "--quiet", packBase); err != nil {
		return err
	}
	if len(shallow) > 0 {
		if err := os.WriteFile(filepath.Join(gitDir, "shallow"), []byte(strings.Join(shallow, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	if err := writeTags(ctx, g, dest, tags); err != nil {
		return err
	}
	_, err = g.run(ctx, dest, "checkout", "--quiet", "--force", "--detach", commit)
	return err
}

// checkoutFiles writes commit's files into dest through a temporary
// repository that borrows the mirror's objects.
func checkoutFiles(ctx context.Context, g runner, m *mirror, dest, commit string) error {
	tmp, err := os.MkdirTemp(filepath.Dir(m.dir), ".stage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if _, err := g.run(ctx, tmp, "init", "--quiet", "--template=", "--bare", "."); err != nil {
		return err
	}
	abs, err := filepath.Abs(filepath.Join(m.dir, "objects"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(tmp, "objects", "info"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "objects", "info", "alternates"), []byte(abs+"\n"), 0o644); err != nil {
		return err
	}
	_, err = g.run(ctx, dest, "--git-dir="+tmp, "--work-tree=.", "-c", "core.bare=false",
		"checkout", "--quiet", "--force", "--detach", commit)
	return err
}

// historyFor returns the commits to stage (commit, and for each tag that
// is its ancestor the commits in tag..commit plus the tag's commit) and
// those of them whose parents are not all staged.
func historyFor(ctx context.Context, g runner, m *mirror, commit string, tags []stagedTag) (all, shallow []string, err error) {
	set := map[string]bool{commit: true}
	for _, t := range tags {
		if set[t.commit] {
			continue
		}
		set[t.commit] = true
		anc, err := g.ok(ctx, m.dir, "merge-base", "--is-ancestor", t.commit, commit)
		if err != nil {
			return nil, nil, err
		}
		if !anc {
			continue
		}
		out, err := g.run(ctx, m.dir, "rev-list", commit, "^"+t.commit)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range lines(out) {
			set[c] = true
		}
	}
	for c := range set {
		all = append(all, c)
	}
	sort.Strings(all)
	out, err := g.input(ctx, m.dir, strings.Join(all, "\n")+"\n", "rev-list", "--no-walk=unsorted", "--parents", "--stdin")
	if err != nil {
		return nil, nil, err
	}
	cut := shallowCommits(m.dir)
	for _, l := range lines(out) {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		isCut := cut[f[0]]
		for _, p := range f[1:] {
			if !set[p] {
				isCut = true
			}
		}
		if isCut {
			shallow = append(shallow, f[0])
		}
	}
	sort.Strings(shallow)
	return all, shallow, nil
}

// objectsFor lists the objects to pack: commit with its whole tree, the
// other history commits with their trees (no blobs), and the tag objects
// of annotated tags (down their chains).
func objectsFor(ctx context.Context, g runner, m *mirror, commit string, history []string, tags []stagedTag) ([]string, error) {
	seen := map[string]bool{}
	var objs []string
	add := func(out string) {
		for _, l := range lines(out) {
			id, _, _ := strings.Cut(l, " ")
			if !seen[id] {
				seen[id] = true
				objs = append(objs, id)
			}
		}
	}
	out, err := g.run(ctx, m.dir, "rev-list", "--objects", "--no-walk", commit)
	if err != nil {
		return nil, err
	}
	add(out)
	var rest []string
	for _, c := range history {
		if c != commit {
			rest = append(rest, c)
		}
	}
	if len(rest) > 0 {
		out, err := g.input(ctx, m.dir, strings.Join(rest, "\n")+"\n",
			"rev-list", "--objects", "--no-walk", "--filter=blob:none", "--stdin")
		if err != nil {
			return nil, err
		}
		add(out)
	}
	for _, t := range tags {
		if t.synthetic {
			continue
		}
		obj := t.target
		for obj != t.commit && !seen[obj] {
			body, err := g.run(ctx, m.dir, "cat-file", "tag", obj)
			if err != nil {
				return nil, err
			}
			seen[obj] = true
			objs = append(objs, obj)
			first, _, _ := strings.Cut(body, "\n")
			next, ok := strings.CutPrefix(first, "object ")
			if !ok {
				return nil, fmt.Errorf("tag object %s has no object line", obj)
			}
			obj = next
		}
	}
	return objs, nil
}

// writeTags creates the tags in the staged repository; synthetic ones get
// an annotated tag object as buildstream-plugins writes them.
func writeTags(ctx context.Context, g runner, dest string, tags []stagedTag) error {
	var b strings.Builder
	for _, t := range tags {
		target := t.target
		if t.synthetic {
			data := fmt.Sprintf("object %s\ntype commit\ntag %s\ntagger Unspecified Tagger <unspecified-tagger> 0 +0000\n", t.commit, t.name)
			id, err := g.input(ctx, dest, data, "hash-object", "-w", "-t", "tag", "--stdin")
			if err != nil {
				return err
			}
			target = strings.TrimSpace(id)
		}
		fmt.Fprintf(&b, "update refs/tags/%s %s\n", t.name, target)
	}
	if b.Len() == 0 {
		return nil
	}
	_, err := g.input(ctx, dest, b.String(), "update-ref", "--stdin")
	return err
}
