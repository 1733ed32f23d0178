package pypi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/pypi"
	. "example.org/bst/internal/plugins/sources/unpack/unpacktest"
	"example.org/bst/internal/yamlnode"
)

// index is a PyPI-like server: the JSON API under /pypi/ and the files
// under /packages/.
type index struct {
	*downloadtest.Server
	projects map[string]any
}

func serveIndex(t *testing.T) *index {
	ix := &index{Server: downloadtest.Serve(t, map[string][]byte{}), projects: map[string]any{}}
	ix.Fail = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		name, ok := strings.CutPrefix(r.URL.Path, "/pypi/")
		if !ok {
			return false
		}
		name = strings.TrimSuffix(name, "/json")
		p, ok := ix.projects[name]
		if !ok {
			http.NotFound(w, r)
			return true
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(p)
		return true
	}
	return ix
}

// file adds a file under /packages/<suffix> and returns its API entry.
func (ix *index) file(suffix, kind string, data []byte, uploaded string) map[string]any {
	ix.Files["/packages/"+suffix] = data
	return map[string]any{
		"packagetype":          kind,
		"url":                  pypi.StorageRoot + suffix,
		"digests":              map[string]string{"sha256": downloadtest.SHA256(data), "md5": "x"},
		"upload_time_iso_8601": uploaded,
	}
}

// rawJSON keeps the releases in the order written.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

func releases(t *testing.T, pairs ...any) rawJSON {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < len(pairs); i += 2 {
		if i > 0 {
			b.WriteString(",")
		}
		k, _ := json.Marshal(pairs[i])
		v, err := json.Marshal(pairs[i+1])
		if err != nil {
			t.Fatal(err)
		}
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
	}
	b.WriteString("}")
	return rawJSON(b.String())
}

func newSource(t *testing.T, ix *index, config string) *pypi.Source {
	t.Helper()
	src, err := pypi.New(downloadtest.Spec(t, "pypi", 1, t.TempDir(), config))
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*pypi.Source)
	if ix != nil {
		s.Index = ix.URL + "/pypi/"
	}
	s.Backoff = func(int) time.Duration { return 0 }
	return s
}

func sdist(t *testing.T, version string) []byte {
	return TarGz(t,
		Entry{Name: "foo-" + version + "/"},
		Entry{Name: "foo-" + version + "/setup.py", Body: "version = " + version + "\n"},
		Entry{Name: "foo-" + version + "/PKG-INFO", Body: "Name: foo\n"},
	)
}

func refOf(t *testing.T, n yamlnode.Node) (string, string) {
	t.Helper()
	m, ok := n.(*yamlnode.Mapping)
	if !ok {
		t.Fatalf("ref %#v is not a mapping", n)
	}
	if len(m.Keys) != 2 || m.Keys[0] != "sha256sum" || m.Keys[1] != "suffix" {
		t.Errorf("ref keys %v", m.Keys)
	}
	sha, _ := m.StringDefault("sha256sum", "")
	suffix, _ := m.StringDefault("suffix", "")
	return sha, suffix
}

func TestTrackFetchStage(t *testing.T) {
	ix := serveIndex(t)
	v1, v2 := sdist(t, "1.0"), sdist(t, "2.0")
	ix.projects["foo"] = map[string]any{
		"info": map[string]any{"version": "1.0"},
		"releases": releases(t,
			"1.0", []any{
				ix.file("aa/bb/foo-1.0-py3-none-any.whl", "bdist_wheel", []byte("wheel"), "2020-01-01T00:00:00.000000Z"),
				ix.file("cc/dd/foo-1.0.tar.gz", "sdist", v1, "2020-01-01T00:00:00.000000Z"),
			},
			"2.0", []any{ix.file("ee/ff/foo-2.0.tar.gz", "sdist", v2, "2021-01-01T00:00:00Z")},
		),
	}
	env := downloadtest.Env(t)
	s := newSource(t, ix, "name: foo\nurl: "+ix.URL+"/packages/\n")
	if s.Ref() != nil || s.Cached(env) {
		t.Fatal("ref or cached before tracking")
	}
	ref, err := s.Track(context.Background(), env, "")
	if err != nil {
		t.Fatal(err)
	}
	sha, suffix := refOf(t, ref)
	if sha != downloadtest.SHA256(v1) || suffix != "cc/dd/foo-1.0.tar.gz" {
		t.Errorf("tracked %s %s: want info.version's sdist", sha, suffix)
	}
	s.SetRef(ref)
	if s.Cached(env) {
		t.Error("cached before fetching")
	}
	if err := s.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	if !s.Cached(env) {
		t.Fatal("not cached after fetching")
	}
	dir := t.TempDir()
	if err := s.Stage(context.Background(), env, dir); err != nil {
		t.Fatal(err)
	}
	want := "PKG-INFO file 0644 \"Name: foo\\n\"\nsetup.py file 0644 \"version = 1.0\\n\""
	if got := downloadtest.Snapshot(t, dir); got != want {
		t.Errorf("staged:\n%s\nwant:\n%s", got, want)
	}
	// The API was asked with the BuildStream User-Agent.
	if ua := ix.Requests()[0].Header.Get("User-Agent"); ua != "BuildStream/1" {
		t.Errorf("User-Agent %q", ua)
	}
}

func TestTrackIncludeExclude(t *testing.T) {
	ix := serveIndex(t)
	ix.projects["foo"] = map[string]any{
		"info": map[string]any{"version": "3.0"},
		"releases": releases(t,
			"2.8.0", []any{ix.file("a/foo-2.8.0.tar.gz", "sdist", sdist(t, "2.8.0"), "2020-01-01T00:00:00Z")},
			"2.8.1", []any{ix.file("a/foo-2.8.1.tar.gz", "sdist", sdist(t, "2.8.1"), "2020-06-01T00:00:00.5Z")},
			"2.8.2rc1", []any{ix.file("a/foo-2.8.2rc1.tar.gz", "sdist", sdist(t, "2.8.2rc1"), "2020-09-01T00:00:00Z")},
			"2.80", []any{ix.file("a/foo-2.80.tar.gz", "sdist", sdist(t, "2.80"), "2020-10-01T00:00:00Z")},
			"2.9.0", []any{ix.file("a/foo-2.9.0.whl", "bdist_wheel", []byte("w"), "2022-01-01T00:00:00Z")},
			"3.0", []any{ix.file("a/foo-3.0.tar.gz", "sdist", sdist(t, "3.0"), "2021-01-01T00:00:00Z")},
		),
	}
	for _, c := range []struct{ config, want string }{
		{"include: ['2\\.8(\\.|$)']\nexclude: ['.*rc.*']\n", "a/foo-2.8.1.tar.gz"},
		{"include: ['2\\.8']\n", "a/foo-2.80.tar.gz"}, // re.match anchors only the start
		{"exclude: ['3']\n", "a/foo-2.80.tar.gz"},     // 2.9.0 has no sdist: its time is the epoch
		{"include: ['2.9']\n", ""},                    // the newest match has no sdist
	} {
		s := newSource(t, ix, "name: foo\nurl: "+ix.URL+"/packages/\n"+c.config)
		ref, err := s.Track(context.Background(), downloadtest.Env(t), "")
		if c.want == "" {
			if bsterr.ReasonOf(err) != pypi.NoMatchingRelease {
				t.Errorf("%s: got %v, want no matching release", c.config, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.config, err)
			continue
		}
		if _, suffix := refOf(t, ref); suffix != c.want {
			t.Errorf("%s: tracked %s, want %s", c.config, suffix, c.want)
		}
	}
}

func TestTrackErrors(t *testing.T) {
	ix := serveIndex(t)
	ix.projects["empty"] = map[string]any{"info": map[string]any{"version": "1"}, "releases": map[string]any{}}
	ix.projects["wheels"] = map[string]any{"info": map[string]any{"version": "1"},
		"releases": releases(t, "1", []any{ix.file("w.whl", "bdist_wheel", []byte("w"), "2020-01-01T00:00:00Z")})}
	for _, c := range []struct {
		name   string
		reason bsterr.Reason
	}{
		{"empty", pypi.NoMatchingRelease},
		{"wheels", pypi.NoMatchingRelease},
		{"missing", "request-failed"},
	} {
		s := newSource(t, ix, "name: "+c.name+"\n")
		_, err := s.Track(context.Background(), downloadtest.Env(t), "")
		if bsterr.ReasonOf(err) != c.reason {
			t.Errorf("%s: got %v, want %s", c.name, err, c.reason)
		}
	}
}

func TestChecksumMismatch(t *testing.T) {
	ix := serveIndex(t)
	ix.Files["/packages/a/foo-1.0.tar.gz"] = sdist(t, "1.0")
	env := downloadtest.Env(t)
	bad := strings.Repeat("0", 64)
	s := newSource(t, ix, "name: foo\nurl: "+ix.URL+"/packages/\nref:\n  sha256sum: "+bad+"\n  suffix: a/foo-1.0.tar.gz\n")
	err := s.Fetch(context.Background(), env, "")
	if bsterr.ReasonOf(err) != download.ChecksumMismatch {
		t.Fatalf("got %v, want a checksum mismatch", err)
	}
	if !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), downloadtest.SHA256(ix.Files["/packages/a/foo-1.0.tar.gz"])) {
		t.Errorf("message lacks the digests: %v", err)
	}
	if s.Cached(env) {
		t.Error("cached after a mismatch")
	}
	if err := s.Stage(context.Background(), env, t.TempDir()); bsterr.ReasonOf(err) != download.StageFailed {
		t.Errorf("stage of an uncached source: %v", err)
	}
}

func TestZipAndAlias(t *testing.T) {
	ix := serveIndex(t)
	data := Zip(t, Entry{Name: "foo-1.0/"}, Entry{Name: "foo-1.0/setup.py", Body: "s\n"})
	ix.Files["/packages/z/foo-1.0.zip"] = data
	env := downloadtest.Env(t)
	var asked []string
	env.URLs = func(u string) []string {
		asked = append(asked, u)
		return []string{strings.Replace(u, "pypi:", ix.URL+"/packages/", 1)}
	}
	s := newSource(t, ix, "name: foo\nurl: 'pypi:'\nref:\n  sha256sum: "+downloadtest.SHA256(data)+"\n  suffix: z/foo-1.0.zip\n")
	if err := s.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0] != "pypi:z/foo-1.0.zip" {
		t.Errorf("URLs asked for %v", asked)
	}
	dir := t.TempDir()
	if err := s.Stage(context.Background(), env, dir); err != nil {
		t.Fatal(err)
	}
	if got := downloadtest.Snapshot(t, dir); got != "setup.py file 0644 \"s\\n\"" {
		t.Errorf("staged %s", got)
	}
}

func TestConfigure(t *testing.T) {
	for _, c := range []string{
		"url: x\n",                    // no name
		"name: foo\ninclude: ['(']\n", // bad pattern
		"name: foo\nref:\n  sha256sum: a\n  other: b\n", // unknown ref key
	} {
		if _, err := pypi.New(downloadtest.Spec(t, "pypi", 1, t.TempDir(), c)); err == nil {
			t.Errorf("%q: no error", c)
		}
	}
	s := newSource(t, nil, "name: foo\nref:\n  sha256sum: abc\n  suffix: a/b.tar.gz\n")
	sha, suffix := refOf(t, s.Ref())
	if sha != "abc" || suffix != "a/b.tar.gz" {
		t.Errorf("ref %s %s", sha, suffix)
	}
	var _ plugin.Source = s
}
