package hostexec

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
)

func TestRunEnvironmentAndLog(t *testing.T) {
	home := t.TempDir()
	var log bytes.Buffer
	x := New(&log, []string{"HOME=" + home, "LC_ALL=C.UTF-8"})
	out, err := x.Run(context.Background(), home, nil, "sh", "-c", `env | sort; pwd; echo to-stderr >&2`)
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{"HOME=" + home + "\n", "LC_ALL=C.UTF-8\n", "PATH=" + os.Getenv("PATH") + "\n", home + "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// os/exec adds PWD for a command with a directory; nothing else may leak in.
	if n := strings.Count(got, "="); n != 4 || !strings.Contains(got, "PWD="+home+"\n") {
		t.Errorf("want exactly HOME, LC_ALL, PATH and PWD, got %d:\n%s", n, got)
	}
	l := log.String()
	if !strings.Contains(l, "Running host command: sh -c 'env | sort; pwd; echo to-stderr >&2'\n") || !strings.Contains(l, "to-stderr") {
		t.Errorf("log lacks the command line or its stderr:\n%s", l)
	}
}

func TestRunStdin(t *testing.T) {
	x := New(nil, nil)
	out, err := x.Run(context.Background(), "", strings.NewReader("hello\n"), "cat")
	if err != nil || string(out) != "hello\n" {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestRunFailure(t *testing.T) {
	x := New(nil, nil)
	script := `i=0; while [ $i -lt 2000 ]; do echo "noise line $i" >&2; i=$((i+1)); done; echo "the real problem" >&2; echo partial; exit 3`
	out, err := x.Run(context.Background(), "", nil, "sh", "-c", script)
	var e *bsterr.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *bsterr.Error, got %v", err)
	}
	if e.Domain != bsterr.DomainSource || e.Reason != CommandFailed {
		t.Errorf("got %s/%s", e.Domain, e.Reason)
	}
	if !strings.Contains(e.Msg, "sh -c") || !strings.Contains(e.Msg, "exit code 3") {
		t.Errorf("message: %s", e.Msg)
	}
	if !strings.HasSuffix(e.Detail, "the real problem") || len(e.Detail) > stderrTail+16 {
		t.Errorf("detail is not the tail of stderr (%d bytes): ...%s", len(e.Detail), e.Detail[max(0, len(e.Detail)-80):])
	}
	if string(out) != "partial\n" {
		t.Errorf("stdout on failure: %q", out)
	}
	if ExitCode(err) != 3 {
		t.Errorf("ExitCode = %d", ExitCode(err))
	}
	if ExitCode(errors.New("x")) != -1 {
		t.Error("ExitCode of a plain error")
	}
}

func TestRunNotFound(t *testing.T) {
	x := New(nil, []string{"PATH=" + t.TempDir()})
	_, err := x.Run(context.Background(), "", nil, "sh", "-c", "true")
	var e *bsterr.Error
	if !errors.As(err, &e) || e.Domain != bsterr.DomainProg || e.Reason != ProgramNotFound {
		t.Fatalf("got %v", err)
	}
}

func TestRunUsesCommandPath(t *testing.T) {
	bin := t.TempDir()
	tool := filepath.Join(bin, "bst-test-tool")
	if err := os.WriteFile(tool, []byte("#!/bin/sh\necho from-tool\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	x := New(nil, []string{"PATH=" + bin + ":" + os.Getenv("PATH")})
	out, err := x.Run(context.Background(), "", nil, "bst-test-tool")
	if err != nil || string(out) != "from-tool\n" {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestRunCancelKillsGroup(t *testing.T) {
	x := New(nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	// The child sleep keeps stdout open: without killing the group, Run
	// would wait for it.
	_, err := x.Run(ctx, "", nil, "sh", "-c", "sleep 30 & sleep 30; wait")
	if err == nil {
		t.Fatal("want an error")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancellation took %s", d)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error does not wrap the context's: %v", err)
	}
}

func TestCommandLineQuoting(t *testing.T) {
	got := commandLine("patch", []string{"-p1", "-i", "/a b/it's.patch", ""})
	want := `patch -p1 -i '/a b/it'\''s.patch' ''`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestRunHasNoControllingTerminal(t *testing.T) {
	x := New(nil, nil)
	out, err := x.Run(context.Background(), "", nil, "sh", "-c", "if (exec 3</dev/tty) 2>/dev/null; then echo tty; else echo no-tty; fi")
	if err != nil || string(out) != "no-tty\n" {
		t.Errorf("got %q, %v", out, err)
	}
}
