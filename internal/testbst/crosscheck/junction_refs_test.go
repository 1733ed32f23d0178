package crosscheck

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/testbst"
)

var update = flag.Bool("update", false, "rewrite testdata/ goldens with what bst writes")

// bs16 runs BuildStream 1.6.8 (bs) in dir with a private home; it returns
// stdout, stderr and whether it succeeded.
func bs16(t *testing.T, bs, dir, home string, args ...string) (string, string, bool) {
	t.Helper()
	cmd := exec.Command(bs, append([]string{"--no-colors", "--no-interactive"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + home + "/cache",
		"XDG_CONFIG_HOME=" + home + "/config", "XDG_DATA_HOME=" + home + "/data", "LC_ALL=C.UTF-8"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err == nil
}

// twoCommitRepo makes repos/repo.git with two commits on master and
// returns their shas.
func twoCommitRepo(t *testing.T, repos string) (c1, c2 string) {
	t.Helper()
	repo := filepath.Join(repos, "repo.git")
	write(t, filepath.Join(repo, "file.txt"), "one\n")
	git(t, repo, "init", "-q", "-b", "master")
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "one")
	c1 = git(t, repo, "rev-parse", "HEAD")
	write(t, filepath.Join(repo, "file.txt"), "two\n")
	git(t, repo, "commit", "-q", "-am", "two")
	return c1, git(t, repo, "rev-parse", "HEAD")
}

// golden compares got (with the commits replaced by @name@) with
// testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte, commits map[string]string) {
	t.Helper()
	s := string(got)
	for k, v := range commits {
		s = strings.ReplaceAll(s, v, "@"+k+"@")
	}
	path := filepath.Join("testdata", name)
	if *update {
		write(t, path, s)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s != string(want) {
		t.Errorf("%s differs from %s:\n%s\nwant:\n%s", name, path, s, want)
	}
}

// writeTree writes files (relative path -> text) under each of dirs.
func writeTree(t *testing.T, files map[string]string, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		for name, text := range files {
			write(t, filepath.Join(dir, name), text)
		}
	}
}

// TestJunctionRefsAgreeWithBuildStream checks where refs of elements in
// junctioned projects are read from and written to, against BuildStream
// 1.6.8 (Source._load_ref and _set_ref, the same rules as 2.x):
//
//   - the top-level project uses project.refs and has a conditional (?)
//     entry for subproj's s.bst, which overrides s.bst's inline ref;
//   - subproj's u.bst has an inline ref and no entry: the inline ref holds;
//   - sub2 keeps its own refs in its project.refs: they hold until the
//     top-level file has an entry;
//   - tracking writes every ref into the top-level project.refs under the
//     subproject's name (the entry inside the conditional where the
//     conditional gives it), and no file of the subprojects changes.
func TestJunctionRefsAgreeWithBuildStream(t *testing.T) {
	bs := buildstream16(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repos := t.TempDir()
	c1, c2 := twoCommitRepo(t, repos)
	stale := strings.Repeat("0", 40)
	files := map[string]string{
		"project.conf": "name: top\nformat-version: 18\nelement-path: elements\nref-storage: project.refs\n" +
			"aliases:\n  r: file://" + repos + "/\n" +
			"options:\n  flavour:\n    type: enum\n    description: a flavour\n    values: [a, b]\n    default: a\n",
		"project.refs": "# Refs of the top-level project and its subprojects.\nprojects:\n  subproj:\n    s.bst:\n" +
			"    - ref: " + stale + "\n  (?):\n  - flavour == \"a\":\n      subproj:\n        s.bst:\n        # in a\n" +
			"        - ref: " + c1 + "\n",
		"elements/junction.bst":  "kind: junction\nsources:\n- kind: local\n  path: sub\n",
		"elements/junction2.bst": "kind: junction\nsources:\n- kind: local\n  path: sub2\n",
		"elements/x.bst":         "kind: import\nsources:\n- kind: git\n  url: r:repo.git\n  track: master\n",
		"sub/project.conf":       "name: subproj\nformat-version: 18\nelement-path: elements\naliases:\n  r: file://" + repos + "/\n",
		"sub/elements/s.bst":     "kind: import\nsources:\n- kind: git\n  url: r:repo.git\n  track: master\n  ref: " + stale + "\n",
		"sub/elements/u.bst":     "kind: import\nsources:\n- kind: git\n  url: r:repo.git\n  track: master\n  ref: " + c1 + "\n",
		"sub2/project.conf": "name: sub2\nformat-version: 18\nelement-path: elements\nref-storage: project.refs\n" +
			"aliases:\n  r: file://" + repos + "/\n",
		"sub2/project.refs":    "projects:\n  sub2:\n    s2.bst:\n    - ref: " + c1 + "\n",
		"sub2/elements/s2.bst": "kind: import\nsources:\n- kind: git\n  url: r:repo.git\n  track: master\n",
	}
	root := t.TempDir()
	ours, theirs := filepath.Join(root, "ours"), filepath.Join(root, "theirs")
	writeTree(t, files, ours, theirs)
	home := filepath.Join(root, "bs-home")
	commits := map[string]string{"c1": c1, "c2": c2}

	show := func(opts ...string) {
		t.Helper()
		args := append(append([]string{}, opts...), "show", "--deps", "none", "--format", "%{name} %{full-key}",
			"junction.bst:s.bst", "junction.bst:u.bst", "junction2.bst:s2.bst")
		want, stderr, ok := bs16(t, bs, theirs, home, args...)
		if !ok {
			t.Fatalf("BuildStream 1.6.8 %v failed:\n%s", args, stderr)
		}
		got := testbst.Run(t, ours, nil, append([]string{"--no-colors"}, args...)...)
		got.AssertSuccess(t)
		if strings.TrimSpace(got.Stdout) != strings.TrimSpace(want) {
			t.Errorf("%v: keys differ:\nbst:\n%s\nBuildStream 1.6.8:\n%s", args, got.Stdout, want)
		}
	}
	track := func(opts ...string) {
		t.Helper()
		args := append(append([]string{}, opts...), "track")
		// One element at a time: BuildStream adds new entries in the
		// order its track jobs finish.
		for _, el := range []string{"junction.bst:s.bst", "junction2.bst:s2.bst", "x.bst"} {
			if _, stderr, ok := bs16(t, bs, theirs, home, append(args, el)...); !ok {
				t.Fatalf("BuildStream 1.6.8 %v %s failed:\n%s", args, el, stderr)
			}
			testbst.Run(t, ours, nil, append(append([]string{"--no-colors"}, args...), el)...).AssertSuccess(t)
		}
		a, _ := os.ReadFile(filepath.Join(ours, "project.refs"))
		b, _ := os.ReadFile(filepath.Join(theirs, "project.refs"))
		if !bytes.Equal(a, b) {
			t.Errorf("%v: project.refs differs:\nbst:\n%s\nBuildStream 1.6.8:\n%s", args, a, b)
		}
	}

	show()
	show("-o", "flavour", "b")
	track()
	got, _ := os.ReadFile(filepath.Join(ours, "project.refs"))
	golden(t, "junction_refs/project.refs", got, commits)
	show()
	track("-o", "flavour", "b")
	got, _ = os.ReadFile(filepath.Join(ours, "project.refs"))
	golden(t, "junction_refs/project.refs-flavour-b", got, commits)
	show("-o", "flavour", "b")

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "project.refs" {
			continue
		}
		if got, _ := os.ReadFile(filepath.Join(ours, name)); string(got) != files[name] {
			t.Errorf("%s changed:\n%s", name, got)
		}
	}
}

// TestTrackAcrossJunctionNeedsProjectRefs: a top-level project that keeps
// its refs inline cannot track elements of a junctioned project (their
// files are not its own); BuildStream 1.6.8 refuses it too.
func TestTrackAcrossJunctionNeedsProjectRefs(t *testing.T) {
	bs := buildstream16(t)
	repos := t.TempDir()
	twoCommitRepo(t, repos)
	files := map[string]string{
		"project.conf":          "name: top\nformat-version: 18\nelement-path: elements\n",
		"elements/junction.bst": "kind: junction\nsources:\n- kind: local\n  path: sub\n",
		"sub/project.conf":      "name: subproj\nformat-version: 18\nelement-path: elements\naliases:\n  r: file://" + repos + "/\n",
		"sub/elements/s.bst":    "kind: import\nsources:\n- kind: git\n  url: r:repo.git\n  track: master\n",
	}
	root := t.TempDir()
	ours, theirs := filepath.Join(root, "ours"), filepath.Join(root, "theirs")
	writeTree(t, files, ours, theirs)
	_, stderr, ok := bs16(t, bs, theirs, filepath.Join(root, "bs-home"), "track", "junction.bst:s.bst")
	if ok || !strings.Contains(stderr, "Untrackable sources") {
		t.Errorf("BuildStream 1.6.8 did not refuse to track across the junction:\n%s", stderr)
	}
	res := testbst.Run(t, ours, nil, "--no-colors", "track", "junction.bst:s.bst")
	res.AssertMainError(t, bsterr.DomainPipeline, "untrackable-sources")
	if got, _ := os.ReadFile(filepath.Join(ours, "sub/elements/s.bst")); string(got) != files["sub/elements/s.bst"] {
		t.Errorf("s.bst changed:\n%s", got)
	}
}

// TestNewRefAfterCommentsAgreesWithBuildStream tracks sources that have no
// ref and whose mapping ends with blank and comment lines: BuildStream
// 1.6.8 (ruamel.yaml's round trip) writes the new `ref` after them.
// testdata/comments holds bst's results, each checked against BuildStream.
// (A source mapping that ends with comments and a blank line before the
// next source is left out: BuildStream 1.6.8 fails to load it, KeyError
// 'url' in its provenance code.)
func TestNewRefAfterCommentsAgreesWithBuildStream(t *testing.T) {
	bs := buildstream16(t)
	repos := t.TempDir()
	_, c2 := twoCommitRepo(t, repos)
	src := "kind: import\nsources:\n- kind: git\n  url: r:repo.git\n"
	elements := map[string]string{
		"eol.bst":        src + "  track: master   # eol comment\n  # last comment\n",
		"blank.bst":      src + "  track: master\n\n  # after blank\nvariables:\n  x: y\n",
		"columns.bst":    src + "  track: master\n  # indented comment\n# top comment\nvariables:\n  x: y\n",
		"next-item.bst":  src + "  track: master\n  # end of first\n- kind: local\n  path: project.conf\n",
		"nested.bst":     src + "  track: master\n  submodules:\n    foo:\n      checkout: false\n      # inner comment\n  # outer comment\n",
		"blank-only.bst": src + "  track: master\n\nvariables:\n  x: y\n",
		"mixed.bst":      src + "  track: master\n  # c1\n\n  # c2\n\nvariables:\n  x: y\n",
		"eof-blank.bst":  src + "  track: master\n  # c1\n\n\n",
	}
	files := map[string]string{
		"project.conf": "name: comments\nformat-version: 18\nelement-path: elements\naliases:\n  r: file://" + repos + "/\n",
	}
	var names []string
	for name, text := range elements {
		files["elements/"+name] = text
		names = append(names, name)
	}
	sort.Strings(names)
	root := t.TempDir()
	ours, theirs := filepath.Join(root, "ours"), filepath.Join(root, "theirs")
	writeTree(t, files, ours, theirs)
	args := append([]string{"track"}, names...)
	if _, stderr, ok := bs16(t, bs, theirs, filepath.Join(root, "bs-home"), args...); !ok {
		t.Fatalf("BuildStream 1.6.8 %v failed:\n%s", args, stderr)
	}
	testbst.Run(t, ours, nil, append([]string{"--no-colors"}, args...)...).AssertSuccess(t)
	for _, name := range names {
		a, _ := os.ReadFile(filepath.Join(ours, "elements", name))
		b, _ := os.ReadFile(filepath.Join(theirs, "elements", name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs:\nbst:\n%s\nBuildStream 1.6.8:\n%s", name, a, b)
		}
		golden(t, "comments/"+name, a, map[string]string{"ref": c2})
	}
}
