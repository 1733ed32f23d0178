package local_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/local"
)

// project makes a project directory with files, a subdirectory, an
// executable, an empty directory and symbolic links.
func project(t *testing.T) string {
	t.Helper()
	p := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(p, "files", "sub", "deeper"), 0o700))
	must(os.MkdirAll(filepath.Join(p, "files", "empty"), 0o750))
	must(os.WriteFile(filepath.Join(p, "files", "a.txt"), []byte("a\n"), 0o600))
	must(os.WriteFile(filepath.Join(p, "files", "sub", "run.sh"), []byte("#!/bin/sh\n"), 0o744))
	must(os.WriteFile(filepath.Join(p, "files", "sub", "deeper", "x"), []byte("x"), 0o664))
	must(os.Symlink("a.txt", filepath.Join(p, "files", "rel-link")))
	must(os.Symlink("/usr/lib/os-release", filepath.Join(p, "files", "sub", "abs-link")))
	must(os.Symlink("/", filepath.Join(p, "files", "root-link")))
	must(os.Symlink("sub", filepath.Join(p, "files", "dir-link")))
	must(os.WriteFile(filepath.Join(p, "single.txt"), []byte("single"), 0o755))
	must(os.Symlink("single.txt", filepath.Join(p, "link.txt")))
	must(os.Symlink("/etc", filepath.Join(p, "escape")))
	old := time.Date(2019, 3, 4, 5, 6, 7, 0, time.UTC)
	must(os.Chtimes(filepath.Join(p, "files", "a.txt"), old, old))
	return p
}

func stage(t *testing.T, gen int, proj, path string) (string, plugin.Source) {
	t.Helper()
	s, err := local.New(downloadtest.Spec(t, "local", gen, proj, "path: "+path+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := s.Stage(context.Background(), &plugin.SourceEnv{}, out); err != nil {
		t.Fatal(err)
	}
	return out, s
}

func TestStageDirectory(t *testing.T) {
	proj := project(t)
	want := map[int]string{
		1: `a.txt file 0644 "a\n"
dir-link link -> sub
empty dir 0755
rel-link link -> a.txt
root-link link -> .
sub dir 0755
sub/abs-link link -> ../usr/lib/os-release
sub/deeper dir 0755
sub/deeper/x file 0644 "x"
sub/run.sh file 0755 "#!/bin/sh\n"`,
		2: `a.txt file 0644 "a\n"
dir-link link -> sub
empty dir 0755
rel-link link -> a.txt
root-link link -> /
sub dir 0755
sub/abs-link link -> /usr/lib/os-release
sub/deeper dir 0755
sub/deeper/x file 0644 "x"
sub/run.sh file 0755 "#!/bin/sh\n"`,
	}
	for gen := 1; gen <= 2; gen++ {
		out, s := stage(t, gen, proj, "files")
		if got := downloadtest.Snapshot(t, out); got != want[gen] {
			t.Errorf("gen %d staged:\n%s\nwant:\n%s", gen, got, want[gen])
		}
		fi, _ := os.Stat(filepath.Join(out, "a.txt"))
		if !fi.ModTime().Equal(time.Date(2019, 3, 4, 5, 6, 7, 0, time.UTC)) {
			t.Errorf("mtime not kept: %v", fi.ModTime())
		}
		if !s.Cached(nil) || s.Ref() != nil {
			t.Error("a local source is always cached and has no ref")
		}
		if ref, err := s.Track(context.Background(), nil, ""); ref != nil || err != nil {
			t.Errorf("track: %v %v", ref, err)
		}
		if err := s.Fetch(context.Background(), nil, ""); err != nil {
			t.Error(err)
		}
	}
}

func TestStageFile(t *testing.T) {
	proj := project(t)
	out, _ := stage(t, 1, proj, "single.txt")
	if got, want := downloadtest.Snapshot(t, out), `single.txt file 0755 "single"`; got != want {
		t.Errorf("staged %s, want %s", got, want)
	}
	// In a subdirectory of the project, the file keeps its base name.
	out, _ = stage(t, 1, proj, "files/sub/deeper/x")
	if got, want := downloadtest.Snapshot(t, out), `x file 0644 "x"`; got != want {
		t.Errorf("staged %s, want %s", got, want)
	}
}

func TestStageOverExisting(t *testing.T) {
	proj := project(t)
	s, err := local.New(downloadtest.Spec(t, "local", 1, proj, "path: files\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("untouched"), 0o644)
	os.Symlink(victim, filepath.Join(out, "a.txt"))
	if err := s.Stage(context.Background(), &plugin.SourceEnv{}, out); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "untouched" {
		t.Error("wrote through a symlink")
	}
	if data, _ := os.ReadFile(filepath.Join(out, "a.txt")); string(data) != "a\n" {
		t.Errorf("a.txt = %q", data)
	}
}

func TestProjectPathErrors(t *testing.T) {
	proj := project(t)
	os.Mkdir(filepath.Join(filepath.Dir(proj), "x"), 0o755)
	for _, c := range []struct {
		path   string
		kind   local.PathKind
		reason bsterr.Reason
	}{
		{"missing", local.AnyPath, bsterr.MissingFile},
		{"../outside", local.AnyPath, bsterr.ProjectPathInvalid},
		{"./../outside", local.AnyPath, bsterr.ProjectPathInvalid},
		{"files/../../x", local.AnyPath, bsterr.ProjectPathInvalid},
		{"/etc", local.AnyPath, bsterr.ProjectPathInvalid},
		{"link.txt", local.AnyPath, bsterr.ProjectPathInvalidKind},
		{"escape", local.AnyPath, bsterr.ProjectPathInvalidKind},
		{"files", local.FilePath, bsterr.ProjectPathInvalidKind},
		{"single.txt", local.DirPath, bsterr.ProjectPathInvalidKind},
	} {
		spec := downloadtest.Spec(t, "local", 1, proj, "path: "+c.path+"\n")
		_, _, err := local.ProjectPath(spec.Config, "path", proj, c.kind)
		var e *bsterr.Error
		if bsterr.ReasonOf(err) != c.reason || bsterr.DomainOf(err) != bsterr.DomainLoad {
			t.Errorf("%s: got %v, want %s", c.path, err, c.reason)
		} else if errors.As(err, &e); e.Prov == nil || e.Prov.Line != 1 {
			t.Errorf("%s: provenance %v", c.path, e.Prov)
		}
	}
	if _, _, err := local.ProjectPath(downloadtest.Spec(t, "local", 1, proj, "path: files/sub\n").Config, "path", proj, local.DirPath); err != nil {
		t.Error(err)
	}
}

const pyStage = `
import sys, contextlib
from buildstream.plugins.sources.local import LocalSource
class Stub:
    def __init__(self, project, path):
        self.path = path
        self.fullpath = project + "/" + path
    def timed_activity(self, *args, **kwargs):
        return contextlib.nullcontext()
Stub.stage = LocalSource.stage
Stub(sys.argv[1], sys.argv[2]).stage(sys.argv[3])
`

func TestCrossCheckBuildStream1(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import buildstream.plugins.sources.local").Run(); err != nil {
		t.Skip("BuildStream 1.6 is not installed")
	}
	script := filepath.Join(t.TempDir(), "stage.py")
	os.WriteFile(script, []byte(pyStage), 0o644)
	proj := project(t)
	for _, path := range []string{"files", "single.txt", "files/sub"} {
		pyOut := t.TempDir()
		if out, err := exec.Command(py, script, proj, path, pyOut).CombinedOutput(); err != nil {
			t.Fatalf("BuildStream 1.6: %v\n%s", err, out)
		}
		goOut, _ := stage(t, 1, proj, path)
		if want, got := downloadtest.Snapshot(t, pyOut), downloadtest.Snapshot(t, goOut); got != want {
			t.Errorf("%s: bst staged:\n%s\nBuildStream 1.6 staged:\n%s", path, got, want)
		}
	}
}
