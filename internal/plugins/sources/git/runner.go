package git

import (
	"bytes"
	"context"
	"errors"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
)

// runner runs git through the source environment's Executor.
type runner struct {
	x plugin.Executor
}

func newRunner(env *plugin.SourceEnv) (runner, error) {
	if env == nil || env.Exec == nil {
		return runner{}, bsterr.Source(bsterr.Unknown, nil, "git sources need a host command executor")
	}
	return runner{x: env.Exec}, nil
}

// run runs `git args...` in dir and returns its standard output.
func (r runner) run(ctx context.Context, dir string, args ...string) (string, error) {
	out, err := r.x.Run(ctx, dir, nil, "git", args...)
	return string(out), err
}

// input runs `git args...` in dir with stdin.
func (r runner) input(ctx context.Context, dir, stdin string, args ...string) (string, error) {
	out, err := r.x.Run(ctx, dir, strings.NewReader(stdin), "git", args...)
	return string(out), err
}

// line runs git and returns its output without the trailing newline.
func (r runner) line(ctx context.Context, dir string, args ...string) (string, error) {
	out, err := r.run(ctx, dir, args...)
	return strings.TrimRight(out, "\n"), err
}

// ok runs git and reports whether it exited with status 0; a cancelled
// context is returned as an error.
func (r runner) ok(ctx context.Context, dir string, args ...string) (bool, error) {
	_, err := r.run(ctx, dir, args...)
	if err == nil {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if exitCode(err) >= 0 {
		return false, nil
	}
	return false, err
}

// exitCode returns the exit status of the failed command in err's chain,
// or -1.
func exitCode(err error) int {
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return -1
}

// lines splits output into non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// batchCheck returns, for each object name, whether the repository at
// dir has it (one `git cat-file --batch-check` for all of them).
func (r runner) batchCheck(ctx context.Context, dir string, names []string) (map[string]bool, error) {
	have := make(map[string]bool, len(names))
	if len(names) == 0 {
		return have, nil
	}
	var in bytes.Buffer
	for _, n := range names {
		in.WriteString(n)
		in.WriteByte('\n')
	}
	out, err := r.input(ctx, dir, in.String(), "cat-file", "--batch-check=%(objectname) %(objecttype)")
	if err != nil {
		return nil, err
	}
	ls := strings.Split(strings.TrimRight(out, "\n"), "\n")
	for i, n := range names {
		if i < len(ls) && !strings.HasSuffix(ls[i], " missing") && !strings.HasSuffix(ls[i], " ambiguous") {
			have[n] = true
		}
	}
	return have, nil
}
