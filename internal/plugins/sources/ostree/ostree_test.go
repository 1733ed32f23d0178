package ostree_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/hostexec"
	"example.org/bst/internal/plugins/sources/ostree"
	"example.org/bst/internal/yamlnode"
)

func newSource(t *testing.T, gen int, project, config string) plugin.Source {
	t.Helper()
	s, err := ostree.New(downloadtest.Spec(t, "ostree", gen, project, config))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func scalar(n yamlnode.Node) string {
	if sc, ok := n.(*yamlnode.Scalar); ok {
		return sc.Str()
	}
	return ""
}

// TestTrackFetchStage follows a source through its life, for both
// generations: track finds the branch's commit, fetch pulls it once,
// stage checks out the tree with its executable and its link.
func TestTrackFetchStage(t *testing.T) {
	for _, gen := range []int{1, 2} {
		t.Run(map[int]string{1: "bst1", 2: "bst2"}[gen], func(t *testing.T) {
			served := t.TempDir()
			r := newRepo(t, served)
			commit := r.commit("sdk/x86_64/stable", sampleTree, nil)
			srv := serve(t, served)
			e := env(t)
			s := newSource(t, gen, t.TempDir(), "url: "+srv.URL+"/\ntrack: sdk/x86_64/stable\n")

			if s.Cached(e) || s.Ref() != nil {
				t.Fatal("a source without ref is cached or has a ref")
			}
			ref, err := s.Track(context.Background(), e, "")
			if err != nil {
				t.Fatalf("Track: %v", err)
			}
			if got := scalar(ref); got != commit {
				t.Fatalf("Track = %q, want the branch's commit %s", got, commit)
			}
			s.SetRef(ref)
			if scalar(s.Ref()) != commit {
				t.Fatalf("Ref after SetRef = %v", s.Ref())
			}

			fresh := newSource(t, gen, t.TempDir(), "url: "+srv.URL+"/\nref: "+commit+"\n")
			e2 := env(t)
			if fresh.Cached(e2) {
				t.Fatal("cached before fetching")
			}
			if err := fresh.Fetch(context.Background(), e2, ""); err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if !fresh.Cached(e2) {
				t.Fatal("not cached after fetching")
			}
			mirror := filepath.Join(e2.SourceDir, "ostree", download.URLDirectoryName(srv.URL+"/"))
			if !has(t, mirror, commit) {
				t.Fatalf("the mirror is not at %s", mirror)
			}
			before := srv.requests.Load()
			if err := fresh.Fetch(context.Background(), e2, ""); err != nil {
				t.Fatalf("second Fetch: %v", err)
			}
			if n := srv.requests.Load() - before; n != 0 {
				t.Errorf("a second fetch made %d requests", n)
			}

			srv.Close() // staging needs no network
			dir := filepath.Join(t.TempDir(), "stage")
			if err := fresh.Stage(context.Background(), e2, dir); err != nil {
				t.Fatalf("Stage: %v", err)
			}
			if got := downloadtest.Snapshot(t, dir); got != sampleSnapshot {
				t.Errorf("staged tree:\n%s\nwant:\n%s", got, sampleSnapshot)
			}
			var st syscall.Stat_t
			if err := syscall.Stat(filepath.Join(dir, "bin/hello"), &st); err != nil || st.Nlink != 1 {
				t.Errorf("staged file has %d links (err %v): it must not share the mirror's inode", st.Nlink, err)
			}
		})
	}
}

// TestFetchOnlyTheCommit: fetching a commit does not pull its parent.
func TestFetchOnlyTheCommit(t *testing.T) {
	served := t.TempDir()
	r := newRepo(t, served)
	first := r.commit("main", map[string]file{"a": {content: "one\n", mode: 0o644}}, nil)
	second := r.commit("main", map[string]file{"a": {content: "two\n", mode: 0o644}}, nil)
	srv := serve(t, served)
	e := env(t)
	s := newSource(t, 1, t.TempDir(), "url: "+srv.URL+"\nref: "+second+"\n")
	if err := s.Fetch(context.Background(), e, ""); err != nil {
		t.Fatal(err)
	}
	mirror := filepath.Join(e.SourceDir, "ostree", download.URLDirectoryName(srv.URL))
	if !has(t, mirror, second) || has(t, mirror, first) {
		t.Errorf("mirror has second: %v, first: %v; want only the fetched commit", has(t, mirror, second), has(t, mirror, first))
	}
	older := newSource(t, 1, t.TempDir(), "url: "+srv.URL+"\nref: "+first+"\n")
	if older.Cached(e) {
		t.Error("the parent commit counts as cached")
	}
}

// TestStageConflict: an entry already in the staging directory is an
// error, as BuildStream's move of the checkout is.
func TestStageConflict(t *testing.T) {
	served := t.TempDir()
	commit := newRepo(t, served).commit("main", sampleTree, nil)
	srv := serve(t, served)
	e := env(t)
	s := newSource(t, 1, t.TempDir(), "url: "+srv.URL+"\nref: "+commit+"\n")
	if err := s.Fetch(context.Background(), e, ""); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := s.Stage(context.Background(), e, dir)
	if bsterr.ReasonOf(err) != ostree.StageFailed {
		t.Fatalf("Stage over an existing bin/: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	for _, ent := range ents {
		if strings.HasPrefix(ent.Name(), ".bst-ostree") {
			t.Errorf("temporary checkout %s left behind", ent.Name())
		}
	}
}

// TestErrors: each failure has its reason, and messages name the source.
func TestErrors(t *testing.T) {
	served := t.TempDir()
	commit := newRepo(t, served).commit("main", sampleTree, nil)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "index.html"), []byte("not a repository\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(served, filepath.Join(root, "repo")); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, root)
	closed := serve(t, t.TempDir())
	closed.Close()
	noOstree := func(e *plugin.SourceEnv) { e.Exec = hostexec.New(e.Log, []string{"PATH=" + t.TempDir()}) }
	track := func(s plugin.Source, e *plugin.SourceEnv) error {
		_, err := s.Track(context.Background(), e, "")
		return err
	}
	fetch := func(s plugin.Source, e *plugin.SourceEnv) error { return s.Fetch(context.Background(), e, "") }
	for _, c := range []struct {
		name      string
		config    string
		setup     func(*plugin.SourceEnv)
		op        func(plugin.Source, *plugin.SourceEnv) error
		domain    bsterr.Domain
		reason    bsterr.Reason
		temporary bool
	}{
		{"unknown branch", "url: " + srv.URL + "/repo/\ntrack: nope\n", nil, track, bsterr.DomainSource, ostree.RefNotFound, false},
		{"unknown commit", "url: " + srv.URL + "/repo/\nref: " + strings.Repeat("0", 64) + "\n", nil, fetch, bsterr.DomainSource, ostree.RefNotFound, false},
		{"not a repository", "url: " + srv.URL + "/\nref: " + commit + "\n", nil, fetch, bsterr.DomainSource, ostree.NotARepository, false},
		{"unreachable", "url: " + closed.URL + "/\nref: " + commit + "\n", nil, fetch, bsterr.DomainSource, ostree.FetchFailed, true},
		{"unreachable track", "url: " + closed.URL + "/\ntrack: main\n", nil, track, bsterr.DomainSource, ostree.FetchFailed, true},
		{"no ostree command", "url: " + srv.URL + "/repo/\nref: " + commit + "\n", noOstree, fetch, bsterr.DomainProg, hostexec.ProgramNotFound, false},
		{"fetch without ref", "url: " + srv.URL + "/repo/\ntrack: main\n", nil, fetch, bsterr.DomainSource, ostree.RefNotFound, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := env(t)
			if c.setup != nil {
				c.setup(e)
			}
			s := newSource(t, 1, t.TempDir(), c.config)
			err := c.op(s, e)
			var be *bsterr.Error
			if !errors.As(err, &be) || be.Domain != c.domain || be.Reason != c.reason || be.Temporary != c.temporary {
				t.Fatalf("got %#v, want %s/%s temporary=%v", err, c.domain, c.reason, c.temporary)
			}
			if be.Prov == nil || be.Prov.File != "elements/test.bst" {
				t.Errorf("error without the source's provenance: %v", err)
			}
			if !strings.Contains(err.Error(), "ostree source of test.bst") {
				t.Errorf("message does not name the source: %v", err)
			}
			t.Logf("%v\n%s", err, be.Detail)
		})
	}
}

// TestConfigErrors: configuration errors at construction.
func TestConfigErrors(t *testing.T) {
	project := t.TempDir()
	for _, c := range []struct {
		name, config string
		reason       bsterr.Reason
	}{
		{"no ref nor track", "url: upstream:repo\n", ostree.MissingTrackAndRef},
		{"no url", "ref: abc\n", bsterr.InvalidData},
		{"missing gpg key", "url: upstream:repo\nref: abc\ngpg-key: keys/missing.gpg\n", bsterr.MissingFile},
		{"gpg key outside the project", "url: upstream:repo\nref: abc\ngpg-key: ../key.gpg\n", bsterr.ProjectPathInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ostree.New(downloadtest.Spec(t, "ostree", 1, project, c.config))
			if bsterr.ReasonOf(err) != c.reason {
				t.Fatalf("got %v (%s), want %s", err, bsterr.ReasonOf(err), c.reason)
			}
		})
	}
}

// TestGPG: with gpg-key, only commits signed by that key are fetched.
func TestGPG(t *testing.T) {
	project := t.TempDir()
	served := t.TempDir()
	r := newRepo(t, served)
	signer := newGPGKey(t, filepath.Join(project, "keys", "good.gpg"))
	newGPGKey(t, filepath.Join(project, "keys", "other.gpg"))
	signed := r.commit("signed", sampleTree, signer)
	unsigned := r.commit("unsigned", map[string]file{"x": {content: "x\n", mode: 0o644}}, nil)
	srv := serve(t, served)
	for _, c := range []struct {
		name, key, ref string
		ok             bool
	}{
		{"signed by the key", "keys/good.gpg", signed, true},
		{"signed by another key", "keys/other.gpg", signed, false},
		{"unsigned", "keys/good.gpg", unsigned, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := env(t)
			s := newSource(t, 1, project, "url: "+srv.URL+"\nref: "+c.ref+"\ngpg-key: "+c.key+"\n")
			err := s.Fetch(context.Background(), e, "")
			if c.ok {
				if err != nil || !s.Cached(e) {
					t.Fatalf("Fetch: %v", err)
				}
				return
			}
			if bsterr.ReasonOf(err) != ostree.GPGVerificationFailed || s.Cached(e) {
				t.Fatalf("Fetch: %v (%s); want %s and nothing cached", err, bsterr.ReasonOf(err), ostree.GPGVerificationFailed)
			}
		})
	}
}

// TestMirrorsAndAliases: an aliased URL is tried through the URLs the
// environment gives (an unreachable mirror first); each gets its own
// remote, named as BuildStream names it, in one mirror repository keyed
// by the URL as written.
func TestMirrorsAndAliases(t *testing.T) {
	served := t.TempDir()
	commit := newRepo(t, served).commit("main", sampleTree, nil)
	srv := serve(t, served)
	dead := serve(t, t.TempDir())
	dead.Close()
	e := env(t)
	e.URLs = func(u string) []string {
		if u != "upstream:repo/" {
			t.Errorf("URLs asked for %q", u)
		}
		return []string{dead.URL + "/repo/", srv.URL + "/"}
	}
	s := newSource(t, 1, t.TempDir(), "url: upstream:repo/\ntrack: main\n")
	ref, err := s.Track(context.Background(), e, "")
	if err != nil || scalar(ref) != commit {
		t.Fatalf("Track = %v, %v", ref, err)
	}
	s.SetRef(ref)
	if err := s.Fetch(context.Background(), e, ""); err != nil || !s.Cached(e) {
		t.Fatalf("Fetch: %v", err)
	}
	mirror := filepath.Join(e.SourceDir, "ostree", "upstream_repo_")
	config, err := os.ReadFile(filepath.Join(mirror, "config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{dead.URL + "/repo/", srv.URL + "/"} {
		want := `[remote "` + download.URLDirectoryName(u) + `"]` + "\nurl=" + u + "\n"
		if !strings.Contains(string(config), want) {
			t.Errorf("mirror config lacks %q:\n%s", want, config)
		}
	}
	if !strings.Contains(string(config), "min-free-space-percent=0") {
		t.Errorf("mirror config has a minimum free space:\n%s", config)
	}
}

// TestSharedMirror: sources with the same URL share one mirror, yet each
// pull verifies signatures as its own source says (BuildStream 1.6.8
// configures the shared remote once, for whichever source came first).
func TestSharedMirror(t *testing.T) {
	project := t.TempDir()
	served := t.TempDir()
	r := newRepo(t, served)
	signer := newGPGKey(t, filepath.Join(project, "key.gpg"))
	signed := r.commit("signed", sampleTree, signer)
	unsigned := r.commit("unsigned", map[string]file{"x": {content: "x\n", mode: 0o644}}, nil)
	srv := serve(t, served)
	fetch := func(e *plugin.SourceEnv, ref, key string) error {
		config := "url: " + srv.URL + "\nref: " + ref + "\n"
		if key != "" {
			config += "gpg-key: " + key + "\n"
		}
		return newSource(t, 1, project, config).Fetch(context.Background(), e, "")
	}
	// Verifying first, then not: the second pull is not verified.
	e := env(t)
	if err := fetch(e, signed, "key.gpg"); err != nil {
		t.Fatal(err)
	}
	if err := fetch(e, unsigned, ""); err != nil {
		t.Errorf("plain fetch after a verifying one: %v", err)
	}
	// Not verifying first, then verifying: the second pull is verified.
	e = env(t)
	if err := fetch(e, signed, ""); err != nil {
		t.Fatal(err)
	}
	if err := fetch(e, unsigned, "key.gpg"); bsterr.ReasonOf(err) != ostree.GPGVerificationFailed {
		t.Errorf("verifying fetch after a plain one: %v", err)
	}
}
