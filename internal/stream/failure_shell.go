package stream

import (
	"context"
	"io"
	"sort"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/sandbox"
	"example.org/bst/internal/sandbox/bwrap"
)

// FailureShell runs an interactive shell in a failed build's sandbox (the
// prompt's "shell" choice), in the build directory with the build
// environment and a prompt naming the element. As BuildStream's, it is
// isolated: no network, the build uid. The sandbox root stays writable so
// that the user can try fixes; it is removed with the failed job anyway.
func (s *Session) FailureShell(ctx context.Context, f *Failure, stdin io.Reader, stdout, stderr io.Writer) error {
	if f.Sysroot == "" {
		return bsterr.Stream(bsterr.Reason("no-sandbox"), "%s: the failed job has no sandbox to shell into", f.Element.FullName)
	}
	e := f.Element
	cfg := sandbox.Config{BuildUID: e.Sandbox.BuildUID, BuildGID: e.Sandbox.BuildGID,
		BuildOS: e.Sandbox.BuildOS, BuildArch: e.Sandbox.BuildArch}
	opts, err := s.sandboxOptions(ctx, nil)
	if err != nil {
		return err
	}
	sb, err := bwrap.New(ctx, f.Sysroot, cfg, opts)
	if err != nil {
		return err
	}
	cwd := "/"
	v := func(name string) string { x, _, _ := e.Vars.Get(name); return x }
	if f.Buildtree != "" {
		cwd = v("build-root")
		sb.MarkDirectory(cwd)
	}
	if ir := v("install-root"); ir != "" {
		sb.MarkDirectory(ir)
	}
	env := append([]string{"PS1=[" + e.FullName + ":" + cwd + "]$ "}, f.Env...)
	sort.Strings(env)
	_, err = sb.Run(ctx, sandbox.Command{Argv: []string{"sh", "-i"}, Cwd: cwd, Env: env,
		Flags: sandbox.Interactive, Stdin: stdin, Stdout: stdout, Stderr: stderr})
	return err
}
