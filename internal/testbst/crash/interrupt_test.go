package crash

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestInterruptBuild sends SIGINT (Ctrl-C) to a build whose command would
// run for a minute: bst stops the sandbox at once, says the build failed,
// exits non-zero, leaves no process behind and caches no failure for the
// interruption.
func TestInterruptBuild(t *testing.T) {
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
	proj := filepath.Join(t.TempDir(), "project")
	write := func(p, content string) {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(proj, "project.conf"), "name: intr\nmin-version: 2.0\nelement-path: elements\n")
	os.MkdirAll(filepath.Join(proj, "files/base/bin"), 0o755)
	os.WriteFile(filepath.Join(proj, "files/base/bin/busybox"), busybox, 0o755)
	for _, tool := range []string{"sh", "sleep"} {
		os.Symlink("busybox", filepath.Join(proj, "files/base/bin", tool))
	}
	write(filepath.Join(proj, "elements/base.bst"), "kind: import\nsources:\n- kind: local\n  path: files/base\n")
	write(filepath.Join(proj, "elements/long.bst"), "kind: manual\nbuild-depends:\n- base.bst\nconfig:\n  build-commands:\n  - sleep 61\n")
	home := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + home + "/cache"}
	cmd := exec.Command(bin, "--no-colors", "build", "long.bst")
	cmd.Dir, cmd.Env = proj, env
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "long.bst") || !sleeping() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the build never started its command:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("bst exited 0 after SIGINT:\n%s", out.String())
		}
		if took := time.Since(sent); took > 10*time.Second {
			t.Errorf("bst took %v to stop after SIGINT", took)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("bst did not stop after SIGINT:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "FAILURE Build") {
		t.Errorf("no FAILURE Build line:\n%s", out.String())
	}
	time.Sleep(200 * time.Millisecond)
	if sleeping() {
		t.Errorf("the sandboxed command outlived bst")
	}
	show := exec.Command(bin, "--no-colors", "show", "--deps", "none", "--format", "%{state}", "long.bst")
	show.Dir, show.Env = proj, env
	state, err := show.Output()
	if err != nil || strings.TrimSpace(string(state)) != "buildable" {
		t.Errorf("after the interruption long.bst is %q (%v), want buildable: no failure is cached", state, err)
	}
}

// syncBuffer is a bytes.Buffer safe to read while bst writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// sleeping reports whether the test's `sleep 61` runs.
func sleeping() bool {
	out, _ := exec.Command("pgrep", "-f", "sleep 61").Output()
	return len(bytes.TrimSpace(out)) > 0
}
