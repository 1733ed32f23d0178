package git

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

func TestGit2TrackTags(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			u := newUpstream(t)
			f := newFixture(u)
			base := tr.base(t, u)
			env, _ := testEnv(t, base)
			s := newTestSource(t, "git", 2, "url: upstream:up\ntrack: main\ntrack-tags: true\nref-format: git-describe\n")
			ref := mustTrack(t, s, env, "")
			m, ok := ref.(*yamlnode.Mapping)
			if !ok {
				t.Fatalf("2.x git ref is %T, want a mapping of ref and tags", ref)
			}
			if got, want := refString(t, m), u.git("up", "describe", "--tags", "--abbrev=40", "--long", f.c4); got != want {
				t.Errorf("ref %q, want %q", got, want)
			}
			tags, err := loadTags(m)
			if err != nil {
				t.Fatal(err)
			}
			if want := []Tag{{Name: "v1.0", Commit: f.c2, Annotated: true}}; len(tags) != 1 || tags[0] != want[0] {
				t.Fatalf("tags %+v, want %+v", tags, want)
			}

			s.SetRef(ref)
			env2, _ := testEnv(t, base)
			mustFetch(t, s, env2)
			dir := mustStage(t, s, env2)
			assertCheckout(t, u, "up", dir, f.c4)
			assertDescribe(t, u, "up", dir, f.c4)
			if n := historyLen(t, u, dir); n != 3 {
				t.Errorf("staged history has %d commits, want 3", n)
			}
			// Submodules are staged without a .git, as buildstream-plugins does.
			data, err := os.ReadFile(filepath.Join(dir, "ext", "sub", "sub.txt"))
			if err != nil || string(data) != "two\n" {
				t.Errorf("submodule file: %q, %v", data, err)
			}
			if _, err := os.Stat(filepath.Join(dir, "ext", "sub", ".git")); err == nil {
				t.Errorf("2.x submodule staged with a .git")
			}

			// Without tags there is no .git at all.
			plain := newTestSource(t, "git", 2, "url: upstream:up\nref: "+f.c3+"\ncheckout-submodules: false\n")
			mustFetch(t, plain, env2)
			dir = mustStage(t, plain, env2)
			if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
				t.Errorf("2.x git without tags staged a .git")
			}
			for _, p := range []string{"README", "src/a.c", "src/b.c", "src/c.c"} {
				if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
					t.Errorf("missing %s: %v", p, err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "src", "d.c")); err == nil {
				t.Errorf("src/d.c is from a later commit")
			}
		})
	}
}

func TestGit2NoTrack(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(u)
	env, _ := testEnv(t, "file://"+u.root)
	s := newTestSource(t, "git", 2, "url: upstream:up\nref: "+f.c1+"\n")
	if n, err := s.Track(context.Background(), env, ""); err != nil || n != nil {
		t.Fatalf("track without track: %v, %v; want nothing", n, err)
	}
	s.SetRef(nil)
	if _, err := s.Track(context.Background(), env, ""); bsterr.ReasonOf(err) != TrackAttemptNoTrack {
		t.Fatalf("track without track nor ref: %v", err)
	}
	if _, err := NewGit(sourceSpec(t, "git", 2, "url: upstream:up\n")); bsterr.ReasonOf(err) != MissingTrackAndRef {
		t.Fatalf("configure without track nor ref: %v", err)
	}
}

func TestGitTag(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(u)
	base := "file://" + u.root
	env, _ := testEnv(t, base)

	// The latest tag over main and feature: feature's v1.1-rc1 is newer.
	s := newTestSource(t, "git_tag", 1, "url: upstream:up\ntrack: main\ntrack-extra: [feature]\ntrack-tags: true\nmatch: ['v*']\n")
	ref := mustTrack(t, s, env, "")
	if got, want := refString(t, ref), "v1.1-rc1-0-g"+f.f1; got != want {
		t.Fatalf("tracked %q, want %q", got, want)
	}
	// Excluding release candidates leaves v1.0 on both branches.
	s2 := newTestSource(t, "git_tag", 1, "url: upstream:up\ntrack: main\ntrack-extra: [feature]\ntrack-tags: true\nexclude: ['*-rc*']\n")
	if got, want := refString(t, mustTrack(t, s2, env, "")), "v1.0-0-g"+f.c2; got != want {
		t.Fatalf("tracked %q, want %q", got, want)
	}
	// Without track-tags: the newest branch head, described.
	s3 := newTestSource(t, "git_tag", 1, "url: upstream:up\ntrack: main\ntrack-extra: [feature]\n")
	if got, want := refString(t, mustTrack(t, s3, env, "")), "v1.1-rc1-0-g"+f.f1; got != want {
		t.Fatalf("tracked %q, want %q", got, want)
	}

	// An exact tag is fetched one commit deep.
	s.SetRef(ref)
	env2, _ := testEnv(t, base)
	mustFetch(t, s, env2)
	mirror := filepath.Join(env2.SourceDir, "git_tag", "upstream_up")
	if out, _ := dirGit(t, u.x, mirror, "rev-list", "--all"); len(strings.Fields(out)) != 1 {
		t.Errorf("mirror of an exact tag has commits %q, want only the tagged one", out)
	}
	dir := mustStage(t, s, env2)
	assertCheckout(t, u, "up", dir, f.f1)
	if got, err := dirGit(t, u.x, dir, "describe", "--tags"); err != nil || got != "v1.1-rc1" {
		t.Errorf("describe --tags = %q (%v)", got, err)
	}
}

func TestGitModule(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(u)
	base := "file://" + u.root
	env, _ := testEnv(t, base)

	// The superproject, staged without its submodule.
	top := newTestSource(t, "git", 1, "url: upstream:up\nref: "+f.c4+"\ncheckout-submodules: false\n")
	mustFetch(t, top, env)
	previous := mustStage(t, top, env)

	s := newTestSource(t, "git_module", 1, "url: upstream:sub\npath: /ext/sub\n")
	ref := mustTrack(t, s, env, previous)
	if got := refString(t, ref); got != f.s2 {
		t.Fatalf("tracked %q, want the recorded commit %s", got, f.s2)
	}
	s.SetRef(ref)
	if err := s.Fetch(context.Background(), env, previous); err != nil {
		t.Fatal(err)
	}
	if err := s.Stage(context.Background(), env, previous); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(previous, "ext", "sub")
	assertCheckout(t, u, "sub", sub, f.s2)
	assertDescribe(t, u, "sub", sub, f.s2)
	if _, err := os.Stat(filepath.Join(env.SourceDir, "git_module", "upstream_sub", "HEAD")); err != nil {
		t.Errorf("git_module mirror: %v", err)
	}
}

func TestGitRepo(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(u)
	base := "file://" + u.root
	env, _ := testEnv(t, base)
	// upstream:up.git is served as up.
	env.URLs = func(string) []string { return []string{base + "/up"} }

	s := newTestSource(t, "git_repo", 2, "url: upstream:up.git\ntrack: 'v*'\nexclude: ['v0*']\nref-format: git-describe\n")
	ref := mustTrack(t, s, env, "")
	if got, want := refString(t, ref), "v1.1-rc1-0-g"+f.f1; got != want {
		t.Fatalf("tracked %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(env.SourceDir, "git_repo")); err == nil {
		t.Errorf("tracking a tag in describe format fetched into a mirror")
	}
	s.SetRef(ref)
	mustFetch(t, s, env)
	mirror := filepath.Join(env.SourceDir, "git_repo", "upstream_up.git")
	if out, _ := dirGit(t, u.x, mirror, "for-each-ref", "--format=%(refname)", "refs/tags"); out != "refs/tags/v1.1-rc1" {
		t.Errorf("git_repo mirror has tags %q, want only the ref's", out)
	}
	dir := mustStage(t, s, env)
	assertCheckout(t, u, "up", dir, f.f1)
	if got, err := dirGit(t, u.x, dir, "describe", "--tags"); err != nil || got != "v1.1-rc1" {
		t.Errorf("describe --tags = %q (%v)", got, err)
	}
	if _, err := os.Stat(filepath.Join(env.SourceDir, "git_repo", "upstream_up.git", "HEAD")); err != nil {
		t.Errorf("git_repo mirror name: %v", err)
	}

	// A branch in describe format is fetched and described.
	b := newTestSource(t, "git_repo", 2, "url: upstream:up.git\ntrack: main\nref-format: git-describe\n")
	if got, want := refString(t, mustTrack(t, b, env, "")), u.git("up", "describe", "--tags", "--abbrev=40", "--long", f.c4); got != want {
		t.Fatalf("tracked %q, want %q", got, want)
	}
	// sha1 format: the peeled commit.
	c := newTestSource(t, "git_repo", 2, "url: upstream:up.git\ntrack: v1.0\n")
	if got := refString(t, mustTrack(t, c, env, "")); got != f.c2 {
		t.Fatalf("tracked %q, want %s", got, f.c2)
	}
	if _, err := NewGitRepo(sourceSpec(t, "git_repo", 2, "url: x\nref: not-a-ref\n")); err == nil {
		t.Errorf("a malformed git_repo ref was accepted")
	}
}

func TestFetchErrors(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(u)
	base := "file://" + u.root

	// Nothing is reachable: a clear error, nothing left in the cache.
	env, _ := testEnv(t, base)
	env.Retries = 1
	s := newTestSource(t, "git", 1, "url: upstream:missing\nref: "+f.c4+"\n")
	err := s.Fetch(context.Background(), env, "")
	if bsterr.ReasonOf(err) != FetchFailed {
		t.Fatalf("fetch from a missing repository: %v", err)
	}
	var be *bsterr.Error
	if !errors.As(err, &be) || !be.Temporary {
		t.Errorf("fetch failure not marked temporary: %#v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(env.SourceDir, "git"))
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") || !strings.HasPrefix(e.Name(), ".") {
			t.Errorf("failed fetch left %s in the cache", e.Name())
		}
	}
	if s.Cached(env) {
		t.Errorf("cached after a failed fetch")
	}

	// A commit the repository does not have.
	s = newTestSource(t, "git", 1, "url: upstream:up\nref: 0123456789abcdef0123456789abcdef01234567\n")
	if err := s.Fetch(context.Background(), env, ""); bsterr.ReasonOf(err) != RefNotFound {
		t.Fatalf("fetch of a missing commit: %v", err)
	}

	// Staging before fetching.
	s = newTestSource(t, "git", 1, "url: upstream:up\nref: "+f.c4+"\n")
	if err := s.Stage(context.Background(), env, t.TempDir()); bsterr.ReasonOf(err) != NotCached {
		t.Fatalf("stage before fetch: %v", err)
	}
}

func TestMirrorFallback(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(u)
	env, log := testEnv(t, "")
	env.URLs = func(url string) []string {
		rest := strings.TrimPrefix(url, "upstream:")
		return []string{"file:///nonexistent/" + rest, "file://" + u.root + "/" + rest}
	}
	s := newTestSource(t, "git", 1, "url: upstream:up\ntrack: main\ncheckout-submodules: false\n")
	ref := mustTrack(t, s, env, "")
	if got := refString(t, ref); got != f.c4 {
		t.Fatalf("tracked %q, want %s", got, f.c4)
	}
	s.SetRef(ref)
	env2, log2 := testEnv(t, "")
	env2.URLs = env.URLs
	mustFetch(t, s, env2)
	for _, l := range []string{log.String(), log2.String()} {
		if !strings.Contains(l, "file:///nonexistent/up failed") {
			t.Errorf("log does not show the first mirror failing:\n%s", l)
		}
	}
	assertCheckout(t, u, "up", mustStage(t, s, env2), f.c4)
}

func TestSubmoduleOverrides(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(u)
	base := "file://" + u.root
	env, log := testEnv(t, base)
	env.URLs = func(url string) []string {
		for _, alias := range []string{"upstream:", "other:"} {
			if rest, ok := strings.CutPrefix(url, alias); ok {
				return []string{base + "/" + rest}
			}
		}
		return []string{url}
	}
	s := newTestSource(t, "git", 1, "url: upstream:up\nref: "+f.c4+"\nsubmodules:\n  ext/sub:\n    url: other:sub\n  nowhere:\n    checkout: false\n")
	mustFetch(t, s, env)
	if _, err := os.Stat(filepath.Join(env.SourceDir, "git", "other_sub", "HEAD")); err != nil {
		t.Errorf("overridden submodule URL not used for its mirror: %v", err)
	}
	if !strings.Contains(log.String(), "git:invalid-submodule") {
		t.Errorf("no invalid-submodule warning for 'nowhere':\n%s", log.String())
	}
	dir := mustStage(t, s, env)
	assertCheckout(t, u, "sub", filepath.Join(dir, "ext", "sub"), f.s2)

	// checkout: false on the one submodule: not fetched, not staged.
	env2, _ := testEnv(t, base)
	s = newTestSource(t, "git", 1, "url: upstream:up\nref: "+f.c4+"\nsubmodules:\n  ext/sub:\n    checkout: false\n")
	mustFetch(t, s, env2)
	if _, err := os.Stat(filepath.Join(env2.SourceDir, "git", "upstream_sub")); err == nil {
		t.Errorf("submodule with checkout: false was fetched")
	}
}

func TestParallelFetch(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(u)
	env, _ := testEnv(t, "file://"+u.root)
	refs := []string{f.c4, f.f1, "v1.0-0-g" + f.c2, f.c1}
	errs := make(chan error, len(refs))
	for _, r := range refs {
		s := newTestSource(t, "git", 1, "url: upstream:up\nref: "+r+"\n")
		go func() { errs <- s.Fetch(context.Background(), env, "") }()
	}
	for range refs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for _, r := range refs {
		s := newTestSource(t, "git", 1, "url: upstream:up\nref: "+r+"\n")
		if !s.Cached(env) {
			t.Errorf("%s not cached", r)
		}
	}
}

func TestRefNotInTrack(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(u)
	env, log := testEnv(t, "file://"+u.root)
	s := newTestSource(t, "git", 1, "url: upstream:up\ntrack: main\ncheckout-submodules: false\n")
	mustTrack(t, s, env, "") // the mirror now has the branches
	s.SetRef(yamlnode.NewScalar(f.f1, bsterr.Provenance{}))
	mustFetch(t, s, env)
	if !strings.Contains(log.String(), "[ref-not-in-track]") {
		t.Errorf("no ref-not-in-track warning for a commit of another branch:\n%s", log.String())
	}
}

// TestSharedShallowMirror: a 2.x source without tags fetches its commit
// alone (a shallow mirror); a source with tags sharing that mirror needs
// the history back to its tags, so the mirror does not count as having
// it until a fetch unshallows it, and then its checkout describes as
// upstream does. The same holds for a BuildStream 1 ref (describe finds
// the tags in the commit's history) after a tag-N-gSHA ref's shallow fetch.
func TestSharedShallowMirror(t *testing.T) {
	for _, tc := range []struct {
		name             string
		gen              int
		shallow, history string // configurations; %c4% and %desc% are substituted
	}{
		{"2.x", 2, "url: upstream:up\nref: %c4%\ncheckout-submodules: false\n",
			"url: upstream:up\nref: %c4%\ncheckout-submodules: false\ntags:\n- {tag: v1.0, commit: %c2%, annotated: true}\n- {tag: v0.9, commit: %c1%, annotated: false}\n"},
		{"1.x", 1, "url: upstream:up\nref: %desc%\ncheckout-submodules: false\n",
			"url: upstream:up\nref: %c4%\ncheckout-submodules: false\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUpstream(t)
			f := newFixture(u)
			env, _ := testEnv(t, "file://"+u.root)
			subst := strings.NewReplacer("%c4%", f.c4, "%c2%", f.c2, "%c1%", f.c1,
				"%desc%", u.git("up", "describe", "--abbrev=40", "--long", f.c4))
			first := newTestSource(t, "git", tc.gen, subst.Replace(tc.shallow))
			mustFetch(t, first, env)
			if !isShallow(first.mirror(env, first.url).dir) {
				t.Fatalf("the first fetch made a complete mirror; the test needs a shallow one")
			}
			second := newTestSource(t, "git", tc.gen, subst.Replace(tc.history))
			if second.Cached(env) {
				t.Errorf("a shallow mirror counts as holding the history the second source needs")
			}
			mustFetch(t, second, env)
			assertDescribe(t, u, "up", mustStage(t, second, env), f.c4)
			// The first source is still served by the now complete mirror.
			if !first.Cached(env) {
				t.Errorf("first source not cached after the mirror was unshallowed")
			}
		})
	}
}
