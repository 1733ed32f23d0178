package gomodule_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	gomodule "example.org/bst/internal/plugins/sources/go_module"
	"example.org/bst/internal/plugins/sources/hostexec"
	"example.org/bst/internal/plugins/sources/repotest"
	"example.org/bst/internal/yamlnode"
)

func env(t *testing.T) *plugin.SourceEnv {
	e := downloadtest.Env(t)
	e.Exec = hostexec.New(nil, repotest.Env(t.TempDir()))
	return e
}

func newSource(t *testing.T, config string) *gomodule.Source {
	t.Helper()
	src, err := gomodule.New(downloadtest.Spec(t, "go_module", 2, t.TempDir(), config))
	if err != nil {
		t.Fatal(err)
	}
	return src.(*gomodule.Source)
}

func previous(t *testing.T, goMod, goSum string) string {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644)
	os.WriteFile(filepath.Join(dir, "go.sum"), []byte(goSum), 0o644)
	return dir
}

func refString(t *testing.T, n yamlnode.Node) string {
	t.Helper()
	m, ok := n.(*yamlnode.Mapping)
	if !ok {
		t.Fatalf("ref %#v", n)
	}
	var parts []string
	for i, k := range m.Keys {
		parts = append(parts, k+"="+m.Vals[i].(*yamlnode.Scalar).Value)
	}
	return strings.Join(parts, " ")
}

func stage(t *testing.T, s *gomodule.Source, e *plugin.SourceEnv, dir string) {
	t.Helper()
	if err := s.Fetch(context.Background(), e, ""); err != nil {
		t.Fatal(err)
	}
	if !s.Cached(e) {
		t.Fatal("not cached after fetching")
	}
	if err := s.Stage(context.Background(), e, dir); err != nil {
		t.Fatal(err)
	}
}

func TestTaggedGitHubModule(t *testing.T) {
	repo := repotest.New(t)
	repo.Commit("old", map[string]string{"go.mod": "module github.com/russross/blackfriday/v2\n\ngo 1.13\n", "block.go": "package blackfriday\n"})
	repo.Git("tag", "v2.0.0")
	commit := repo.Commit("new", map[string]string{"markdown.go": "package blackfriday\n", "cmd/bf/main.go": "package main\n", "doc/README": "x\n"})
	repo.Git("tag", "-a", "-m", "release", "v2.1.0")
	e := env(t)
	prev := previous(t, "module example.org/app\n\nrequire github.com/russross/blackfriday/v2 v2.1.0\n",
		"github.com/russross/blackfriday/v2 v2.1.0 h1:abc=\ngithub.com/russross/blackfriday/v2 v2.1.0/go.mod h1:def=\n")
	s := newSource(t, "url: "+repo.URL()+"\nmodule: github.com/russross/blackfriday/v2\n")
	if s.Ref() != nil || s.Cached(e) {
		t.Fatal("ref before tracking")
	}
	ref, err := s.Track(context.Background(), e, prev)
	if err != nil {
		t.Fatal(err)
	}
	want := "go-version=v2.1.0 git-ref=v2.1.0-0-g" + commit + " explicit=True"
	if got := refString(t, ref); got != want {
		t.Errorf("tracked %s, want %s", got, want)
	}
	s.SetRef(ref)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "vendor"), 0o755)
	os.WriteFile(filepath.Join(dir, "vendor", "modules.txt"), []byte("# earlier\n"), 0o644)
	stage(t, s, e, dir)
	modules, _ := os.ReadFile(filepath.Join(dir, "vendor", "modules.txt"))
	wantModules := "# earlier\n# github.com/russross/blackfriday/v2 v2.1.0\n## explicit; go 1.13\n" +
		"github.com/russross/blackfriday/v2\ngithub.com/russross/blackfriday/v2/cmd/bf\n"
	if string(modules) != wantModules {
		t.Errorf("modules.txt:\n%s\nwant:\n%s", modules, wantModules)
	}
	got := downloadtest.Snapshot(t, filepath.Join(dir, "vendor", "github.com"))
	for _, p := range []string{"russross/blackfriday/v2/markdown.go file", "russross/blackfriday/v2/cmd/bf/main.go file", "russross/blackfriday/v2/doc/README file"} {
		if !strings.Contains(got, p) {
			t.Errorf("staged tree lacks %s:\n%s", p, got)
		}
	}
	if strings.Contains(got, ".git") {
		t.Errorf(".git staged:\n%s", got)
	}
}

func TestPseudoVersionSubdirectory(t *testing.T) {
	repo := repotest.New(t)
	commit := repo.Commit("c", map[string]string{
		"go.mod":               "module golang.org/x/exp\n",
		"typeparams/go.mod":    "module golang.org/x/exp/typeparams\n\ngo 1.18\n",
		"typeparams/common.go": "package typeparams\n",
		"other/other.go":       "package other\n",
	})
	repo.Commit("later", map[string]string{"other/later.go": "package other\n"})
	page := downloadtest.Serve(t, map[string][]byte{})
	page.Fail = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		w.Write([]byte(`<html><head><meta name="go-import" content="golang.org/x/exp git https://go.googlesource.com/exp"></head></html>`))
		return true
	}
	e := env(t)
	version := "v0.0.0-20250218165306-" + commit[:12]
	prev := previous(t, "module example.org/app\n", "golang.org/x/exp/typeparams "+version+" h1:x=\n")
	s := newSource(t, "url: "+repo.URL()+"\nmodule: golang.org/x/exp/typeparams\n")
	s.ImportURL = func(m string) string { return page.URL + "/" + m + "?go-get=1" }
	ref, err := s.Track(context.Background(), e, prev)
	if err != nil {
		t.Fatal(err)
	}
	want := "go-version=" + version + " git-ref=" + commit + " explicit=False subdirectory=typeparams"
	if got := refString(t, ref); got != want {
		t.Errorf("tracked %s, want %s", got, want)
	}
	s.SetRef(ref)
	dir := t.TempDir()
	stage(t, s, e, dir)
	modules, _ := os.ReadFile(filepath.Join(dir, "vendor", "modules.txt"))
	if string(modules) != "# golang.org/x/exp/typeparams\ngolang.org/x/exp/typeparams\n" {
		t.Errorf("modules.txt:\n%s", modules)
	}
	if _, err := os.Stat(filepath.Join(dir, "vendor", "golang.org", "x", "exp", "typeparams", "common.go")); err != nil {
		t.Error(err)
	}
}

func TestMajorVersionDirectory(t *testing.T) {
	repo := repotest.New(t)
	commit := repo.Commit("c", map[string]string{"go.mod": "module github.com/o/r\n", "r.go": "package r\n", "v3/go.mod": "module github.com/o/r/v3\n", "v3/r.go": "package r\n"})
	repo.Git("tag", "v3.0.1")
	s := newSource(t, "url: "+repo.URL()+"\nmodule: github.com/o/r/v3\nref:\n  go-version: v3.0.1+incompatible\n  git-ref: v3.0.1-0-g"+commit+"\n  explicit: false\n")
	dir := t.TempDir()
	stage(t, s, env(t), dir)
	got := downloadtest.Snapshot(t, filepath.Join(dir, "vendor"))
	want := "github.com dir 0755\ngithub.com/o dir 0755\ngithub.com/o/r dir 0755\ngithub.com/o/r/v3 dir 0755\n" +
		"github.com/o/r/v3/go.mod file 0644 \"module github.com/o/r/v3\\n\"\ngithub.com/o/r/v3/r.go file 0644 \"package r\\n\"\n" +
		"modules.txt file 0644 \"# github.com/o/r/v3\\ngithub.com/o/r/v3\\n\""
	if got != want {
		t.Errorf("staged:\n%s\nwant:\n%s", got, want)
	}
}

func TestErrors(t *testing.T) {
	e := env(t)
	s := newSource(t, "url: file:///nonexistent\nmodule: github.com/a/b\n")
	if _, err := s.Track(context.Background(), e, previous(t, "", "github.com/c/d v1.0.0 h1:x=\n")); bsterr.ReasonOf(err) != gomodule.NotInGoSum {
		t.Errorf("not in go.sum: %v", err)
	}
	if _, err := s.Track(context.Background(), e, previous(t, "", "github.com/a/b v1.0 h1:x=\n")); bsterr.ReasonOf(err) != gomodule.BadVersion {
		t.Errorf("bad version: %v", err)
	}
	if _, err := s.Track(context.Background(), e, t.TempDir()); bsterr.ReasonOf(err) != bsterr.MissingFile {
		t.Errorf("no go.mod: %v", err)
	}
	for _, c := range []string{
		"url: u\nmodule: m\nref:\n  go-version: v1.0.0\n  git-ref: notahash\n  explicit: true\n",
		"url: u\nmodule: m\nref:\n  go-version: v1.0.0\n  git-ref: " + strings.Repeat("a", 40) + "\n",
		"url: u\nmodule: m\nref:\n  go-version: v1.0.0\n  git-ref: " + strings.Repeat("a", 40) + "\n  explicit: true\n  other: x\n",
		"module: m\n",
	} {
		if _, err := gomodule.New(downloadtest.Spec(t, "go_module", 2, t.TempDir(), c)); err == nil {
			t.Errorf("%q: no error", c)
		}
	}
	if err := s.Fetch(context.Background(), e, ""); bsterr.ReasonOf(err) != gomodule.NoRef {
		t.Errorf("fetch without ref: %v", err)
	}
}
