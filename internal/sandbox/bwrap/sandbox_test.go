package bwrap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/sandbox"
)

var (
	bwrapOnce   sync.Once
	bwrapReason string
)

// needBwrap skips the test unless bwrap can create namespaces here and a
// static busybox is available for the test sysroot.
func needBwrap(t *testing.T) {
	t.Helper()
	bwrapOnce.Do(func() {
		if _, err := exec.LookPath("bwrap"); err != nil {
			bwrapReason = "bwrap is not installed (apt-get install bubblewrap)"
			return
		}
		if out, err := exec.Command("bwrap", "--bind", "/", "/", "true").CombinedOutput(); err != nil {
			bwrapReason = fmt.Sprintf("bwrap cannot create namespaces here: %v: %s", err, out)
			return
		}
		if _, err := os.Stat("/bin/busybox"); err != nil {
			bwrapReason = "no static /bin/busybox for the test sysroot (apt-get install busybox-static)"
		}
	})
	if bwrapReason != "" {
		t.Skip(bwrapReason)
	}
}

// sysroot builds a tiny root: /bin/busybox and links to it, /etc.
func sysroot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"bin", "etc"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"sh", "echo", "cat", "touch", "wget", "ls", "id", "env", "sleep", "true", "nc", "printf"} {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", n)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

type result struct {
	code           int
	stdout, stderr string
}

func newSandbox(t *testing.T, root string, cfg sandbox.Config) *Sandbox {
	t.Helper()
	sb, err := New(context.Background(), root, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

func run(t *testing.T, sb *Sandbox, flags sandbox.Flags, argv ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code, err := sb.Run(context.Background(), sandbox.Command{
		Argv: argv, Cwd: "/", Env: []string{"PATH=/bin"}, Flags: flags, Stdout: &out, Stderr: &errb,
	})
	if err != nil {
		t.Fatalf("Run %q: %v", argv, err)
	}
	return result{code, out.String(), errb.String()}
}

var buildCfg = sandbox.Config{BuildUID: 0, BuildGID: 0}

func TestRunInstallDirWritable(t *testing.T) {
	needBwrap(t)
	root := sysroot(t)
	sb := newSandbox(t, root, buildCfg)
	sb.MarkDirectory("/buildstream-install")
	r := run(t, sb, sandbox.RootReadOnly, "sh", "-c", "-e", "echo hello > /buildstream-install/out\n")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got, err := os.ReadFile(filepath.Join(root, "buildstream-install", "out"))
	if err != nil || string(got) != "hello\n" {
		t.Fatalf("install file: %q, %v", got, err)
	}
	// The mount points made for bwrap are gone again.
	for _, d := range []string{"proc", "tmp", "dev"} {
		if _, err := os.Lstat(filepath.Join(root, d)); err == nil {
			t.Errorf("/%s left in the root after the run", d)
		}
	}
}

func TestRunRootReadOnly(t *testing.T) {
	needBwrap(t)
	root := sysroot(t)
	sb := newSandbox(t, root, buildCfg)
	sb.MarkDirectory("/buildstream-install")
	for _, script := range []string{"echo x > /etc/passwd", "touch /x", "echo x > /bin/new"} {
		if r := run(t, sb, sandbox.RootReadOnly, "sh", "-c", "-e", script+"\n"); r.code == 0 {
			t.Errorf("%q succeeded in a read-only root", script)
		}
	}
	for _, p := range []string{"etc/passwd", "x", "bin/new"} {
		if _, err := os.Lstat(filepath.Join(root, p)); err == nil {
			t.Errorf("%s written to the host through a read-only root", p)
		}
	}
	// /tmp is a private tmpfs, writable and discarded.
	if r := run(t, sb, sandbox.RootReadOnly, "sh", "-c", "-e", "echo x > /tmp/x\n"); r.code != 0 {
		t.Errorf("/tmp not writable: %s", r.stderr)
	}
	// Without ROOT_READ_ONLY the root is writable.
	if r := run(t, sb, 0, "touch", "/rw"); r.code != 0 {
		t.Errorf("writable root: exit %d %s", r.code, r.stderr)
	}
	if _, err := os.Lstat(filepath.Join(root, "rw")); err != nil {
		t.Errorf("write to a writable root not on the host: %v", err)
	}
}

func TestRunNoNetwork(t *testing.T) {
	needBwrap(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "hi")
	}))
	defer srv.Close()
	sb := newSandbox(t, sysroot(t), buildCfg)
	// Debian's static busybox wget crashes (SIGSEGV) even on the host, so
	// the request is made with nc, which works there.
	hostport := strings.TrimPrefix(srv.URL, "http://")
	get := `printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 2 ` + strings.Replace(hostport, ":", " ", 1)
	if r := run(t, sb, sandbox.RootReadOnly, "sh", "-c", "-e", get+"\n"); strings.Contains(r.stdout, "hi") {
		t.Errorf("request to %s answered without network: %q", hostport, r.stdout)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the host server saw %d requests from a sandbox without network", n)
	}
	if r := run(t, sb, sandbox.NetworkEnabled, "cat", "/proc/sys/kernel/hostname"); strings.TrimSpace(r.stdout) == "buildstream" {
		t.Errorf("hostname is buildstream with the network (UTS) shared")
	}
	if r := run(t, sb, 0, "cat", "/proc/sys/kernel/hostname"); strings.TrimSpace(r.stdout) != "buildstream" {
		t.Errorf("hostname %q, want buildstream", r.stdout)
	}
	// The same command with NETWORK_ENABLED reaches it: the test is sound.
	if r := run(t, sb, sandbox.NetworkEnabled, "sh", "-c", "-e", get+"\n"); !strings.Contains(r.stdout, "hi") {
		t.Errorf("request with NETWORK_ENABLED: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if hits.Load() != 1 {
		t.Errorf("server hits %d, want 1", hits.Load())
	}
}

func TestRunUIDGID(t *testing.T) {
	needBwrap(t)
	root := sysroot(t)
	sb := newSandbox(t, root, sandbox.Config{BuildUID: 1234, BuildGID: 567})
	if r := run(t, sb, 0, "id", "-u"); strings.TrimSpace(r.stdout) != "1234" {
		t.Errorf("id -u = %q (%s), want 1234", r.stdout, r.stderr)
	}
	if r := run(t, sb, 0, "id", "-g"); strings.TrimSpace(r.stdout) != "567" {
		t.Errorf("id -g = %q (%s), want 567", r.stdout, r.stderr)
	}
	if r := run(t, sb, sandbox.InheritUID, "id", "-u"); strings.TrimSpace(r.stdout) != fmt.Sprint(os.Getuid()) {
		t.Errorf("INHERIT_UID: id -u = %q, want %d", r.stdout, os.Getuid())
	}
}

func TestRunEnvironmentExact(t *testing.T) {
	needBwrap(t)
	t.Setenv("BST_TEST_HOST_VAR", "leak")
	sb := newSandbox(t, sysroot(t), buildCfg)
	env := []string{"A=1", "B=two words", "PATH=/bin"}
	var out bytes.Buffer
	code, err := sb.Run(context.Background(), sandbox.Command{Argv: []string{"env"}, Env: env, Stdout: &out, Flags: sandbox.RootReadOnly})
	if err != nil || code != 0 {
		t.Fatalf("env: %d %v", code, err)
	}
	// bwrap --chdir sets PWD, as it does for BuildStream.
	env = append(env, "PWD=/")
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	if strings.Join(got, "\n") != strings.Join(env, "\n") {
		t.Errorf("environment in the sandbox:\n%s\nwant exactly:\n%s", out.String(), strings.Join(env, "\n"))
	}
}

func TestRunExitCodeAndStdin(t *testing.T) {
	needBwrap(t)
	sb := newSandbox(t, sysroot(t), buildCfg)
	for _, want := range []int{0, 1, 42} {
		if r := run(t, sb, sandbox.RootReadOnly, "sh", "-c", fmt.Sprintf("exit %d", want)); r.code != want {
			t.Errorf("exit %d reported as %d", want, r.code)
		}
	}
	// stdin is /dev/null: cat ends at once.
	if r := run(t, sb, sandbox.RootReadOnly, "cat"); r.code != 0 || r.stdout != "" {
		t.Errorf("cat of stdin: %d %q", r.code, r.stdout)
	}
	// Killed by a signal: -1, as BuildStream.
	if r := run(t, sb, sandbox.RootReadOnly, "sh", "-c", "kill -9 $$"); r.code == 0 {
		t.Errorf("killed command reported success")
	}
}

func TestRunCancel(t *testing.T) {
	needBwrap(t)
	root := sysroot(t)
	sb := newSandbox(t, root, buildCfg)
	sb.MarkDirectory("/buildstream-install")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := sb.Run(ctx, sandbox.Command{
		Argv: []string{"sh", "-c", "sleep 1 & sleep 1; touch /buildstream-install/late"}, Env: []string{"PATH=/bin"},
		Flags: sandbox.RootReadOnly,
	})
	if bsterr.ReasonOf(err) != sandbox.Cancelled || bsterr.DomainOf(err) != bsterr.DomainSandbox {
		t.Fatalf("Run after cancel: %v, want SANDBOX %s", err, sandbox.Cancelled)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap the context's", err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("Run returned %v after start; the sandbox was not killed promptly", d)
	}
	time.Sleep(1500 * time.Millisecond)
	if _, err := os.Lstat(filepath.Join(root, "buildstream-install", "late")); err == nil {
		t.Errorf("the command kept running after cancellation")
	}
}

func TestMissingBwrap(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := New(context.Background(), t.TempDir(), buildCfg, Options{})
	if bsterr.DomainOf(err) != bsterr.DomainSandbox || bsterr.ReasonOf(err) != sandbox.ToolNotFound {
		t.Fatalf("New without bwrap: %v, want SANDBOX %s", err, sandbox.ToolNotFound)
	}
}

func TestMissingCommand(t *testing.T) {
	sb, err := New(context.Background(), sysroot(t), buildCfg, Options{Host: &DefaultHost})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sb.Run(context.Background(), sandbox.Command{Argv: []string{"make"}, Env: []string{"PATH=/usr/bin:/bin"}})
	if bsterr.ReasonOf(err) != sandbox.MissingCommand {
		t.Fatalf("Run of a command the root lacks: %v, want %s", err, sandbox.MissingCommand)
	}
}

func TestRunLogsCommandLine(t *testing.T) {
	needBwrap(t)
	var log bytes.Buffer
	sb, err := New(context.Background(), sysroot(t), buildCfg, Options{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	run(t, sb, sandbox.RootReadOnly, "true")
	if !strings.HasPrefix(log.String(), "Running: env -i ") || !strings.Contains(log.String(), "--remount-ro / ") {
		t.Errorf("log: %q", log.String())
	}
}
