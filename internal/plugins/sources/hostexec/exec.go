package hostexec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
)

// Reasons of the errors Run returns.
const (
	// CommandFailed: the command ran and exited non-zero (or was killed).
	CommandFailed bsterr.Reason = "command-failed"
	// ProgramNotFound: the tool is not in PATH (domain PROG_NOT_FOUND).
	ProgramNotFound bsterr.Reason = "program-not-found"
)

// Limits on what is kept of a command's output for logs and errors.
const (
	stderrTail = 4 << 10  // bytes of standard error quoted in an error
	logLimit   = 64 << 10 // bytes of each stream copied to the log
)

// waitDelay bounds how long Run waits for a killed command's pipes.
const waitDelay = 5 * time.Second

// Exec runs host commands with a fixed environment. It is safe for
// concurrent use; log lines of concurrent commands do not interleave
// within a command's record.
type Exec struct {
	log io.Writer
	env []string
	mu  sync.Mutex // serialises writes to log
}

var _ plugin.Executor = (*Exec)(nil)

// New returns an Exec whose commands see exactly the environment
// LC_ALL=C, PATH=<the host's PATH>, followed by env ("NAME=value" entries,
// which add to or replace those two; pass HOME=<dir> to give tools a home).
// Each command line and its output are written to log (nil discards them).
func New(log io.Writer, env []string) *Exec {
	if log == nil {
		log = io.Discard
	}
	return &Exec{log: log, env: mergeEnv([]string{"LC_ALL=C", "PATH=" + os.Getenv("PATH")}, env)}
}

// Env returns the environment commands run with.
func (e *Exec) Env() []string { return append([]string(nil), e.env...) }

// mergeEnv returns base with each entry of extra added, replacing an entry
// of base with the same name.
func mergeEnv(base, extra []string) []string {
	out := append([]string(nil), base...)
	for _, kv := range extra {
		name, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, old := range out {
			if n, _, _ := strings.Cut(old, "="); n == name {
				out[i], replaced = kv, true
				break
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}

// Run runs name with args in dir ("" = the current directory), feeding it
// stdin (nil = no input), and returns its standard output. On failure the
// error is a *bsterr.Error (domain SOURCE, reason CommandFailed, or domain
// PROG_NOT_FOUND, reason ProgramNotFound) whose message names the command
// and whose Detail holds the tail of its standard error; the output read so
// far is returned with it. Cancelling ctx kills the command's whole process
// group.
func (e *Exec) Run(ctx context.Context, dir string, stdin io.Reader, name string, args ...string) ([]byte, error) {
	line := commandLine(name, args)
	path, err := lookPath(name, pathOf(e.env))
	if err != nil {
		e.logf("Running host command: %s\nDid not find '%s' in PATH\n", line, name)
		return nil, &bsterr.Error{
			Domain: bsterr.DomainProg, Reason: ProgramNotFound,
			Msg: fmt.Sprintf("Did not find '%s' in PATH: %s", name, pathOf(e.env)), Err: err,
		}
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Args[0] = name
	cmd.Dir = dir
	cmd.Env = e.env
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	// A new session: no controlling terminal, so tools that would ask a
	// question on /dev/tty (patch, ssh, git) take their default answer
	// instead of stopping; and a process group to kill as a whole.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay

	start := time.Now()
	runErr := cmd.Run()
	e.logRecord(line, dir, stdout.Bytes(), stderr.Bytes(), runErr, time.Since(start))
	if runErr == nil {
		return stdout.Bytes(), nil
	}
	return stdout.Bytes(), failure(ctx, line, stderr.Bytes(), runErr)
}

// failure builds the error of a command that ran and failed.
func failure(ctx context.Context, line string, stderr []byte, runErr error) error {
	var msg string
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		msg = fmt.Sprintf("Command '%s' was interrupted: %v", line, ctx.Err())
		runErr = errors.Join(ctx.Err(), runErr)
	case errors.As(runErr, &exitErr) && exitErr.Exited():
		msg = fmt.Sprintf("Command '%s' failed with exit code %d", line, exitErr.ExitCode())
	default:
		msg = fmt.Sprintf("Command '%s' failed: %v", line, runErr)
	}
	e := &bsterr.Error{Domain: bsterr.DomainSource, Reason: CommandFailed, Msg: msg, Err: runErr}
	if t := tail(stderr, stderrTail); t != "" {
		e.Detail = t
	}
	return e
}

// ExitCode returns the exit status of the command that made err fail, or
// -1 when err does not come from a command that exited.
func ExitCode(err error) int {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.Exited() {
		return exitErr.ExitCode()
	}
	return -1
}

// tail returns the last n bytes of b (starting at a line boundary when
// one is near), without trailing whitespace.
func tail(b []byte, n int) string {
	b = bytes.TrimRight(b, " \t\r\n")
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 && i < 256 {
			b = b[i+1:]
		}
		return "[...]\n" + string(b)
	}
	return string(b)
}

// logRecord writes one command's record to the log.
func (e *Exec) logRecord(line, dir string, stdout, stderr []byte, err error, d time.Duration) {
	var b strings.Builder
	fmt.Fprintf(&b, "Running host command: %s\n", line)
	if dir != "" {
		fmt.Fprintf(&b, "    in directory: %s\n", dir)
	}
	writeStream(&b, "stdout", stdout)
	writeStream(&b, "stderr", stderr)
	if err != nil {
		fmt.Fprintf(&b, "    failed after %s: %v\n", d.Round(time.Millisecond), err)
	} else {
		fmt.Fprintf(&b, "    done in %s\n", d.Round(time.Millisecond))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = io.WriteString(e.log, b.String())
}

func (e *Exec) logf(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fmt.Fprintf(e.log, format, args...)
}

// writeStream copies up to logLimit bytes of one output stream, indented.
func writeStream(b *strings.Builder, name string, out []byte) {
	if len(out) == 0 {
		return
	}
	cut := 0
	if len(out) > logLimit {
		cut = len(out) - logLimit
		out = out[:logLimit]
	}
	fmt.Fprintf(b, "    %s:\n", name)
	for _, l := range strings.SplitAfter(strings.TrimRight(string(out), "\n"), "\n") {
		b.WriteString("      ")
		b.WriteString(strings.TrimRight(l, "\n"))
		b.WriteByte('\n')
	}
	if cut > 0 {
		fmt.Fprintf(b, "      [%d more bytes not logged]\n", cut)
	}
}

// commandLine renders name and args as a shell would need them quoted.
func commandLine(name string, args []string) string {
	parts := make([]string, 0, len(args)+1)
	for _, a := range append([]string{name}, args...) {
		parts = append(parts, quote(a))
	}
	return strings.Join(parts, " ")
}

func quote(s string) string {
	if s == "" {
		return "''"
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./=:,+@%", c)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

// lookPath finds name in the directories of pathList (the commands'
// PATH, which may differ from this process's).
func lookPath(name, pathList string) (string, error) {
	if strings.Contains(name, "/") {
		return exec.LookPath(name)
	}
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			continue // an empty entry would mean ".", which we never search
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

func pathOf(env []string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			return v
		}
	}
	return ""
}
