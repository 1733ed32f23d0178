package crosscheck

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/testbst"
)

// TestProjectRefsAgreeWithBuildStream tracks a format-version 18 project
// with `ref-storage: project.refs` with bst and with BuildStream 1.6.8:
// git (a commit) and bst-external's git_tag with track-tags (its latest
// tag as tag-N-gSHA), one element already in project.refs (with comments)
// and one not. project.refs must come out byte for byte the same, the
// element files unchanged, and the keys equal.
func TestProjectRefsAgreeWithBuildStream(t *testing.T) {
	bs := buildstream16(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repos := t.TempDir()
	repo := filepath.Join(repos, "repo.git")
	write(t, filepath.Join(repo, "file.txt"), "one\n")
	git(t, repo, "init", "-q", "-b", "master")
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "one")
	git(t, repo, "tag", "-a", "v1", "-m", "v1")
	write(t, filepath.Join(repo, "file.txt"), "two\n")
	git(t, repo, "commit", "-q", "-am", "two")

	conf := "name: crosscheck\nformat-version: 18\nelement-path: elements\nref-storage: project.refs\n" +
		"aliases:\n  gitrepos: file://" + repos + "/\n" +
		"plugins:\n- origin: pip\n  package-name: BuildStream-external\n  sources:\n    git_tag: 1\n"
	refs := "# Refs, kept by hand and by bst track.\nprojects:\n  crosscheck:\n    # tracked before\n" +
		"    tag.bst:\n    - ref: v1-0-g0000000000000000000000000000000000000000  # old\n"
	elements := map[string]string{
		"git.bst": "kind: import\nsources:\n- kind: git\n  url: gitrepos:repo.git\n  track: master\n",
		"tag.bst": "kind: import\nsources:\n- kind: git_tag\n  url: gitrepos:repo.git\n  track: master\n  track-tags: true\n",
	}
	root := t.TempDir()
	ours, theirs := filepath.Join(root, "ours"), filepath.Join(root, "theirs")
	for _, dir := range []string{ours, theirs} {
		write(t, filepath.Join(dir, "project.conf"), conf)
		write(t, filepath.Join(dir, "project.refs"), refs)
		for name, text := range elements {
			write(t, filepath.Join(dir, "elements", name), text)
		}
	}

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
	// One element at a time: BuildStream adds new entries in the order its
	// track jobs finish.
	for _, el := range []string{"tag.bst", "git.bst"} {
		run16("track", el)
		testbst.Run(t, ours, nil, "--no-colors", "track", el).AssertSuccess(t)
	}

	a, _ := os.ReadFile(filepath.Join(ours, "project.refs"))
	b, _ := os.ReadFile(filepath.Join(theirs, "project.refs"))
	if !bytes.Equal(a, b) {
		t.Errorf("project.refs after tracking differs:\nbst:\n%s\nBuildStream 1.6.8:\n%s", a, b)
	}
	// git_tag with track-tags tracks the latest tag, described.
	if !bytes.Contains(a, []byte("ref: v1-0-g")) || bytes.Contains(a, []byte("g0000000")) {
		t.Errorf("git_tag with track-tags did not record its tag as tag-N-gSHA:\n%s", a)
	}
	for name, text := range elements {
		if got, _ := os.ReadFile(filepath.Join(ours, "elements", name)); string(got) != text {
			t.Errorf("%s changed:\n%s", name, got)
		}
	}

	format := "%{name} %{full-key}"
	want := run16("show", "--deps", "none", "--format", format, "git.bst", "tag.bst")
	got := testbst.Run(t, ours, nil, "--no-colors", "show", "--deps", "none", "--format", format, "git.bst", "tag.bst")
	got.AssertSuccess(t)
	if strings.TrimSpace(got.Stdout) != strings.TrimSpace(want) {
		t.Errorf("keys differ:\nbst:\n%s\nBuildStream 1.6.8:\n%s", got.Stdout, want)
	}
}
