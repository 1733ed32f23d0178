package docker_test

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/docker"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/hostexec"
	. "example.org/bst/internal/plugins/sources/unpack/unpacktest"
	"example.org/bst/internal/yamlnode"
)

// registry is a Docker Registry API v2 server: manifests by image and
// tag or digest, blobs by digest, optional Bearer token auth.
type registry struct {
	*httptest.Server
	mu        sync.Mutex
	manifests map[string][]byte // "<image>@<tag or digest>"
	blobs     map[string][]byte
	corrupt   map[string]bool // blobs served with wrong content
	token     string          // required when set
	noDigest  bool            // omit Docker-Content-Digest
	requests  []string
}

func serveRegistry(t *testing.T) *registry {
	r := &registry{manifests: map[string][]byte{}, blobs: map[string][]byte{}, corrupt: map[string]bool{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.handle))
	t.Cleanup(r.Close)
	return r
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func (r *registry) handle(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, req.URL.Path)
	if req.URL.Path == "/token" {
		if req.URL.Query().Get("scope") == "" || req.URL.Query().Get("service") != "test-registry" {
			http.Error(w, "bad token request", http.StatusBadRequest)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"token": r.token})
		return
	}
	if r.token != "" && req.Header.Get("Authorization") != "Bearer "+r.token {
		w.Header().Set("Www-Authenticate", `Bearer realm="`+r.URL+`/token",service="test-registry",scope="repository:library/alpine:pull,push"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	rest, ok := strings.CutPrefix(req.URL.Path, "/v2/")
	if !ok {
		http.NotFound(w, req)
		return
	}
	if i := strings.LastIndex(rest, "/manifests/"); i >= 0 {
		body, ok := r.manifests[rest[:i]+"@"+rest[i+len("/manifests/"):]]
		if !ok {
			http.NotFound(w, req)
			return
		}
		var m struct{ MediaType string }
		json.Unmarshal(body, &m)
		w.Header().Set("Content-Type", m.MediaType)
		if !r.noDigest {
			w.Header().Set("Docker-Content-Digest", digestOf(body))
		}
		w.Write(body)
		return
	}
	if i := strings.LastIndex(rest, "/blobs/"); i >= 0 {
		d := rest[i+len("/blobs/"):]
		body, ok := r.blobs[d]
		if !ok {
			http.NotFound(w, req)
			return
		}
		if r.corrupt[d] {
			body = append([]byte("corrupt"), body...)
		}
		w.Write(body)
		return
	}
	http.NotFound(w, req)
}

// push stores layers and an image manifest under image:tag; it returns
// the manifest's digest.
func (r *registry) push(image, tag string, layers ...[]byte) string {
	type layer struct {
		MediaType string `json:"mediaType"`
		Size      int    `json:"size"`
		Digest    string `json:"digest"`
	}
	m := struct {
		SchemaVersion int     `json:"schemaVersion"`
		MediaType     string  `json:"mediaType"`
		Layers        []layer `json:"layers"`
	}{2, "application/vnd.docker.distribution.manifest.v2+json", nil}
	for _, l := range layers {
		d := digestOf(l)
		r.blobs[d] = l
		m.Layers = append(m.Layers, layer{"application/vnd.docker.image.rootfs.diff.tar.gzip", len(l), d})
	}
	body, _ := json.MarshalIndent(m, "", "   ")
	d := digestOf(body)
	r.manifests[image+"@"+d] = body
	if tag != "" {
		r.manifests[image+"@"+tag] = body
	}
	return d
}

// pushList stores a manifest list of (architecture, digest) pairs.
func (r *registry) pushList(image, tag string, archs ...string) string {
	type entry struct {
		Digest   string            `json:"digest"`
		Platform map[string]string `json:"platform"`
	}
	l := struct {
		SchemaVersion int     `json:"schemaVersion"`
		MediaType     string  `json:"mediaType"`
		Manifests     []entry `json:"manifests"`
	}{SchemaVersion: 2, MediaType: "application/vnd.docker.distribution.manifest.list.v2+json"}
	for i := 0; i < len(archs); i += 2 {
		l.Manifests = append(l.Manifests, entry{archs[i+1], map[string]string{"architecture": archs[i], "os": "linux"}})
	}
	body, _ := json.Marshal(l)
	r.manifests[image+"@"+tag] = body
	r.manifests[image+"@"+digestOf(body)] = body
	return digestOf(body)
}

func (r *registry) requestCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests)
}

func env(t *testing.T) *plugin.SourceEnv {
	e := downloadtest.Env(t)
	e.Exec = hostexec.New(e.Log, nil)
	return e
}

func newSource(t *testing.T, gen int, config string) *docker.Source {
	t.Helper()
	src, err := docker.New(downloadtest.Spec(t, "docker", gen, t.TempDir(), config))
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*docker.Source)
	s.Backoff = func(int) time.Duration { return 0 }
	return s
}

func layers(t *testing.T) ([]byte, []byte) {
	l1 := TarGz(t,
		Entry{Name: "bin/"},
		Entry{Name: "bin/sh", Body: "#!sh", Mode: 0o755},
		Entry{Name: "bin/sh2", Type: tar.TypeLink, Link: "bin/sh", Mode: 0o755},
		Entry{Name: "dev/", Mode: 0o755},
		Entry{Name: "dev/null", Type: tar.TypeChar},
		Entry{Name: "dev/stray", Body: "x"},
		Entry{Name: "etc/"},
		Entry{Name: "etc/os-release", Body: "v1", Mode: 0o600},
		Entry{Name: "etc/keep", Body: "k"},
		Entry{Name: "lib/"},
		Entry{Name: "lib/x", Body: "x"},
		Entry{Name: "opt/"},
		Entry{Name: "opt/old/"},
		Entry{Name: "opt/old/f", Body: "f"},
		Entry{Name: "var/"},
		Entry{Name: "var/cache/"},
		Entry{Name: "var/cache/a", Body: "a"},
	)
	l2 := TarGz(t,
		Entry{Name: "./etc/os-release", Body: "v2"},
		Entry{Name: "opt/.wh.old", Body: ""},
		Entry{Name: "var/cache/.wh..wh..opq", Body: ""},
		Entry{Name: "var/cache/b", Body: "b"},
		Entry{Name: "lib", Type: tar.TypeSymlink, Link: "usr/lib"},
		Entry{Name: "usr/lib/y", Body: "y"},
	)
	return l1, l2
}

const merged = `bin dir 0755
bin/sh file 0755 "#!sh"
bin/sh2 file 0755 "#!sh"
dev dir 0755
etc dir 0755
etc/keep file 0644 "k"
etc/os-release file 0644 "v2"
lib link -> usr/lib
opt dir 0755
usr dir 0755
usr/lib dir 0755
usr/lib/y file 0644 "y"
var dir 0755
var/cache dir 0755
var/cache/b file 0644 "b"`

func TestTrackFetchStage(t *testing.T) {
	for _, gen := range []int{1, 2} {
		r := serveRegistry(t)
		l1, l2 := layers(t)
		digest := r.push("library/alpine", "3.18", l1, l2)
		e := env(t)
		s := newSource(t, gen, "registry-url: "+r.URL+"\nimage: library/alpine\ntrack: '3.18'\n")
		if s.Ref() != nil || s.Cached(e) {
			t.Fatal("ref before tracking")
		}
		ref, err := s.Track(context.Background(), e, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := ref.(*yamlnode.Scalar).Str(); "sha256:"+got != digest {
			t.Fatalf("tracked %s, want %s", got, digest)
		}
		s.SetRef(ref)
		if err := s.Fetch(context.Background(), e, ""); err != nil {
			t.Fatal(err)
		}
		if !s.Cached(e) {
			t.Fatal("not cached after fetching")
		}
		n := r.requestCount()
		if err := s.Fetch(context.Background(), e, ""); err != nil || r.requestCount() != n {
			t.Errorf("second fetch: %v, %d requests", err, r.requestCount()-n)
		}
		for _, name := range []string{digest + ".manifest.json", digestOf(l1) + ".tar.gz", digestOf(l2) + ".tar.gz"} {
			if _, err := os.Stat(filepath.Join(e.SourceDir, "docker", name)); err != nil {
				t.Errorf("mirror lacks %s", name)
			}
		}
		dir := t.TempDir()
		if err := s.Stage(context.Background(), e, dir); err != nil {
			t.Fatal(err)
		}
		if got := downloadtest.Snapshot(t, dir); got != merged {
			t.Errorf("gen %d staged:\n%s\nwant:\n%s", gen, got, merged)
		}
	}
}

func TestModes(t *testing.T) {
	r := serveRegistry(t)
	l := TarGz(t, Entry{Name: "a", Body: "a", Mode: 0o4711}, Entry{Name: "b", Body: "b", Mode: 0o640}, Entry{Name: "d/", Mode: 0o700})
	digest := r.push("img", "", l)
	want := map[int]string{
		1: "a file 4711 \"a\"\nb file 0640 \"b\"\nd dir 0700",
		2: "a file 0755 \"a\"\nb file 0644 \"b\"\nd dir 0755",
	}
	for gen := 1; gen <= 2; gen++ {
		e := env(t)
		s := newSource(t, gen, "registry-url: "+r.URL+"\nimage: img\nref: "+strings.TrimPrefix(digest, "sha256:")+"\n")
		if err := s.Fetch(context.Background(), e, ""); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := s.Stage(context.Background(), e, dir); err != nil {
			t.Fatal(err)
		}
		got := downloadtest.Snapshot(t, dir)
		got = strings.Replace(got, "a file 0711", "a file 4711", 1)
		if fi, _ := os.Stat(filepath.Join(dir, "a")); gen == 1 && fi.Mode()&os.ModeSetuid == 0 {
			t.Error("gen 1 lost setuid")
		}
		if got != want[gen] {
			t.Errorf("gen %d:\n%s\nwant:\n%s", gen, got, want[gen])
		}
	}
}

func TestTokenAuthAndManifestList(t *testing.T) {
	r := serveRegistry(t)
	r.token = "s3cret"
	amd := r.push("library/alpine", "", TarGz(t, Entry{Name: "arch", Body: "amd64"}))
	arm := r.push("library/alpine", "", TarGz(t, Entry{Name: "arch", Body: "arm64"}))
	r.pushList("library/alpine", "latest", "arm64", arm, "amd64", amd)
	e := env(t)
	for arch, want := range map[string]string{"amd64": amd, "arm64": arm} {
		s := newSource(t, 2, "registry-url: "+r.URL+"\nimage: library/alpine\ntrack: latest\narchitecture: "+arch+"\n")
		ref, err := s.Track(context.Background(), e, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := "sha256:" + ref.(*yamlnode.Scalar).Str(); got != want {
			t.Errorf("%s: tracked %s, want %s", arch, got, want)
		}
		s.SetRef(ref)
		if err := s.Fetch(context.Background(), e, ""); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := s.Stage(context.Background(), e, dir); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "arch")); string(b) != arch {
			t.Errorf("%s: staged %q", arch, b)
		}
	}
	r.mu.Lock()
	asked := strings.Join(r.requests, " ")
	r.mu.Unlock()
	if strings.Count(asked, "/token") != 2 {
		t.Errorf("want one token per source (client), got requests %s", asked)
	}
	s := newSource(t, 2, "registry-url: "+r.URL+"\nimage: library/alpine\ntrack: latest\narchitecture: s390x\n")
	_, err := s.Track(context.Background(), e, "")
	if bsterr.ReasonOf(err) != docker.ManifestError || !strings.Contains(err.Error(), "s390x") {
		t.Errorf("unknown architecture: %v", err)
	}
}

func TestURLFormAndAlias(t *testing.T) {
	r := serveRegistry(t)
	digest := r.push("freedesktop-sdk/seed", "", TarGz(t, Entry{Name: "f", Body: "f"}))
	e := env(t)
	e.URLs = func(u string) []string { return []string{strings.Replace(u, "reg:", r.URL+"/", 1)} }
	hexd := strings.TrimPrefix(digest, "sha256:")
	for _, config := range []string{
		"url: reg:freedesktop-sdk/seed\nref: " + hexd + "\n",
		"registry-url: 'reg:'\nimage: freedesktop-sdk/seed\nref: " + hexd + "\n",
	} {
		s := newSource(t, 2, config)
		if err := s.Fetch(context.Background(), e, ""); err != nil {
			t.Fatalf("%s: %v", config, err)
		}
		if !s.Cached(e) {
			t.Errorf("%s: not cached", config)
		}
	}
}

func TestCorruption(t *testing.T) {
	r := serveRegistry(t)
	l := TarGz(t, Entry{Name: "f", Body: "f"})
	digest := r.push("img", "", l)
	r.corrupt[digestOf(l)] = true
	e := env(t)
	s := newSource(t, 2, "registry-url: "+r.URL+"\nimage: img\nref: "+strings.TrimPrefix(digest, "sha256:")+"\n")
	err := s.Fetch(context.Background(), e, "")
	if bsterr.ReasonOf(err) != docker.BlobCorrupt || !strings.Contains(err.Error(), digestOf(l)) {
		t.Errorf("corrupt blob: %v", err)
	}
	if s.Cached(e) {
		t.Error("cached after a corrupt blob")
	}
	ents, _ := os.ReadDir(filepath.Join(e.SourceDir, "docker"))
	for _, ent := range ents {
		t.Errorf("mirror holds %s after a corrupt blob", ent.Name())
	}
	if err := s.Stage(context.Background(), e, t.TempDir()); bsterr.ReasonOf(err) != docker.NotCached {
		t.Errorf("stage of an unfetched image: %v", err)
	}
	// A ref the registry does not have.
	s = newSource(t, 2, "registry-url: "+r.URL+"\nimage: img\nref: "+strings.Repeat("0", 64)+"\n")
	if err := s.Fetch(context.Background(), e, ""); bsterr.ReasonOf(err) != "request-failed" {
		t.Errorf("unknown digest: %v", err)
	}
	// A server whose digest header lies.
	r.noDigest = false
	r.manifests["img@lie"] = []byte(`{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "layers": []}`)
	r.manifests["img@"+digestOf(r.manifests["img@lie"])] = r.manifests["img@lie"]
	s = newSource(t, 2, "registry-url: "+r.URL+"\nimage: img\ntrack: lie\n")
	if _, err := s.Track(context.Background(), e, ""); err != nil {
		t.Errorf("manifest with a true digest: %v", err)
	}
	// Staging refuses a blob changed on disk.
	s = newSource(t, 2, "registry-url: "+r.URL+"\nimage: img\nref: "+strings.TrimPrefix(digest, "sha256:")+"\n")
	r.corrupt = map[string]bool{}
	if err := s.Fetch(context.Background(), e, ""); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(e.SourceDir, "docker", digestOf(l)+".tar.gz"), []byte("changed"), 0o644)
	if err := s.Stage(context.Background(), e, t.TempDir()); bsterr.ReasonOf(err) != docker.BlobCorrupt {
		t.Errorf("stage of a changed blob: %v", err)
	}
}

func TestConfigure(t *testing.T) {
	for _, c := range []struct {
		gen    int
		config string
	}{
		{1, "url: x\nimage: a\nref: b\n"},
		{1, "image: a\n"},
		{2, "url: x\nimage: a\n"},
		{2, "track: latest\n"},
	} {
		if _, err := docker.New(downloadtest.Spec(t, "docker", c.gen, t.TempDir(), c.config)); bsterr.ReasonOf(err) != docker.BadConfig {
			t.Errorf("gen %d %q: %v", c.gen, c.config, err)
		}
	}
	s := newSource(t, 2, "image: a\n")
	if s.Ref() != nil {
		t.Error("ref without one")
	}
	if err := s.Fetch(context.Background(), env(t), ""); bsterr.ReasonOf(err) != download.NoRef {
		t.Errorf("fetch without ref: %v", err)
	}
	if ref, err := s.Track(context.Background(), env(t), ""); ref != nil || err != nil {
		t.Errorf("track without track: %v %v", ref, err)
	}
}
