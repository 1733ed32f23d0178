package compile

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/testbst"
)

// crossCheck builds the same project with BuildStream 1.6.8 (`bst` on
// PATH) and checks that it computes the same cache keys and checks out
// byte-identical trees: the compilers are deterministic, so any difference
// is in how the builds were staged, run, stripped or split. ours is the
// project bst built and co holds bst's checkouts, one directory per
// element.
func crossCheck(t *testing.T, sysrootDir string, src tarSource, ours, co string, targets []string) {
	bs := buildstream16(t)
	theirs := writeProject(t, sysrootDir, src)
	home := t.TempDir()
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
	start := time.Now()
	run16(append([]string{"build"}, targets...)...)
	t.Logf("BuildStream 1.6.8 build: %v", time.Since(start).Round(time.Millisecond))

	show := append([]string{"show", "--deps", "all", "--format", "%{name} %{full-key}"}, targets...)
	want := run16(show...)
	got := testbst.Run(t, ours, nil, append([]string{"--no-colors"}, show...)...)
	got.AssertSuccess(t)
	if got.Stdout != want {
		t.Errorf("cache keys differ:\nbst:\n%s\nBuildStream 1.6.8:\n%s", got.Stdout, want)
	}

	for _, el := range []string{"greet.bst", "hello-cmake.bst", "hello-meson.bst", "run.bst", "runtime.bst", "devel.bst", "debug.bst"} {
		dir := filepath.Join(t.TempDir(), "co")
		run16("checkout", "--deps", "none", el, dir)
		a, b := contents(t, filepath.Join(co, strings.TrimSuffix(el, ".bst"))), contents(t, dir)
		if a != b {
			t.Errorf("%s: checkouts differ:\nbst:\n%s\nBuildStream 1.6.8:\n%s", el, a, b)
		}
	}
}

func buildstream16(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("bst")
	if err != nil || !strings.HasPrefix(path, "/usr/") {
		path = "/usr/bin/bst"
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "1.6.8" {
		t.Skipf("BuildStream 1.6.8 is not installed at %s (apt-get install buildstream)", path)
	}
	return path
}

// contents lists a tree with file modes and content hashes.
func contents(t *testing.T, root string) string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out = append(out, rel+" -> "+target)
		case info.IsDir():
			out = append(out, rel+"/")
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("%s %v %x", rel, info.Mode().Perm()&0o111 != 0, sha256.Sum256(data)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
