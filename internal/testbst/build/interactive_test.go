package build

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPty returns the two ends of a new pseudo-terminal.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("cannot unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("cannot name the pseudo-terminal: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("cannot open the pseudo-terminal: %v", err)
	}
	return m, s
}

// terminal collects what bst writes to the terminal.
type terminal struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (tm *terminal) Write(p []byte) (int, error) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.buf.Write(p)
}

func (tm *terminal) String() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.buf.String()
}

// waitFor waits until the terminal has shown text n times in all.
func (tm *terminal) waitFor(t *testing.T, text string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Count(tm.String(), text) >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the terminal never showed %q (%d times):\n%s", text, n, tm.String())
}

// TestInteractiveFailure runs the bst binary on a terminal: the status area
// is drawn, a failure brings up the prompt, "log" prints the log,
// "retry" builds again and "quit" ends the session.
func TestInteractiveFailure(t *testing.T) {
	proj := failingProject(t, 2)
	bin := filepath.Join(t.TempDir(), "bst")
	if out, err := exec.Command("go", "build", "-o", bin, "example.org/bst/cmd/bst").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	master, slave := openPty(t)
	defer master.Close()
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 100}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--builders", "1", "build", "all.bst")
	cmd.Dir = proj
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=xterm"}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	var tm terminal
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			tm.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	tm.waitFor(t, " oe (4/4) ", 1)
	tm.waitFor(t, "Choice: [continue]: ", 1)
	if !strings.Contains(tm.String(), "Build failure on element: a-bad.bst") {
		t.Errorf("no failure summary:\n%s", tm.String())
	}
	master.WriteString("l\n")
	tm.waitFor(t, "about to fail", 2) // the message line... and the log
	tm.waitFor(t, "Choice: [continue]: ", 2)
	master.WriteString("r\n")
	tm.waitFor(t, "Retrying failed job", 1)
	tm.waitFor(t, "Choice: [continue]: ", 3)
	if strings.Contains(tm.String(), "(cached failure") {
		t.Errorf("retry replayed the cached failure instead of building again:\n%s", tm.String())
	}
	master.WriteString("q\n")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("bst build succeeded although a-bad.bst failed")
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("bst did not quit:\n%s", tm.String())
	}
	out := tm.String()
	if hasMessage(out, "build", "z-good.bst", "START") {
		t.Errorf("z-good.bst was started after quit:\n%s", out)
	}
	if !strings.Contains(out, "(Built:1 0 ") {
		t.Errorf("the status area never counted the built base:\n%s", out)
	}
}
