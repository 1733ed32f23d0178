package testbst

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/bst/internal/cli"
)

// Timeout bounds one invocation. Past it Run gives up on the invocation (its
// goroutine is left behind, e.g. blocked opening a FIFO) and returns an error,
// so one hanging case cannot take the whole test binary down with it.
const Timeout = 2 * time.Minute

// passThrough are the host variables an invocation still sees: the tools bst
// runs (git, bwrap, tar) are found on PATH, and temporary files go where the
// host wants them. Everything else, HOME and XDG_* above all, is isolated.
var passThrough = []string{"PATH", "TMPDIR"}

// homes maps each test to its isolated home directory, so that all of one
// test's invocations (a setup `bst workspace open`, the command, a checkout
// step) share one configuration and cache, as consecutive runs of bst do.
var homes sync.Map // testing.TB -> string

// Home returns t's isolated home directory; Run points HOME there and the
// XDG directories at .config, .cache and .local/share under it.
func Home(t testing.TB) string {
	if h, ok := homes.Load(t); ok {
		return h.(string)
	}
	h := filepath.Join(t.TempDir(), "home")
	for _, d := range []string{".config", ".cache", ".local/share"} {
		if err := os.MkdirAll(filepath.Join(h, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if prev, loaded := homes.LoadOrStore(t, h); loaded {
		return prev.(string)
	}
	t.Cleanup(func() { homes.Delete(t) })
	return h
}

// Run runs bst with args in directory dir (the process's if ""), in-process,
// with an isolated environment: HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME and
// XDG_DATA_HOME point into t's temporary directory, PATH and TMPDIR come
// from the host, and env adds to or overrides these (a value of "" unsets).
// Stdin is empty. Run never fails t itself; see Result's assertions.
func Run(t testing.TB, dir string, env map[string]string, args ...string) Result {
	t.Helper()
	home := Home(t)
	vars := map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_CACHE_HOME":  filepath.Join(home, ".cache"),
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
	}
	for _, k := range passThrough {
		if v, ok := os.LookupEnv(k); ok {
			vars[k] = v
		}
	}
	for k, v := range env {
		vars[k] = v
	}
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return Result{Args: args, Err: err}
		}
		dir = wd
	}

	var stdout, stderr lockedBuffer
	inv := cli.Invocation{
		Args:   append([]string(nil), args...),
		Dir:    dir,
		Env:    func(k string) string { return vars[k] },
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- execute(ctx, inv) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(Timeout + 10*time.Second):
		err = fmt.Errorf("bst %s: no result after %v; abandoned", strings.Join(args, " "), Timeout)
	}

	r := Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String(), Err: err}
	if err != nil {
		var b bytes.Buffer
		cli.Report(&b, err)
		r.Stderr += b.String()
	}
	return r
}

// execute calls cli.Execute, turning a panic into an error so that one
// crashing case does not stop the others.
func execute(ctx context.Context, inv cli.Invocation) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return cli.Execute(ctx, inv)
}

// lockedBuffer is a bytes.Buffer safe for bst's concurrent writers and for
// reading while an abandoned invocation may still write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
