package tar_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/plugins/sources/download/downloadtest"
)

// pyStage stages an archive with BuildStream 1.6.8's own tar plugin code
// (its stage method on a stand-in object), or skips the test when
// BuildStream is not installed.
const pyStage = `
import sys
from buildstream.plugins.sources.tar import TarSource
class Stub:
    def __init__(self, path, base):
        self.url = path
        self.path = path
        self.base_dir = base or None
    def _get_mirror_file(self, sha=None):
        return self.path
    def __str__(self):
        return "tar source"
for name in ("stage", "_get_tar", "_find_base_dir", "_extract_members", "_list_tar_paths"):
    setattr(Stub, name, getattr(TarSource, name))
Stub(sys.argv[1], sys.argv[3]).stage(sys.argv[2])
`

func buildStream1(t *testing.T) string {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import buildstream.plugins.sources.tar").Run(); err != nil {
		t.Skip("BuildStream 1.6 is not installed")
	}
	return py
}

func TestCrossCheckBuildStream1(t *testing.T) {
	py := buildStream1(t)
	script := filepath.Join(t.TempDir(), "stage.py")
	if err := os.WriteFile(script, []byte(pyStage), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		entries []entry
		how     string
		base    string
		empty   bool // BuildStream stages nothing
	}{
		{"release", release, "gz", "*", false},
		{"release xz", release, "xz", "*", false},
		{"release whole", release, "plain", "", false},
		{"nested", release, "bz2", "*/bin", false},
		{"sorted first", []entry{file("zeta/z", 0o644, "z"), file("alpha/a", 0o644, "a"), file("README", 0o644, "r")}, "plain", "*", false},
		{"implicit", []entry{file("pkg-2/a", 0o644, "a"), file("pkg-2/b/c", 0o755, "c")}, "gz", "*", false},
		{"dot prefix", []entry{file("./foo-1.0/a", 0o644, "a"), file("./foo-1.0/b/c", 0o644, "c")}, "gz", "*", false},
		{"dot member", []entry{dir("./", 0o755), dir("./foo-1.0/", 0o700), file("./foo-1.0/a", 0o644, "a")}, "gz", "*", false},
		{"hidden top", []entry{dir(".hidden/", 0o755), file(".hidden/a", 0o644, "a"), dir("visible/", 0o755), file("visible/b", 0o644, "b")}, "plain", "*", true},
		{"hard links", []entry{dir("p/", 0o755), file("p/a", 0o600, "a"), hardlink("p/h", "p/a"), dir("p/d/", 0o711), hardlink("p/d/h2", "p/a")}, "plain", "*", false},
		{"modes", []entry{dir("m/", 0o700), file("m/suid", 0o4755, "s"), file("m/none", 0o000, "n"), dir("m/ro/", 0o500), file("m/ro/x", 0o400, "x")}, "plain", "*", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			archive := compress(t, buildTar(t, c.entries), c.how)
			path := filepath.Join(t.TempDir(), "archive")
			if err := os.WriteFile(path, archive, 0o644); err != nil {
				t.Fatal(err)
			}
			pyOut := t.TempDir()
			if out, err := exec.Command(py, script, path, pyOut, c.base).CombinedOutput(); err != nil {
				t.Fatalf("BuildStream 1.6: %v\n%s", err, out)
			}
			extra := "base-dir: '" + c.base + "'\n"
			goOut := mustStage(t, 1, archive, extra)
			want, got := downloadtest.Snapshot(t, pyOut), downloadtest.Snapshot(t, goOut)
			if got != want {
				t.Errorf("bst staged:\n%s\nBuildStream 1.6 staged:\n%s", got, want)
			}
			if strings.TrimSpace(want) == "" && !c.empty {
				t.Error("nothing staged")
			}
		})
	}
}
