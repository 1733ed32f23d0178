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
	ps := startOnPty(t, failingProject(t, 2), "--builders", "1", "build", "all.bst")
	tm := ps.tm
	tm.waitFor(t, " oe (4/4) ", 1)
	tm.waitFor(t, "Choice: [continue]: ", 1)
	if !strings.Contains(tm.String(), "Build failure on element: a-bad.bst") {
		t.Errorf("no failure summary:\n%s", tm.String())
	}
	ps.send("l\n")
	tm.waitFor(t, "about to fail", 2) // the message line... and the log
	tm.waitFor(t, "Choice: [continue]: ", 2)
	ps.send("r\n")
	tm.waitFor(t, "Retrying failed job", 1)
	tm.waitFor(t, "Choice: [continue]: ", 3)
	if strings.Contains(tm.String(), "(cached failure") {
		t.Errorf("retry replayed the cached failure instead of building again:\n%s", tm.String())
	}
	ps.send("q\n")
	ps.waitFailed(t)
	out := tm.String()
	if hasMessage(out, "build", "z-good.bst", "START") {
		t.Errorf("z-good.bst was started after quit:\n%s", out)
	}
	if !strings.Contains(out, "(Built:1 0 ") {
		t.Errorf("the status area never counted the built base:\n%s", out)
	}
}

// TestPromptSuspendsJobs: while the failure prompt waits for an answer,
// the other running build is stopped (as BuildStream suspends its jobs),
// and it goes on once the answer is given.
func TestPromptSuspendsJobs(t *testing.T) {
	proj := failingProject(t, 2)
	write(t, filepath.Join(proj, "elements/m-slow.bst"), `kind: manual
build-depends:
- base.bst
config:
  build-commands:
  - i=0; while [ $i -lt 120 ]; do i=$((i+1)); sleep 0.05; done
`)
	write(t, filepath.Join(proj, "elements/pair.bst"), "kind: stack\ndepends:\n- a-bad.bst\n- m-slow.bst\n")
	ps := startOnPty(t, proj, "--builders", "2", "build", "pair.bst")
	cmd, tm := ps.cmd, ps.tm
	tm.waitFor(t, "Choice: [continue]: ", 1)
	// The slow element's sandbox: bwrap, a child of bst, leads its own
	// process group.
	states := func() map[int]byte {
		out := map[int]byte{}
		for _, pid := range childrenNamed(cmd.Process.Pid, "bwrap") {
			for p, st := range groupStates(pid) {
				out[p] = st
			}
		}
		return out
	}
	deadline := time.Now().Add(10 * time.Second)
	var got map[int]byte
	for time.Now().Before(deadline) {
		got = states()
		if len(got) > 0 && allState(got, 'T') {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(got) == 0 {
		t.Fatalf("no running sandbox while the prompt waits (the slow build ended too soon?):\n%s", tm.String())
	}
	if !allState(got, 'T') {
		t.Fatalf("the other job was not suspended while the prompt waits: process states %v", got)
	}
	time.Sleep(300 * time.Millisecond)
	if got := states(); !allState(got, 'T') {
		t.Fatalf("the suspended job woke up before the answer: process states %v", got)
	}
	ps.send("c\n")
	tm.waitFor(t, "m-slow.bst", 2)
	ps.waitFailed(t)
	if !hasMessage(tm.String(), "build", "m-slow.bst", "SUCCESS") {
		t.Errorf("the suspended build did not finish after the answer:\n%s", tm.String())
	}
}

// ptySession is bst running on a pseudo-terminal of 40x100, as a user's
// session leader with the terminal as its controlling terminal.
type ptySession struct {
	cmd    *exec.Cmd
	master *os.File
	tm     *terminal
}

// startOnPty builds the bst binary and runs it with args in dir on a new
// pseudo-terminal; what it writes collects in the session's terminal.
func startOnPty(t *testing.T, dir string, args ...string) *ptySession {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bst")
	if out, err := exec.Command("go", "build", "-o", bin, "example.org/bst/cmd/bst").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	master, slave := openPty(t)
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 100}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=xterm"}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	slave.Close()
	ps := &ptySession{cmd: cmd, master: master, tm: &terminal{}}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			ps.tm.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	return ps
}

// send types input to bst.
func (ps *ptySession) send(input string) { ps.master.WriteString(input) }

// waitFailed waits for bst to exit and fails the test unless it exits
// with an error (the builds in these tests have a failure).
func (ps *ptySession) waitFailed(t *testing.T) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- ps.cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("bst build succeeded although a-bad.bst failed")
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("bst did not exit:\n%s", ps.tm.String())
	}
}

// childrenNamed returns the pids of ppid's children whose command is name.
func childrenNamed(ppid int, name string) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		f := procStat(pid)
		if len(f) > 3 && f[1] == "("+name+")" && f[3] == fmt.Sprint(ppid) {
			out = append(out, pid)
		}
	}
	return out
}

// groupStates returns the state letter of each process in process group pgid.
func groupStates(pgid int) map[int]byte {
	out := map[int]byte{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		f := procStat(pid)
		if len(f) > 4 && f[4] == fmt.Sprint(pgid) {
			out[pid] = f[2][0]
		}
	}
	return out
}

// procStat is /proc/PID/stat split into fields (commands without spaces).
func procStat(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	return strings.Fields(string(data))
}

func allState(states map[int]byte, want byte) bool {
	for _, st := range states {
		if st != want {
			return false
		}
	}
	return true
}

// TestFailureShellOwnsTerminal: in the failure shell, ^C interrupts the
// shell's command and not bst, which asks again once the shell exits.
func TestFailureShellOwnsTerminal(t *testing.T) {
	proj := failingProject(t, 2)
	ps := startOnPty(t, proj, "--builders", "1", "build", "a-bad.bst")
	tm := ps.tm
	tm.waitFor(t, "Choice: [continue]: ", 1)
	ps.send("s\n")
	tm.waitFor(t, "[a-bad.bst:", 1) // the shell's prompt
	ps.send("sleep 30; echo slept-through\n")
	time.Sleep(500 * time.Millisecond)
	ps.send("\x03") // ^C
	tm.waitFor(t, "[a-bad.bst:", 2)
	ps.send("echo still-here-$((6*7))\n")
	tm.waitFor(t, "still-here-42", 1)
	ps.send("exit\n")
	tm.waitFor(t, "Choice: [continue]: ", 2)
	if strings.Count(tm.String(), "slept-through") > 1 { // once: the echoed command line
		t.Errorf("^C did not interrupt the shell's command:\n%s", tm.String())
	}
	ps.send("q\n")
	ps.waitFailed(t)
}
