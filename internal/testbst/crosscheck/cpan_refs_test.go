package crosscheck

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/testbst"
)

// TestCPANProjectRefsAgreeWithBuildStream: bst-external's cpan source keeps
// its reference in two keys, `url` and `sha256sum` (load_ref, set_ref), so
// project.refs entries hold both. An entry overrides the url written in
// the element; tracking writes both keys. Checked against BuildStream
// 1.6.8 with an index served on 127.0.0.1: keys before and after, and
// project.refs byte for byte.
func TestCPANProjectRefsAgreeWithBuildStream(t *testing.T) {
	bs := buildstream16(t)
	var index bytes.Buffer
	gz := gzip.NewWriter(&index)
	gz.Write([]byte("File:         02packages.details.txt\nLine-Count:   1\n\n" +
		"XML::Parser                          2.47  T/TO/TODDR/XML-Parser-2.47.tar.gz\n"))
	gz.Close()
	dist := tarGz(t, map[string]string{"XML-Parser-2.47/Parser.pm": "package XML::Parser;\n"})
	files := map[string][]byte{
		"/modules/02packages.details.txt.gz":            index.Bytes(),
		"/authors/id/T/TO/TODDR/XML-Parser-2.47.tar.gz": dist,
		"/authors/id/T/TO/TODDR/XML-Parser-2.46.tar.gz": tarGz(t, map[string]string{"XML-Parser-2.46/Parser.pm": "old\n"}),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	base := srv.URL + "/"
	old := base + "authors/id/T/TO/TODDR/XML-Parser-2.46.tar.gz"
	source := "kind: import\nsources:\n- kind: cpan\n  name: XML::Parser\n  index: " + base + "\n"
	tree := map[string]string{
		"project.conf": "name: crosscheck\nformat-version: 18\nelement-path: elements\nref-storage: project.refs\n" +
			"plugins:\n- origin: pip\n  package-name: BuildStream-external\n  sources:\n    cpan: 0\n",
		// loaded.bst's entry gives both keys: its inline url is not used.
		"project.refs": "projects:\n  crosscheck:\n    loaded.bst:\n    - url: " + old + "\n      sha256sum: " +
			sha256hex(files["/authors/id/T/TO/TODDR/XML-Parser-2.46.tar.gz"]) + "\n",
		"elements/loaded.bst":  source + "  url: " + base + "authors/id/T/TO/TODDR/XML-Parser-2.47.tar.gz\n",
		"elements/tracked.bst": source,
	}
	root := t.TempDir()
	ours, theirs := filepath.Join(root, "ours"), filepath.Join(root, "theirs")
	writeTree(t, tree, ours, theirs)
	home := filepath.Join(root, "bs-home")

	show := func(targets ...string) {
		t.Helper()
		args := append([]string{"show", "--deps", "none", "--format", "%{name} %{full-key}"}, targets...)
		want, stderr, ok := bs16(t, bs, theirs, home, args...)
		if !ok {
			t.Fatalf("BuildStream 1.6.8 %v failed:\n%s", args, stderr)
		}
		got := testbst.Run(t, ours, nil, append([]string{"--no-colors"}, args...)...)
		got.AssertSuccess(t)
		if strings.TrimSpace(got.Stdout) != strings.TrimSpace(want) {
			t.Errorf("keys differ:\nbst:\n%s\nBuildStream 1.6.8:\n%s", got.Stdout, want)
		}
	}
	show("loaded.bst")
	if _, stderr, ok := bs16(t, bs, theirs, home, "track", "tracked.bst"); !ok {
		t.Fatalf("BuildStream 1.6.8 track failed:\n%s", stderr)
	}
	testbst.Run(t, ours, nil, "--no-colors", "track", "tracked.bst").AssertSuccess(t)
	a, _ := os.ReadFile(filepath.Join(ours, "project.refs"))
	b, _ := os.ReadFile(filepath.Join(theirs, "project.refs"))
	if !bytes.Equal(a, b) {
		t.Errorf("project.refs differs:\nbst:\n%s\nBuildStream 1.6.8:\n%s", a, b)
	}
	golden(t, "cpan_refs/project.refs", []byte(strings.ReplaceAll(string(a), base, "@INDEX@")),
		map[string]string{"sha247": sha256hex(dist), "sha246": sha256hex(files["/authors/id/T/TO/TODDR/XML-Parser-2.46.tar.gz"])})
	show("loaded.bst", "tracked.bst")
	for name, text := range tree {
		if name == "project.refs" {
			continue
		}
		if got, _ := os.ReadFile(filepath.Join(ours, name)); string(got) != text {
			t.Errorf("%s changed:\n%s", name, got)
		}
	}
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
