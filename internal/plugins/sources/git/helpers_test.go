package git

import (
	"bytes"
	"context"
	"fmt"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/hostexec"
	"example.org/bst/internal/yamlnode"
)

const httpBackend = "/usr/lib/git-core/git-http-backend"

// upstream is a directory of git repositories the tests create and serve.
type upstream struct {
	t    *testing.T
	root string
	env  []string
	x    *hostexec.Exec
	n    int // commits made, for increasing commit dates
}

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.org",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.org",
	}
	return &upstream{t: t, root: t.TempDir(), env: env, x: hostexec.New(nil, env)}
}

// git runs git in the repository name and returns its trimmed output.
func (u *upstream) git(name string, args ...string) string {
	u.t.Helper()
	out, err := u.x.Run(context.Background(), filepath.Join(u.root, name), nil, "git", args...)
	if err != nil {
		u.t.Fatalf("git %s in %s: %v", strings.Join(args, " "), name, err)
	}
	return strings.TrimSpace(string(out))
}

// init creates repository name with branch main.
func (u *upstream) init(name string) {
	u.t.Helper()
	if err := os.MkdirAll(filepath.Join(u.root, name), 0o755); err != nil {
		u.t.Fatal(err)
	}
	u.git(name, "init", "-q", "-b", "main")
}

// commit writes files (path → content) and commits them; it returns the
// commit id.
func (u *upstream) commit(name, msg string, files map[string]string) string {
	u.t.Helper()
	for p, c := range files {
		full := filepath.Join(u.root, name, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			u.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			u.t.Fatal(err)
		}
	}
	add := []string{"add", "--"}
	for p := range files {
		add = append(add, p)
	}
	if _, err := os.Stat(filepath.Join(u.root, name, ".gitmodules")); err == nil {
		add = append(add, ".gitmodules")
	}
	u.git(name, add...)
	u.n++
	date := fmt.Sprintf("@%d +0000", 1700000000+100*u.n)
	x := hostexec.New(nil, append(u.env[:len(u.env):len(u.env)], "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date))
	if _, err := x.Run(context.Background(), filepath.Join(u.root, name), nil, "git", "commit", "-q", "--allow-empty", "-m", msg); err != nil {
		u.t.Fatal(err)
	}
	return u.git(name, "rev-parse", "HEAD")
}

// addSubmodule records sub's commit as a submodule at path of repo name,
// with url in .gitmodules.
func (u *upstream) addSubmodule(name, path, url, commit string) {
	u.t.Helper()
	gm := filepath.Join(u.root, name, ".gitmodules")
	old, _ := os.ReadFile(gm)
	entry := "[submodule \"" + path + "\"]\n\tpath = " + path + "\n\turl = " + url + "\n"
	if err := os.WriteFile(gm, append(old, entry...), 0o644); err != nil {
		u.t.Fatal(err)
	}
	u.git(name, "update-index", "--add", "--cacheinfo", "160000,"+commit+","+path)
}

// transport serves the upstream root; base is the URL prefix of its
// repositories (base + "/" + name).
type transport struct {
	name string
	base func(t *testing.T, u *upstream) string
}

var transports = []transport{
	{"file", func(t *testing.T, u *upstream) string { return "file://" + u.root }},
	{"http", func(t *testing.T, u *upstream) string {
		if _, err := os.Stat(httpBackend); err != nil {
			t.Skipf("git http backend not available (%v): cannot serve git over http", err)
		}
		h := &cgi.Handler{
			Path: httpBackend,
			Env:  []string{"GIT_PROJECT_ROOT=" + u.root, "GIT_HTTP_EXPORT_ALL=1"},
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}},
}

// syncBuffer is a log shared by concurrent commands.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv returns a source environment with its own source directory in
// which the alias "upstream:" stands for base.
func testEnv(t *testing.T, base string) (*plugin.SourceEnv, *syncBuffer) {
	t.Helper()
	log := &syncBuffer{}
	home := t.TempDir()
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("GITLOG") != "" {
			t.Logf("source log:\n%s", log.String())
		}
	})
	return &plugin.SourceEnv{
		SourceDir: t.TempDir(),
		URLs: func(url string) []string {
			if rest, ok := strings.CutPrefix(url, "upstream:"); ok {
				return []string{base + "/" + rest}
			}
			return []string{url}
		},
		Log:  log,
		Exec: hostexec.New(log, []string{"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1"}),
	}, log
}

// sourceSpec makes a spec of kind from YAML configuration.
func sourceSpec(t *testing.T, kind string, gen int, config string) plugin.SourceSpec {
	t.Helper()
	m, err := yamlnode.Parse([]byte(config), "element.bst")
	if err != nil {
		t.Fatal(err)
	}
	return plugin.SourceSpec{Kind: kind, Gen: gen, Config: m, Element: "element.bst"}
}

// newTestSource makes a source of kind from YAML configuration.
func newTestSource(t *testing.T, kind string, gen int, config string) *Source {
	t.Helper()
	ctor := map[string]plugin.SourceConstructor{
		"git": NewGit, "git_tag": NewGitTag, "git_module": NewGitModule, "git_repo": NewGitRepo,
	}[kind]
	src, err := ctor(sourceSpec(t, kind, gen, config))
	if err != nil {
		t.Fatalf("configure %s: %v", kind, err)
	}
	return src.(*Source)
}

// refString returns a ref node's string (a 2.x git mapping's `ref`).
func refString(t *testing.T, n yamlnode.Node) string {
	t.Helper()
	switch v := n.(type) {
	case *yamlnode.Scalar:
		return v.Value
	case *yamlnode.Mapping:
		s, _, _ := v.String("ref")
		return s
	case nil:
		return ""
	}
	t.Fatalf("unexpected ref node %T", n)
	return ""
}

// dirGit runs git in a staged directory.
func dirGit(t *testing.T, x *hostexec.Exec, dir string, args ...string) (string, error) {
	t.Helper()
	out, err := x.Run(context.Background(), dir, nil, "git", args...)
	return strings.TrimSpace(string(out)), err
}

// assertCheckout checks that dir holds commit of upstream repo name: its
// HEAD, an index matching the commit's tree, and files matching the index.
func assertCheckout(t *testing.T, u *upstream, name, dir, commit string) {
	t.Helper()
	x := u.x
	head, err := dirGit(t, x, dir, "rev-parse", "HEAD")
	if err != nil || head != commit {
		t.Fatalf("staged HEAD = %q (%v), want %s", head, err, commit)
	}
	want := u.git(name, "ls-tree", "-r", commit)
	got, err := dirGit(t, x, dir, "ls-tree", "-r", "HEAD")
	if err != nil || got != want {
		t.Fatalf("staged tree differs:\n%s\nwant:\n%s (%v)", got, want, err)
	}
	idx, err := dirGit(t, x, dir, "ls-files", "--stage")
	if err != nil {
		t.Fatal(err)
	}
	var wantIdx []string
	for _, l := range strings.Split(want, "\n") {
		meta, p, _ := strings.Cut(l, "\t")
		f := strings.Fields(meta)
		wantIdx = append(wantIdx, f[0]+" "+f[2]+" 0\t"+p)
	}
	if idx != strings.Join(wantIdx, "\n") {
		t.Fatalf("staged index:\n%s\nwant:\n%s", idx, strings.Join(wantIdx, "\n"))
	}
	if st, err := dirGit(t, x, dir, "status", "--porcelain", "--ignore-submodules=all"); err != nil || st != "" {
		t.Fatalf("staged checkout is not clean: %q (%v)", st, err)
	}
}

type pluginEnv = plugin.SourceEnv
