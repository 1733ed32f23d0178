package git

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/yamlnode"
)

// fixture is the upstream history the tests use:
//
//	sub:  s1 (tag s-1, annotated) - s2
//	up:   c1 (tag v0.9) - c2 (tag v1.0, annotated) - c3 (adds submodule
//	      ext/sub at s2, url ../sub) - c4            [main]
//	       \- f1 (tag v1.1-rc1)                      [feature, from c2]
type fixture struct {
	s1, s2, c1, c2, c3, c4, f1 string
}

func newFixture(u *upstream) fixture {
	var f fixture
	u.init("sub")
	f.s1 = u.commit("sub", "s1", map[string]string{"sub.txt": "one\n"})
	u.git("sub", "tag", "-a", "-m", "s-1", "s-1")
	f.s2 = u.commit("sub", "s2", map[string]string{"sub.txt": "two\n"})

	u.init("up")
	f.c1 = u.commit("up", "c1", map[string]string{"README": "hello\n", "src/a.c": "int a;\n"})
	u.git("up", "tag", "v0.9")
	f.c2 = u.commit("up", "c2", map[string]string{"src/b.c": "int b;\n"})
	u.git("up", "tag", "-a", "-m", "version 1.0", "v1.0")
	u.addSubmodule("up", "ext/sub", "../sub", f.s2)
	f.c3 = u.commit("up", "c3", map[string]string{"src/c.c": "int c;\n"})
	f.c4 = u.commit("up", "c4", map[string]string{"src/d.c": "int d;\n", "link": ""})
	u.git("up", "checkout", "-q", "-b", "feature", f.c2)
	f.f1 = u.commit("up", "f1", map[string]string{"feature.txt": "f\n"})
	u.git("up", "tag", "v1.1-rc1")
	u.git("up", "checkout", "-q", "main")
	return f
}

func mustTrack(t *testing.T, s *Source, env *pluginEnv, previous string) yamlnode.Node {
	t.Helper()
	n, err := s.Track(context.Background(), env, previous)
	if err != nil {
		t.Fatalf("track: %v", err)
	}
	return n
}

func mustFetch(t *testing.T, s *Source, env *pluginEnv) {
	t.Helper()
	if err := s.Fetch(context.Background(), env, ""); err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if !s.Cached(env) {
		t.Fatal("not cached after fetch")
	}
}

func mustStage(t *testing.T, s *Source, env *pluginEnv) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "stage")
	if err := s.Stage(context.Background(), env, dir); err != nil {
		t.Fatalf("stage: %v", err)
	}
	return dir
}

// assertDescribe checks that describe gives the same in dir as upstream
// for commit, with and without --tags.
func assertDescribe(t *testing.T, u *upstream, name, dir, commit string) {
	t.Helper()
	for _, opts := range [][]string{{"--tags"}, nil} {
		want := u.git(name, append(append([]string{"describe", "--abbrev=40"}, opts...), commit)...)
		got, err := dirGit(t, u.x, dir, append(append([]string{"describe", "--abbrev=40"}, opts...), "HEAD")...)
		if err != nil || got != want {
			t.Errorf("describe %v in staged dir = %q (%v), want %q", opts, got, err, want)
		}
	}
}

// historyLen counts the commits the staged repository shows.
func historyLen(t *testing.T, u *upstream, dir string) int {
	t.Helper()
	out, err := dirGit(t, u.x, dir, "rev-list", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return len(strings.Fields(out))
}

func TestGit1(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			u := newUpstream(t)
			f := newFixture(u)
			base := tr.base(t, u)
			wantRef := u.git("up", "describe", "--tags", "--abbrev=40", "--long", f.c4)

			// Track the branch, describe format.
			trackEnv, _ := testEnv(t, base)
			s := newTestSource(t, "git", 1, "url: upstream:up\ntrack: main\nref-format: git-describe\n")
			ref, err := s.Track(context.Background(), trackEnv, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := refString(t, ref); got != wantRef {
				t.Fatalf("tracked ref %q, want %q", got, wantRef)
			}
			if _, err := os.Stat(filepath.Join(trackEnv.SourceDir, "git", "upstream_up", "HEAD")); err != nil {
				t.Fatalf("mirror not at sourcedir/git/<url_directory_name>: %v", err)
			}

			// Fetch into a new cache: only the ref's history back to its tag.
			env, _ := testEnv(t, base)
			s.SetRef(ref)
			if s.Cached(env) {
				t.Fatal("cached before fetch")
			}
			mustFetch(t, s, env)
			mirror := filepath.Join(env.SourceDir, "git", "upstream_up")
			if _, err := os.Stat(filepath.Join(mirror, "shallow")); err != nil {
				t.Errorf("mirror of a described ref is not shallow: %v", err)
			}
			if _, err := dirGit(t, u.x, mirror, "cat-file", "-e", f.f1); err == nil {
				t.Errorf("mirror has the feature branch, which the ref does not need")
			}
			// ../sub in .gitmodules resolves against the alias URL.
			if _, err := os.Stat(filepath.Join(env.SourceDir, "git", "upstream_sub", "HEAD")); err != nil {
				t.Errorf("submodule mirror missing: %v", err)
			}

			dir := mustStage(t, s, env)
			assertCheckout(t, u, "up", dir, f.c4)
			assertDescribe(t, u, "up", dir, f.c4)
			if n := historyLen(t, u, dir); n != 3 {
				t.Errorf("staged history has %d commits, want 3 (v1.0..HEAD and the tag)", n)
			}
			if _, err := os.Stat(filepath.Join(dir, ".git", "shallow")); err != nil {
				t.Errorf("staged history is not shallow: %v", err)
			}
			subDir := filepath.Join(dir, "ext", "sub")
			assertCheckout(t, u, "sub", subDir, f.s2)
			assertDescribe(t, u, "sub", subDir, f.s2)

			// A newer commit upstream: tracking and fetching update the mirror.
			c5 := u.commit("up", "c5", map[string]string{"src/e.c": "int e;\n"})
			ref, err = s.Track(context.Background(), env, "")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := refString(t, ref), u.git("up", "describe", "--tags", "--abbrev=40", "--long", c5); got != want {
				t.Fatalf("re-tracked ref %q, want %q", got, want)
			}
			s.SetRef(ref)
			mustFetch(t, s, env)
			dir = mustStage(t, s, env)
			assertCheckout(t, u, "up", dir, c5)
			assertDescribe(t, u, "up", dir, c5)
		})
	}
}

func TestGit1ShaRefAndTagTrack(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(u)
	base := "file://" + u.root

	// A sha1 ref: the commit's history and the tags describe needs, not
	// other branches.
	env, _ := testEnv(t, base)
	s := newTestSource(t, "git", 1, "url: upstream:up\nref: "+f.c4+"\ncheckout-submodules: false\n")
	mustFetch(t, s, env)
	mirror := filepath.Join(env.SourceDir, "git", "upstream_up")
	if _, err := dirGit(t, u.x, mirror, "cat-file", "-e", f.f1); err == nil {
		t.Errorf("mirror has the feature branch")
	}
	if _, err := dirGit(t, u.x, mirror, "rev-parse", "--verify", "refs/tags/v1.0"); err != nil {
		t.Errorf("mirror lacks tag v1.0: %v", err)
	}
	dir := mustStage(t, s, env)
	assertCheckout(t, u, "up", dir, f.c4)
	assertDescribe(t, u, "up", dir, f.c4)
	if entries, _ := os.ReadDir(filepath.Join(dir, "ext", "sub")); len(entries) != 0 {
		t.Errorf("submodule checked out with checkout-submodules: false")
	}

	// Tracking an annotated tag gives the tag object, as BuildStream 1 does.
	s = newTestSource(t, "git", 1, "url: upstream:up\ntrack: v1.0\n")
	ref := mustTrack(t, s, env, "")
	if got, want := refString(t, ref), u.git("up", "rev-parse", "v1.0"); got != want {
		t.Fatalf("tracked %q, want the tag object %q", got, want)
	}
	s.SetRef(ref)
	env2, _ := testEnv(t, base)
	mustFetch(t, s, env2)
	dir = mustStage(t, s, env2)
	assertCheckout(t, u, "up", dir, f.c2)
	assertDescribe(t, u, "up", dir, f.c2)
}
