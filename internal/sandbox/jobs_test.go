package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// state is the process state letter of pid, waiting up to a second for
// want.
func state(t *testing.T, pid int, want byte) byte {
	t.Helper()
	var st byte
	for i := 0; i < 100; i++ {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(string(data))
		if st = f[2][0]; st == want {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return st
}

func startGroup(t *testing.T) *exec.Cmd {
	t.Helper()
	c := exec.Command("sleep", "30")
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := c.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	return c
}

func TestJobsSuspendResume(t *testing.T) {
	var j Jobs
	a := startGroup(t)
	removeA := j.Add(a.Process.Pid)
	j.Suspend()
	j.Suspend() // nested: one Resume is not enough
	if st := state(t, a.Process.Pid, 'T'); st != 'T' {
		t.Fatalf("after Suspend the job is in state %c, want T", st)
	}
	b := startGroup(t)
	defer j.Add(b.Process.Pid)()
	if st := state(t, b.Process.Pid, 'T'); st != 'T' {
		t.Errorf("a job added while suspended is in state %c, want T", st)
	}
	j.Resume()
	if st := state(t, a.Process.Pid, 'S'); st != 'T' {
		t.Errorf("after the inner Resume the job is in state %c, want T", st)
	}
	j.Resume()
	for _, c := range []*exec.Cmd{a, b} {
		if st := state(t, c.Process.Pid, 'S'); st != 'S' {
			t.Errorf("after Resume job %d is in state %c, want S", c.Process.Pid, st)
		}
	}
	removeA()
	j.Suspend()
	defer j.Resume()
	if st := state(t, a.Process.Pid, 'T'); st != 'S' {
		t.Errorf("a removed job was suspended: state %c", st)
	}
	var nobody *Jobs
	nobody.Add(a.Process.Pid)()
	nobody.Suspend()
	nobody.Resume()
}
