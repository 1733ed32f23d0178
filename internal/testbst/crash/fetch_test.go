package crash

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// buildBst compiles bst into a temporary directory.
func buildBst(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bst")
	cmd := exec.Command("go", "build", "-o", bin, "example.org/bst/cmd/bst")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestKillDuringFetch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bst")
	}
	bin := buildBst(t)
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	sum := sha256.Sum256(payload)
	ref := hex.EncodeToString(sum[:])

	var slow atomic.Bool
	slow.Store(true)
	started := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1048576")
		if !slow.Load() {
			w.Write(payload)
			return
		}
		// Send the first 64 KiB, then stall until the client goes away.
		w.Write(payload[:64<<10])
		w.(http.Flusher).Flush()
		select {
		case started <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	defer srv.Close()

	root := t.TempDir()
	proj := filepath.Join(root, "project")
	os.MkdirAll(filepath.Join(proj, "elements"), 0o755)
	os.WriteFile(filepath.Join(proj, "project.conf"), []byte("name: crash\nformat-version: 18\nelement-path: elements\n"), 0o644)
	os.WriteFile(filepath.Join(proj, "elements", "file.bst"), []byte(
		"kind: import\nsources:\n- kind: remote\n  url: "+srv.URL+"/payload.bin\n  ref: "+ref+"\n"), 0o644)
	home := filepath.Join(root, "home")
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + home + "/cache",
		"XDG_CONFIG_HOME=" + home + "/config"}

	cmd := exec.Command(bin, "--no-colors", "source", "fetch", "file.bst")
	cmd.Dir, cmd.Env = proj, env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("download never started; stderr:\n%s", stderr.String())
	}
	time.Sleep(100 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	// Nothing in the source cache may look like the complete file.
	sources := filepath.Join(home, "cache", "buildstream", "sources")
	filepath.Walk(sources, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() && filepath.Base(p) == ref {
			t.Errorf("after SIGKILL, %s exists as if complete", p)
		}
		return nil
	})
	state := func() string {
		c := exec.Command(bin, "--no-colors", "show", "--deps", "none", "--format", "%{state}", "file.bst")
		c.Dir, c.Env = proj, env
		out, err := c.Output()
		if err != nil {
			t.Fatalf("show: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	if s := state(); s != "fetch needed" {
		t.Errorf("after SIGKILL, state %q, want fetch needed", s)
	}

	// The next run completes and the file is intact.
	slow.Store(false)
	again := exec.Command(bin, "--no-colors", "source", "fetch", "file.bst")
	again.Dir, again.Env = proj, env
	if out, err := again.CombinedOutput(); err != nil {
		t.Fatalf("fetch after SIGKILL: %v\n%s", err, out)
	}
	if s := state(); s != "buildable" {
		t.Errorf("after fetching again, state %q, want buildable", s)
	}
	var found string
	filepath.Walk(sources, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() && filepath.Base(p) == ref {
			found = p
		}
		return nil
	})
	data, err := os.ReadFile(found)
	if err != nil || !bytes.Equal(data, payload) {
		t.Errorf("fetched file %q is not the payload (%v)", found, err)
	}
}
