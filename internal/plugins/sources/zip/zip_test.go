package zip_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	bstzip "example.org/bst/internal/plugins/sources/zip"
	"example.org/bst/internal/yamlnode"
)

type entry struct {
	name string
	mode os.FileMode
	body string
}

func buildZip(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)}
		if strings.HasSuffix(e.name, "/") {
			h.Method = zip.Store
		}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var release = []entry{
	{"foo-1.0/", os.ModeDir | 0o700, ""},
	{"foo-1.0/a.txt", 0o600, "hello\n"},
	{"foo-1.0/bin/run", 0o755, "#!/bin/sh\n"}, // no directory member for bin/
	{"foo-1.0/link", os.ModeSymlink | 0o777, "a.txt"},
	{"foo-1.0/empty/", os.ModeDir | 0o755, ""},
}

// stage serves archive, fetches it and stages it (generation gen) into a new
// directory.
func stage(t testing.TB, gen int, archive []byte, extra string) (string, error) {
	t.Helper()
	srv := downloadtest.Serve(t, map[string][]byte{"/foo.zip": archive})
	env := downloadtest.Env(t)
	s, err := bstzip.New(downloadtest.Spec(t, "zip", gen, t.TempDir(), "url: "+srv.URL+"/foo.zip\n"+extra))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := s.Track(context.Background(), env, "")
	if err != nil {
		t.Fatal(err)
	}
	if ref.(*yamlnode.Scalar).Value != downloadtest.SHA256(archive) {
		t.Fatal("wrong ref")
	}
	s.SetRef(ref)
	out := t.TempDir()
	return out, s.Stage(context.Background(), env, out)
}

func TestStage(t *testing.T) {
	for _, c := range []struct {
		name    string
		entries []entry
		config  string
		want    string
		err     string
	}{
		{"default base-dir", release, "",
			"a.txt file 0644 \"hello\\n\"\nbin dir 0755\nbin/run file 0644 \"#!/bin/sh\\n\"\nempty dir 0755\nlink file 0644 \"a.txt\"", ""},
		{"whole", release, "base-dir: ''\n",
			"foo-1.0 dir 0755\nfoo-1.0/a.txt file 0644 \"hello\\n\"\nfoo-1.0/bin dir 0755\nfoo-1.0/bin/run file 0644 \"#!/bin/sh\\n\"\nfoo-1.0/empty dir 0755\nfoo-1.0/link file 0644 \"a.txt\"", ""},
		{"nested", release, "base-dir: '*/bin'\n", "run file 0644 \"#!/bin/sh\\n\"", ""},
		{"sorted first", []entry{{"zz/a", 0o644, "z"}, {"aa/b", 0o644, "a"}}, "", "b file 0644 \"a\"", ""},
		{"sanitized names", []entry{{"../up", 0o644, "u"}, {"/abs", 0o644, "a"}, {"./d/./x", 0o644, "x"}}, "base-dir: ''\n",
			"abs file 0644 \"a\"\nd dir 0755\nd/x file 0644 \"x\"\nup file 0644 \"u\"", ""},
		{"no match", release, "base-dir: nope\n", "", "Could not find base directory matching pattern: nope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := stage(t, 1, buildZip(t, c.entries), c.config)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || bsterr.ReasonOf(err) != download.StageFailed {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := downloadtest.Snapshot(t, out); got != c.want {
				t.Errorf("staged:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestStageOverSymlinkDoesNotWriteThrough(t *testing.T) {
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("untouched"), 0o644)
	archive := buildZip(t, []entry{{"top/f", 0o644, "new"}, {"top/d/g", 0o644, "g"}})
	srv := downloadtest.Serve(t, map[string][]byte{"/x.zip": archive})
	env := downloadtest.Env(t)
	s, err := bstzip.New(downloadtest.Spec(t, "zip", 1, t.TempDir(), "url: "+srv.URL+"/x.zip\nref: "+downloadtest.SHA256(archive)+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	os.Symlink(victim, filepath.Join(out, "f"))
	os.Symlink(filepath.Dir(victim), filepath.Join(out, "d"))
	err = s.Stage(context.Background(), env, out)
	if data, _ := os.ReadFile(victim); string(data) != "untouched" {
		t.Error("wrote through a symlink")
	}
	if _, serr := os.Stat(filepath.Join(filepath.Dir(victim), "g")); serr == nil {
		t.Error("wrote through a symlinked directory")
	}
	if err == nil {
		t.Error("staging through a symlink to a directory outside did not fail")
	}
}

const pyStage = `
import sys
from buildstream.plugins.sources.zip import ZipSource
class Stub:
    def __init__(self, path, base):
        self.path = path
        self.base_dir = base or None
    def _get_mirror_file(self, sha=None):
        return self.path
    def __str__(self):
        return "zip source"
for name in ("stage", "_find_base_dir", "_extract_members", "_list_archive_paths"):
    setattr(Stub, name, getattr(ZipSource, name))
Stub(sys.argv[1], sys.argv[3]).stage(sys.argv[2])
`

func TestCrossCheckBuildStream1(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import buildstream.plugins.sources.zip").Run(); err != nil {
		t.Skip("BuildStream 1.6 is not installed")
	}
	script := filepath.Join(t.TempDir(), "stage.py")
	os.WriteFile(script, []byte(pyStage), 0o644)
	for _, c := range []struct {
		name    string
		entries []entry
		base    string
	}{
		{"release", release, "*"},
		{"whole", release, ""},
		{"nested", release, "*/bin"},
		{"implied only", []entry{{"pkg/a/b", 0o644, "b"}, {"pkg/c", 0o755, "c"}}, "*"},
		{"sorted", []entry{{"zz/a", 0o644, "z"}, {"aa/b", 0o644, "a"}, {"top", 0o644, "t"}}, "*"},
		{"dot dir", []entry{{"./", os.ModeDir | 0o755, ""}, {"./x/y", 0o644, "y"}}, "*"},
		{"sanitized", []entry{{"../up", 0o644, "u"}, {"/abs", 0o644, "a"}, {"./d/./x", 0o644, "x"}}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			archive := buildZip(t, c.entries)
			path := filepath.Join(t.TempDir(), "a.zip")
			os.WriteFile(path, archive, 0o644)
			pyOut := t.TempDir()
			out, err := exec.Command(py, script, path, pyOut, c.base).CombinedOutput()
			pyErr := err != nil
			goOut, goErr := stage(t, 1, archive, "base-dir: '"+c.base+"'\n")
			if pyErr != (goErr != nil) {
				t.Fatalf("BuildStream 1.6 error: %v %s\nbst error: %v", err, out, goErr)
			}
			if pyErr {
				return
			}
			want, got := downloadtest.Snapshot(t, pyOut), downloadtest.Snapshot(t, goOut)
			if got != want {
				t.Errorf("bst staged:\n%s\nBuildStream 1.6 staged:\n%s", got, want)
			}
		})
	}
}
