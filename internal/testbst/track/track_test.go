package track

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/testbst"
)

var update = flag.Bool("update", false, "rewrite the want/ files of testdata/*.txtar with what bst writes")

const httpBackend = "/usr/lib/git-core/git-http-backend"

// upstream is a repository `repo` under root: commits one, two and three
// on main; v1.0 (annotated) tags one and light (lightweight) tags two.
type upstream struct {
	root    string
	commits []string // one, two, three
}

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	u := &upstream{root: t.TempDir()}
	dir := filepath.Join(u.root, "repo")
	home := t.TempDir()
	git := func(date string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.org", "GIT_AUTHOR_DATE=" + date,
			"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.org", "GIT_COMMITTER_DATE=" + date}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	git("", "init", "-q", "-b", "main")
	for i, name := range []string{"one", "two", "three"} {
		date := "@" + strconv.Itoa(1700000000+100*i) + " +0000"
		if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		git(date, "add", name+".txt")
		git(date, "commit", "-q", "-m", name)
		u.commits = append(u.commits, git(date, "rev-parse", "HEAD"))
		switch name {
		case "one":
			git(date, "tag", "-a", "v1.0", "-m", "version 1.0")
		case "two":
			git(date, "tag", "light")
		}
	}
	return u
}

// mask replaces the commits in text with @c1@, @c2@ and @c3@.
func (u *upstream) mask(text string) string {
	for i, c := range u.commits {
		text = strings.ReplaceAll(text, c, "@c"+strconv.Itoa(i+1)+"@")
	}
	return text
}

// transports serve the upstream root; each returns the URL of the root.
var transports = []struct {
	name  string
	serve func(t *testing.T, root string) string
}{
	{"file", func(t *testing.T, root string) string { return "file://" + root }},
	{"http", func(t *testing.T, root string) string {
		if _, err := os.Stat(httpBackend); err != nil {
			t.Skipf("git http-backend not available (%v)", err)
		}
		srv := httptest.NewServer(&cgi.Handler{
			Path: httpBackend,
			Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
		})
		t.Cleanup(srv.Close)
		return srv.URL
	}},
}

// cases are the testdata archives, the elements they track (in this
// order) and whether each element's source is tracked with its tags.
var cases = []struct {
	archive string
	targets []string
	tagged  map[string]bool
}{
	{"inline", []string{"tags.bst", "describe.bst", "plain.bst"}, map[string]bool{"tags.bst": true, "describe.bst": true}},
	{"project_refs", []string{"tags.bst", "plain.bst"}, map[string]bool{"tags.bst": true}},
}

func TestTrack2xGit(t *testing.T) {
	for _, tr := range transports {
		for _, c := range cases {
			t.Run(tr.name+"/"+c.archive, func(t *testing.T) {
				u := newUpstream(t)
				base := tr.serve(t, u.root)
				archive := filepath.Join("testdata", c.archive+".txtar")
				ar, err := txtar.ParseFile(archive)
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				for _, f := range ar.Files {
					if strings.HasPrefix(f.Name, "want/") {
						continue
					}
					path := filepath.Join(dir, f.Name)
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					data := bytes.ReplaceAll(f.Data, []byte("@UPSTREAM@"), []byte(base))
					if err := os.WriteFile(path, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}

				args := append([]string{"--no-colors", "source", "track"}, c.targets...)
				testbst.Run(t, dir, nil, args...).AssertSuccess(t)
				checkWritten(t, u, ar, archive, dir)

				// A second run finds nothing to change and writes nothing.
				before := snapshot(t, dir)
				res := testbst.Run(t, dir, nil, args...)
				res.AssertSuccess(t)
				if strings.Contains(res.Stderr, "Updated refs") {
					t.Errorf("second track updated refs:\n%s", res.Stderr)
				}
				if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
					t.Errorf("second track changed files")
				}

				for _, el := range c.targets {
					checkKey(t, u, dir, el, c.tagged[el])
				}
				checkStaged(t, u, dir, c.targets)
			})
		}
	}
}

// TestTrack2xJunctionRefs tracks elements of a junctioned subproject into
// the top-level project's project.refs (testdata/junction_refs.txtar).
func TestTrack2xJunctionRefs(t *testing.T) {
	u := newUpstream(t)
	archive := filepath.Join("testdata", "junction_refs.txtar")
	ar, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "want/") {
			continue
		}
		path := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, bytes.ReplaceAll(f.Data, []byte("@UPSTREAM@"), []byte("file://"+u.root)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"--no-colors", "source", "track", "junction.bst:tags.bst", "junction.bst:plain.bst"}
	testbst.Run(t, dir, nil, args...).AssertSuccess(t)
	checkWritten(t, u, ar, archive, dir)
	before := snapshot(t, dir)
	res := testbst.Run(t, dir, nil, args...)
	res.AssertSuccess(t)
	if strings.Contains(res.Stderr, "Updated refs") {
		t.Errorf("second track updated refs:\n%s", res.Stderr)
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("second track changed files")
	}

	// A top-level project that keeps its refs inline cannot track the
	// subproject's elements (BuildStream 2's _track_cross_junction_filter).
	conf, err := os.ReadFile(filepath.Join(dir, "project.conf"))
	if err != nil {
		t.Fatal(err)
	}
	inline := bytes.Replace(conf, []byte("ref-storage: project.refs\n"), nil, 1)
	if err := os.WriteFile(filepath.Join(dir, "project.conf"), inline, 0o644); err != nil {
		t.Fatal(err)
	}
	testbst.Run(t, dir, nil, args...).AssertMainError(t, bsterr.DomainStream, "untrackable-sources")
}

// checkWritten compares the files the archive's want/ section names with
// what tracking left in dir, commits masked.
func checkWritten(t *testing.T, u *upstream, ar *txtar.Archive, archive, dir string) {
	t.Helper()
	changed := false
	for i, f := range ar.Files {
		rel, ok := strings.CutPrefix(f.Name, "want/")
		if !ok {
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		masked := u.mask(string(got))
		if *update {
			if string(ar.Files[i].Data) != masked {
				ar.Files[i].Data = []byte(masked)
				changed = true
			}
			continue
		}
		if masked != string(f.Data) {
			t.Errorf("%s after tracking:\n%s\nwant:\n%s", rel, masked, f.Data)
		}
	}
	if changed {
		if err := os.WriteFile(archive, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, rel := range []string{"project.refs", "elements/tags.bst", "elements/describe.bst", "elements/plain.bst"} {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err == nil {
			out[rel] = string(data)
		}
	}
	return out
}

// checkKey checks the source part of el's cache key dictionaries against
// BuildStream 2's shape, spelled out here: the element's `sources` are
// [{"key": <unique key>, "name": <kind>, "directory"?: <dir>}]
// (_elementsources.py get_unique_key), and buildstream-plugins' git unique
// key is [url as written, commit (the ref after its last "-g"),
// {"tags": {tag: [commit, annotated]}} when there are tags] (git.py
// get_unique_key). Each printed key must be the SHA-256 of the printed
// dictionary.
func checkKey(t *testing.T, u *upstream, dir, el string, tagged bool) {
	t.Helper()
	res := testbst.Run(t, dir, map[string]string{"BST_DEBUG": "cachekey"},
		"--no-colors", "show", "--deps", "none", "--format", "%{name} %{full-key}", el)
	res.AssertSuccess(t)
	unique := []any{"upstream:repo", u.commits[2]}
	if tagged {
		unique = append(unique, map[string]any{"tags": map[string]any{
			"v1.0":  []any{u.commits[0], true},
			"light": []any{u.commits[1], false},
		}})
	}
	source := map[string]any{"key": unique, "name": "git"}
	if el == "plain.bst" {
		source["directory"] = "src"
	}
	want := []any{source}

	seen := 0
	for _, line := range strings.Split(res.Stderr, "\n") {
		rest, ok := strings.CutPrefix(line, "cachekey ")
		if !ok {
			continue
		}
		key, rest, _ := strings.Cut(rest, " ")
		name, dict, ok := strings.Cut(rest, "\" ")
		if !ok || !strings.HasPrefix(name, "\""+el+" (") {
			continue
		}
		seen++
		sum := sha256.Sum256([]byte(dict))
		if hex.EncodeToString(sum[:]) != key {
			t.Errorf("%s: key %s is not the SHA-256 of %s", el, key, dict)
		}
		var d map[string]any
		if err := json.Unmarshal([]byte(dict), &d); err != nil {
			t.Fatalf("%s: %v in %s", el, err, dict)
		}
		if !reflect.DeepEqual(d["sources"], want) {
			got, _ := json.Marshal(d["sources"])
			exp, _ := json.Marshal(want)
			t.Errorf("%s%s: sources\n%s\nwant\n%s", el, name[len(el)+1:], u.mask(string(got)), u.mask(string(exp)))
		}
	}
	if seen != 2 {
		t.Errorf("%s: %d cache key dictionaries printed, want the weak and the strict one:\n%s", el, seen, res.Stderr)
	}
}

// checkStaged fetches the tracked sources into an empty cache and checks
// them out: with tags, the checkout is a repository at the third commit
// holding both tags (v1.0 as an annotated tag object, light as a plain
// ref) so that `git describe` gives what it gives upstream; without, there
// is no .git.
func checkStaged(t *testing.T, u *upstream, dir string, targets []string) {
	t.Helper()
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	fetch := append([]string{"--no-colors", "source", "fetch", "--deps", "none"}, targets...)
	testbst.Run(t, dir, env, fetch...).AssertSuccess(t)
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GIT_CONFIG_NOSYSTEM=1"}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %s in %s: %v", strings.Join(args, " "), dir, err)
		}
		return strings.TrimSpace(string(out))
	}
	for _, el := range targets {
		// `source checkout` stages each element under its normal name.
		co := t.TempDir()
		testbst.Run(t, dir, env, "--no-colors", "source", "checkout", "--deps", "none", "--directory", co, el).AssertSuccess(t)
		root := filepath.Join(co, strings.TrimSuffix(el, ".bst"))
		if el == "plain.bst" {
			root = filepath.Join(root, "src")
		}
		if data, err := os.ReadFile(filepath.Join(root, "three.txt")); err != nil || string(data) != "three\n" {
			t.Errorf("%s: three.txt: %q, %v", el, data, err)
		}
		_, err := os.Stat(filepath.Join(root, ".git"))
		if el == "plain.bst" {
			if err == nil {
				t.Errorf("%s: staged with a .git but it has no tags", el)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: no .git staged: %v", el, err)
			continue
		}
		for _, c := range []struct{ args []string }{
			{[]string{"rev-parse", "HEAD"}},
			{[]string{"describe", "--abbrev=40"}},
			{[]string{"describe", "--tags", "--abbrev=40"}},
			{[]string{"cat-file", "-t", "v1.0"}},
			{[]string{"cat-file", "-t", "light"}},
			{[]string{"rev-parse", "v1.0^{commit}", "light^{commit}"}},
		} {
			got := git(root, c.args...)
			want := git(filepath.Join(u.root, "repo"), c.args...)
			if got != want {
				t.Errorf("%s: git %s: %q, upstream %q", el, strings.Join(c.args, " "), got, want)
			}
		}
		tags := strings.Fields(git(root, "tag", "--list"))
		sort.Strings(tags)
		if strings.Join(tags, " ") != "light v1.0" {
			t.Errorf("%s: staged tags %v, want light and v1.0", el, tags)
		}
	}
}
