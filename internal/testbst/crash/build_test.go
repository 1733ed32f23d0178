package crash

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillDuringBuild kills `bst build` with SIGKILL at several points of
// a build (staging, the sandboxed commands, the artifact commit) and
// checks each time that an element shown as cached checks out completely,
// that no failed build was recorded for the interruption, and that the
// next run finishes the build with the right artifact.
func TestKillDuringBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bst")
	}
	busybox, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skip("busybox-static is not installed")
	}
	if err := exec.Command("bwrap", "--bind", "/", "/", "true").Run(); err != nil {
		t.Skipf("bubblewrap cannot run here: %v", err)
	}
	bin := buildBst(t)
	root := t.TempDir()
	proj := filepath.Join(root, "project")
	write := func(p, content string) {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(proj, "project.conf"), "name: crash\nmin-version: 2.0\nelement-path: elements\n")
	os.MkdirAll(filepath.Join(proj, "files/base/bin"), 0o755)
	if err := os.WriteFile(filepath.Join(proj, "files/base/bin/busybox"), busybox, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"sh", "mkdir", "dd", "sleep", "seq", "echo"} {
		os.Symlink("busybox", filepath.Join(proj, "files/base/bin", tool))
	}
	write(filepath.Join(proj, "elements/base.bst"), "kind: import\nsources:\n- kind: local\n  path: files/base\n")
	// Many files and a big one: staging, building and committing each
	// take a while.
	write(filepath.Join(proj, "elements/slow.bst"), `kind: manual
build-depends:
- base.bst
config:
  build-commands:
  - sleep 0.2
  install-commands:
  - mkdir -p %{install-root}/data
  - for i in $(seq 1 400); do echo "file $i" > %{install-root}/data/f$i; done
  - dd if=/dev/zero of=%{install-root}/data/big bs=1048576 count=24 2>/dev/null
`)
	write(filepath.Join(proj, "elements/top.bst"), "kind: stack\ndepends:\n- slow.bst\n")
	home := filepath.Join(root, "home")
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + home + "/cache",
		"XDG_CONFIG_HOME=" + home + "/config"}
	run := func(args ...string) (string, error) {
		c := exec.Command(bin, append([]string{"--no-colors"}, args...)...)
		c.Dir, c.Env = proj, env
		out, err := c.CombinedOutput()
		return string(out), err
	}
	state := func(el string) string {
		out, err := run("show", "--deps", "none", "--format", "%{state}", el)
		if err != nil {
			t.Fatalf("show after SIGKILL: %v\n%s", err, out)
		}
		return strings.TrimSpace(out)
	}
	// checkComplete checks out a cached element and verifies every file.
	checkComplete := func(when string) {
		if state("slow.bst") != "cached" {
			return
		}
		co := filepath.Join(t.TempDir(), "co")
		if out, err := run("artifact", "checkout", "--deps", "none", "--directory", co, "slow.bst"); err != nil {
			t.Fatalf("%s: slow.bst is shown cached but does not check out: %v\n%s", when, err, out)
		}
		for i := 1; i <= 400; i++ {
			data, err := os.ReadFile(filepath.Join(co, "data", fmt.Sprintf("f%d", i)))
			if err != nil || string(data) != fmt.Sprintf("file %d\n", i) {
				t.Fatalf("%s: f%d of the cached artifact is %q (%v)", when, i, data, err)
			}
		}
		fi, err := os.Stat(filepath.Join(co, "data", "big"))
		if err != nil || fi.Size() != 24<<20 {
			t.Fatalf("%s: the big file of the cached artifact: %v %v", when, fi, err)
		}
	}
	// Time one whole build of slow.bst (base.bst built first), then kill
	// builds at fractions of that time, down to the commit at its end.
	if out, err := run("build", "base.bst"); err != nil {
		t.Fatalf("build base.bst: %v\n%s", err, out)
	}
	start := time.Now()
	if out, err := run("build", "slow.bst"); err != nil {
		t.Fatalf("build slow.bst: %v\n%s", err, out)
	}
	whole := time.Since(start)
	checkComplete("after a whole build")
	for _, frac := range []float64{0.05, 0.2, 0.4, 0.6, 0.75, 0.85, 0.9, 0.95, 0.98} {
		delay := time.Duration(frac * float64(whole))
		if state("slow.bst") == "cached" {
			// Start again without the artifact.
			if out, err := run("artifact", "delete", "slow.bst"); err != nil {
				t.Fatalf("artifact delete: %v\n%s", err, out)
			}
		}
		cmd := exec.Command(bin, "--no-colors", "build", "top.bst")
		cmd.Dir, cmd.Env = proj, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		when := fmt.Sprintf("killed after %v", delay)
		s := state("slow.bst")
		if s == "failed" {
			t.Errorf("%s: the interrupted build was cached as a failure", when)
		}
		t.Logf("%s: slow.bst is %s; bst had printed:\n%s", when, s, lastLines(out.String(), 2))
		checkComplete(when)
	}
	if out, err := run("build", "top.bst"); err != nil {
		t.Fatalf("build after the kills: %v\n%s", err, out)
	}
	if s := state("top.bst"); s != "cached" {
		t.Errorf("after the last build, top.bst is %q", s)
	}
	checkComplete("after the last build")
	// Interrupted builds leave no sandbox root behind once a build runs to
	// its end... at least nothing that the next build trips over; and no
	// process of a killed build lives on (bwrap --die-with-parent).
	time.Sleep(200 * time.Millisecond)
	if out, _ := exec.Command("pgrep", "-f", "sleep 0.2").Output(); len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("sandboxed commands outlived the killed bst: pids %s", out)
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
