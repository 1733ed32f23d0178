package cargo_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/cargo"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/hostexec"
	"example.org/bst/internal/plugins/sources/repotest"
	. "example.org/bst/internal/plugins/sources/unpack/unpacktest"
	"example.org/bst/internal/yamlnode"
)

// registry serves crates at /crates/<name>/<name>-<version>.crate.
type registry struct {
	*downloadtest.Server
	t *testing.T
}

func serveRegistry(t *testing.T) *registry {
	return &registry{Server: downloadtest.Serve(t, map[string][]byte{}), t: t}
}

// add publishes a crate and returns its sha256.
func (r *registry) add(name, version string) string {
	dir := name + "-" + version
	data := TarGz(r.t,
		Entry{Name: dir + "/Cargo.toml", Body: "[package]\nname = \"" + name + "\"\nversion = \"" + version + "\"\n"},
		Entry{Name: dir + "/src/lib.rs", Body: "// " + name + "\n"},
	)
	r.Files["/crates/"+name+"/"+dir+".crate"] = data
	return downloadtest.SHA256(data)
}

func env(t *testing.T) *plugin.SourceEnv {
	e := downloadtest.Env(t)
	e.Exec = hostexec.New(e.Log, repotest.Env(t.TempDir()))
	return e
}

func newSource(t *testing.T, kind string, gen int, config string) *cargo.Source {
	t.Helper()
	ctor := cargo.New
	if kind == "cargo2" {
		ctor = cargo.NewCargo2
	}
	src, err := ctor(downloadtest.Spec(t, kind, gen, t.TempDir(), config))
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*cargo.Source)
	s.Backoff = func(int) time.Duration { return 0 }
	return s
}

// previous writes files into a directory standing for the earlier
// sources.
func previous(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// dump renders a ref in block style, keeping key order.
func dump(n yamlnode.Node) string {
	var b strings.Builder
	var walk func(n yamlnode.Node, indent string, inList bool)
	walk = func(n yamlnode.Node, indent string, inList bool) {
		switch x := n.(type) {
		case *yamlnode.Sequence:
			for _, it := range x.Items {
				b.WriteString(indent + "- ")
				walk(it, indent+"  ", true)
			}
		case *yamlnode.Mapping:
			for i, k := range x.Keys {
				if i > 0 || !inList {
					b.WriteString(indent)
				}
				b.WriteString(k + ":")
				if sc, ok := x.Vals[i].(*yamlnode.Scalar); ok {
					b.WriteString(" " + sc.Value + "\n")
					continue
				}
				b.WriteString("\n")
				walk(x.Vals[i], indent+"  ", false)
			}
		case *yamlnode.Scalar:
			b.WriteString(x.Value + "\n")
		}
	}
	walk(n, "", false)
	return strings.TrimSpace(b.String())
}

const reg = `"registry+https://github.com/rust-lang/crates.io-index"`

func TestCargoTrackFetchStage(t *testing.T) {
	for _, gen := range []int{1, 2} {
		r := serveRegistry(t)
		shaA, shaB := r.add("adler", "1.0.2"), r.add("base64", "0.22.1")
		lock := "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"adler\",\n \"base64\",\n]\n\n" +
			"[[package]]\nname = \"base64\"\nversion = \"0.22.1\"\nsource = " + reg + "\nchecksum = \"" + shaB + "\"\n\n" +
			"[[package]]\nname = \"adler\"\nversion = \"1.0.2\"\nsource = " + reg + "\n"
		prev := previous(t, map[string]string{"src/Cargo.lock": lock})
		e := env(t)
		s := newSource(t, "cargo", gen, "url: "+r.URL+"/crates\ncargo-lock: src/Cargo.lock\nvendor-dir: vendor\n")
		if s.Ref() != nil || s.Cached(e) {
			t.Fatal("ref before tracking")
		}
		ref, err := s.Track(context.Background(), e, prev)
		if err != nil {
			t.Fatal(err)
		}
		want := "- name: adler\n  version: 1.0.2\n  sha: " + shaA + "\n- name: base64\n  version: 0.22.1\n  sha: " + shaB
		if got := dump(ref); got != want {
			t.Errorf("gen %d tracked:\n%s\nwant:\n%s", gen, got, want)
		}
		// adler has no checksum: tracking downloaded it, base64 not yet.
		if n := len(r.Requests()); n != 1 {
			t.Errorf("tracking made %d requests, want 1", n)
		}
		s.SetRef(ref)
		if s.Cached(e) {
			t.Error("cached with base64 not downloaded")
		}
		if err := s.Fetch(context.Background(), e, ""); err != nil {
			t.Fatal(err)
		}
		if !s.Cached(e) || len(r.Requests()) != 2 {
			t.Errorf("cached %v after %d requests", s.Cached(e), len(r.Requests()))
		}
		dir := t.TempDir()
		if err := s.Stage(context.Background(), e, dir); err != nil {
			t.Fatal(err)
		}
		config, _ := os.ReadFile(filepath.Join(dir, ".cargo", "config"))
		registryURL := r.URL + "/crates"
		if gen == 2 {
			registryURL += "/"
		}
		wantConfig := "[source.crates-io]\nregistry = \"" + registryURL + "\"\nreplace-with = \"vendored-sources\"\n" +
			"[source.vendored-sources]\ndirectory = \"vendor\"\n"
		if string(config) != wantConfig {
			t.Errorf("gen %d .cargo/config:\n%s\nwant:\n%s", gen, config, wantConfig)
		}
		sum, _ := os.ReadFile(filepath.Join(dir, "vendor", "adler-1.0.2", ".cargo-checksum.json"))
		if string(sum) != `{"package": "`+shaA+`", "files": {}}` {
			t.Errorf("checksum file %s", sum)
		}
		if lib, _ := os.ReadFile(filepath.Join(dir, "vendor", "base64-0.22.1", "src", "lib.rs")); string(lib) != "// base64\n" {
			t.Errorf("base64 not staged: %q", lib)
		}
	}
}

func TestCargoURLs(t *testing.T) {
	r := serveRegistry(t)
	sha := r.add("adler", "1.0.2")
	e := env(t)
	var asked []string
	e.URLs = func(u string) []string {
		asked = append(asked, u)
		if rest, ok := strings.CutPrefix(u, "crates:crates"); ok {
			return []string{r.URL + "/crates" + rest}
		}
		return []string{strings.Replace(u, "crates:", r.URL+"/crates/", 1)}
	}
	ref := "ref:\n- name: adler\n  version: 1.0.2\n  sha: " + sha + "\n"
	// 1.x joins with '/'; 2.x adds no '/' after an alias's ':'.
	for gen, config := range map[int]string{1: "url: crates:crates\n", 2: "url: 'crates:'\n"} {
		asked = nil
		s := newSource(t, "cargo", gen, config+ref)
		if err := s.Fetch(context.Background(), e, ""); err != nil {
			t.Fatal(err)
		}
		want := map[int]string{1: "crates:crates/adler/adler-1.0.2.crate", 2: "crates:adler/adler-1.0.2.crate"}[gen]
		if len(asked) == 0 || asked[0] != want {
			t.Errorf("gen %d asked for %v, want %s", gen, asked, want)
		}
	}
}

func TestCargo2ProvenanceKept(t *testing.T) {
	r := serveRegistry(t)
	sha := r.add("adler", "1.0.2")
	prev := previous(t, map[string]string{"Cargo.lock": "[[package]]\nname = \"adler\"\nversion = \"1.0.2\"\nsource = " + reg + "\nchecksum = \"" + sha + "\"\n"})
	s := newSource(t, "cargo", 2, "url: "+r.URL+"/crates\nref:\n- name: adler\n  version: 1.0.1\n  sha: x\n  provenance:\n    homepage: https://example.org\n")
	ref, err := s.Track(context.Background(), env(t), prev)
	if err != nil {
		t.Fatal(err)
	}
	want := "- name: adler\n  version: 1.0.2\n  sha: " + sha + "\n  provenance:\n    homepage: https://example.org"
	if got := dump(ref); got != want {
		t.Errorf("tracked:\n%s\nwant:\n%s", got, want)
	}
}

func TestErrors(t *testing.T) {
	r := serveRegistry(t)
	r.add("adler", "1.0.2")
	e := env(t)
	s := newSource(t, "cargo", 1, "url: "+r.URL+"/crates\n")
	if _, err := s.Track(context.Background(), e, t.TempDir()); bsterr.ReasonOf(err) != cargo.LockNotFound {
		t.Errorf("no lock: %v", err)
	}
	prev := previous(t, map[string]string{"Cargo.lock": "[[package]\nname = 1\n"})
	if _, err := s.Track(context.Background(), e, prev); bsterr.ReasonOf(err) != cargo.MalformedLock {
		t.Errorf("malformed lock: %v", err)
	}
	bad := strings.Repeat("0", 64)
	s = newSource(t, "cargo", 1, "url: "+r.URL+"/crates\nref:\n- name: adler\n  version: 1.0.2\n  sha: "+bad+"\n")
	err := s.Fetch(context.Background(), e, "")
	if bsterr.ReasonOf(err) != download.ChecksumMismatch || !strings.Contains(err.Error(), bad) {
		t.Errorf("mismatch: %v", err)
	}
	if s.Cached(e) {
		t.Error("cached after a mismatch")
	}
	if err := s.Stage(context.Background(), e, t.TempDir()); bsterr.ReasonOf(err) != download.StageFailed {
		t.Errorf("stage unfetched: %v", err)
	}
	// A crate the registry does not have.
	s = newSource(t, "cargo", 1, "url: "+r.URL+"/crates\nref:\n- name: nope\n  version: 1.0.0\n  sha: "+bad+"\n")
	if err := s.Fetch(context.Background(), e, ""); bsterr.ReasonOf(err) != download.DownloadFailed {
		t.Errorf("missing crate: %v", err)
	}
}

func TestCargo2GitCrates(t *testing.T) {
	repo := repotest.New(t)
	commit := repo.Commit("workspace", map[string]string{
		"Cargo.toml": "[workspace]\nmembers = [\"a\", \"b\"]\n\n[workspace.package]\nversion = \"0.2.0\"\nedition = \"2021\"\nreadme = \"README.md\"\n\n" +
			"[workspace.dependencies]\nserde = { version = \"1.0\", features = [\"std\"] }\nb = { path = \"b\", version = \"0.2.0\" }\nlog = \"0.4\"\n\n" +
			"[workspace.lints.rust]\nunsafe_code = \"forbid\"\n",
		"README.md": "readme\n",
		"a/Cargo.toml": "# member a\n[package]\nname = \"a\"\nversion.workspace = true\nedition = { workspace = true }\nreadme.workspace = true\n\n" +
			"[dependencies]\nserde = { workspace = true, features = [\"derive\"], optional = true }\nb.workspace = true\n\n" +
			"[target.'cfg(unix)'.dependencies]\nlog = { workspace = true }\n\n[lints]\nworkspace = true\n",
		"a/src/lib.rs": "pub fn a() {}\n",
		"b/Cargo.toml": "[package]\nname = \"b\"\nversion = \"0.2.0\"\n",
		"b/src/lib.rs": "pub fn b() {}\n",
	})
	r := serveRegistry(t)
	sha := r.add("serde", "1.0.1")
	gitSrc := "\"git+" + repo.URL() + "?rev=" + commit[:12] + "#" + commit + "\""
	lock := "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.2.0\"\nsource = " + gitSrc + "\n\n" +
		"[[package]]\nname = \"b\"\nversion = \"0.2.0\"\nsource = " + gitSrc + "\n\n" +
		"[[package]]\nname = \"serde\"\nversion = \"1.0.1\"\nsource = " + reg + "\nchecksum = \"" + sha + "\"\n"
	e := env(t)
	s := newSource(t, "cargo2", 2, "url: "+r.URL+"/crates\n")
	ref, err := s.Track(context.Background(), e, previous(t, map[string]string{"Cargo.lock": lock}))
	if err != nil {
		t.Fatal(err)
	}
	want := "- kind: git\n  commit: " + commit + "\n  repo: " + repo.URL() + "\n  query:\n    rev: " + commit[:12] + "\n  name: a\n  version: 0.2.0\n" +
		"- kind: git\n  commit: " + commit + "\n  repo: " + repo.URL() + "\n  query:\n    rev: " + commit[:12] + "\n  name: b\n  version: 0.2.0\n" +
		"- kind: registry\n  name: serde\n  version: 1.0.1\n  sha: " + sha
	if got := dump(ref); got != want {
		t.Errorf("tracked:\n%s\nwant:\n%s", got, want)
	}
	s.SetRef(ref)
	if s.Cached(e) {
		t.Error("cached before fetching")
	}
	if err := s.Fetch(context.Background(), e, ""); err != nil {
		t.Fatal(err)
	}
	if !s.Cached(e) {
		t.Fatal("not cached after fetching")
	}
	dir := t.TempDir()
	if err := s.Stage(context.Background(), e, dir); err != nil {
		t.Fatal(err)
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, "crates", "a-0.2.0", "Cargo.toml"))
	wantManifest := "[package]\nname = \"a\"\nversion = \"0.2.0\"\nedition = \"2021\"\nreadme = \"../README.md\"\n\n" +
		"[dependencies]\nserde = { version = \"1.0\", features = [\"std\", \"derive\"], optional = true }\nb = { version = \"0.2.0\" }\n\n" +
		"[target.\"cfg(unix)\".dependencies]\nlog = { version = \"0.4\" }\n\n" +
		"[lints.rust]\nunsafe_code = \"forbid\"\n"
	if string(manifest) != wantManifest {
		t.Errorf("a's manifest:\n%s\nwant:\n%s", manifest, wantManifest)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "crates", "b-0.2.0", "Cargo.toml")); string(b) != "[package]\nname = \"b\"\nversion = \"0.2.0\"\n" {
		t.Errorf("b's manifest changed: %s", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "crates", "a-0.2.0", ".git")); err == nil {
		t.Error(".git copied")
	}
	sum, _ := os.ReadFile(filepath.Join(dir, "crates", "a-0.2.0", ".cargo-checksum.json"))
	if string(sum) != `{"package": null, "files": {}}` {
		t.Errorf("git crate checksum %s", sum)
	}
	config, _ := os.ReadFile(filepath.Join(dir, ".cargo", "config"))
	wantConfig := "[source.crates-io]\nregistry = \"" + r.URL + "/crates/\"\nreplace-with = \"vendored-sources\"\n" +
		"[source.\"git+" + repo.URL() + "?rev=" + commit[:12] + "\"]\ngit = \"" + repo.URL() + "\"\nrev = \"" + commit[:12] + "\"\nreplace-with = \"vendored-sources\"\n" +
		"[source.vendored-sources]\ndirectory = \"crates\"\n"
	if string(config) != wantConfig {
		t.Errorf(".cargo/config:\n%s\nwant:\n%s", config, wantConfig)
	}
}
