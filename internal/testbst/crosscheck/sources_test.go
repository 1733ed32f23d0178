package crosscheck

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/testbst"
)

// buildstream16 returns the path of BuildStream 1.6.8, or skips.
func buildstream16(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("bst")
	if err != nil || !strings.HasPrefix(path, "/usr/") {
		path = "/usr/bin/bst"
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "1.6.8" {
		t.Skipf("BuildStream 1.6.8 is not installed at %s (apt-get install buildstream)", path)
	}
	return path
}

func tarGz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	names := sortedKeys(files)
	for _, n := range names {
		body := files[n]
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(body)), ModTime: time.Unix(1e9, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func zipFile(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range sortedKeys(files) {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[n]))
	}
	zw.Close()
	return buf.Bytes()
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.org", "GIT_AUTHOR_DATE=2020-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2020-01-01T00:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// project writes a format-version 18 project using local, tar, zip,
// remote, git and patch sources, none of which has a ref yet (but local
// and patch, which need none).
func project(t *testing.T, dir, httpURL, gitURL string) {
	write(t, filepath.Join(dir, "project.conf"), `name: crosscheck
format-version: 18
element-path: elements
aliases:
  upstream: `+httpURL+`/
  gitrepos: `+gitURL+`/
`)
	write(t, filepath.Join(dir, "files/hello/hello.txt"), "hello\n")
	write(t, filepath.Join(dir, "files/fix.patch"), "--- a/greeting.txt\n+++ b/greeting.txt\n@@ -1 +1 @@\n-hi\n+hello\n")
	write(t, filepath.Join(dir, "elements/local.bst"), "kind: import\nsources:\n- kind: local\n  path: files/hello\n")
	write(t, filepath.Join(dir, "elements/tar.bst"), "kind: import\n# a comment kept byte for byte\nsources:\n- kind: tar\n  url: upstream:src.tar.gz   # trailing comment\n")
	write(t, filepath.Join(dir, "elements/zip.bst"), "kind: import\nsources:\n- kind: zip\n  url: upstream:src.zip\n  base-dir: ''\n")
	write(t, filepath.Join(dir, "elements/remote.bst"), "kind: import\nsources:\n- kind: remote\n  url: upstream:greeting.txt\n")
	write(t, filepath.Join(dir, "elements/patched.bst"), "kind: import\nsources:\n- kind: remote\n  url: upstream:greeting-hi.txt\n  filename: greeting.txt\n- kind: patch\n  path: files/fix.patch\n")
	write(t, filepath.Join(dir, "elements/git.bst"), "kind: import\nsources:\n- kind: git\n  url: gitrepos:repo.git\n  track: master\n")
	write(t, filepath.Join(dir, "elements/all.bst"), "kind: stack\ndepends:\n- local.bst\n- tar.bst\n- zip.bst\n- remote.bst\n- patched.bst\n- git.bst\n")
}

func TestTrackAndKeysAgreeWithBuildStream(t *testing.T) {
	bs := buildstream16(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	files := map[string][]byte{
		"/src.tar.gz":      tarGz(t, map[string]string{"src-1.0/README": "readme\n", "src-1.0/bin/tool": "#!/bin/sh\n"}),
		"/src.zip":         zipFile(t, map[string]string{"a.txt": "a\n", "dir/b.txt": "b\n"}),
		"/greeting.txt":    []byte("hello\n"),
		"/greeting-hi.txt": []byte("hi\n"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()

	repos := t.TempDir()
	repo := filepath.Join(repos, "repo.git")
	os.MkdirAll(repo, 0o755)
	git(t, repo, "init", "-q", "-b", "master")
	write(t, filepath.Join(repo, "file.txt"), "one\n")
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "one")
	git(t, repo, "tag", "-a", "v1", "-m", "v1")
	write(t, filepath.Join(repo, "file.txt"), "two\n")
	git(t, repo, "commit", "-q", "-am", "two")

	root := t.TempDir()
	ours, theirs := filepath.Join(root, "ours"), filepath.Join(root, "theirs")
	project(t, ours, srv.URL, "file://"+repos)
	project(t, theirs, srv.URL, "file://"+repos)

	// BuildStream 1.6.8, with its caches in the test's directory.
	home := filepath.Join(root, "bs-home")
	run16 := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bs, append([]string{"--no-colors", "--no-interactive"}, args...)...)
		cmd.Dir = theirs
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + home + "/cache",
			"XDG_CONFIG_HOME=" + home + "/config", "XDG_DATA_HOME=" + home + "/data", "LC_ALL=C.UTF-8"}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("BuildStream 1.6.8 %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.String()
	}
	run16("track", "--deps", "all", "all.bst")
	res := testbst.Run(t, ours, nil, "--no-colors", "source", "track", "--deps", "all", "all.bst")
	res.AssertSuccess(t)

	for _, el := range []string{"local", "tar", "zip", "remote", "patched", "git", "all"} {
		a, _ := os.ReadFile(filepath.Join(ours, "elements", el+".bst"))
		b, _ := os.ReadFile(filepath.Join(theirs, "elements", el+".bst"))
		if !bytes.Equal(a, b) {
			t.Errorf("%s.bst after tracking differs:\nbst:\n%s\nBuildStream 1.6.8:\n%s", el, a, b)
		}
	}

	format := "%{name} %{full-key}"
	want := run16("show", "--deps", "all", "--format", format, "all.bst")
	got := testbst.Run(t, ours, nil, "--no-colors", "show", "--deps", "all", "--format", format, "all.bst")
	got.AssertSuccess(t)
	if strings.TrimSpace(got.Stdout) != strings.TrimSpace(want) {
		t.Errorf("keys differ:\nbst:\n%s\nBuildStream 1.6.8:\n%s", got.Stdout, want)
	}

	// Fetch and stage with bst; the staged trees hold the served content.
	testbst.Run(t, ours, nil, "--no-colors", "source", "fetch", "--deps", "all", "all.bst").AssertSuccess(t)
	states := testbst.Run(t, ours, nil, "--no-colors", "show", "--deps", "all", "--format", "%{name} %{state}", "all.bst")
	states.AssertSuccess(t)
	for _, line := range strings.Split(strings.TrimSpace(states.Stdout), "\n") {
		if strings.HasSuffix(line, "fetch needed") || strings.HasSuffix(line, "no reference") {
			t.Errorf("after fetch: %s", line)
		}
	}
	co := filepath.Join(root, "checkout")
	testbst.Run(t, ours, nil, "--no-colors", "source", "checkout", "--deps", "all", "--directory", co, "all.bst").AssertSuccess(t)
	for path, want := range map[string]string{
		"tar/README":           "readme\n",
		"zip/dir/b.txt":        "b\n",
		"remote/greeting.txt":  "hello\n",
		"patched/greeting.txt": "hello\n",
		"local/hello.txt":      "hello\n",
		"git/file.txt":         "two\n",
	} {
		got, err := os.ReadFile(filepath.Join(co, path))
		if err != nil || string(got) != want {
			t.Errorf("checkout %s: got %q (%v), want %q", path, got, err, want)
		}
	}
}
