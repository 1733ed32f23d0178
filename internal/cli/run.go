package cli

import (
	"context"
	"io"
	"os"
)

// Invocation is one run of bst: its arguments and its surroundings. Nothing
// in bst reads the process's working directory or environment directly, so
// tests can run many invocations in parallel in one process.
type Invocation struct {
	Args   []string            // arguments after the program name
	Dir    string              // working directory; "" means the process's
	Env    func(string) string // environment lookup; nil means os.Getenv
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Run parses args and carries out the command in the process's surroundings,
// returning the error (if any) without printing it.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return Execute(ctx, Invocation{Args: args, Stdin: os.Stdin, Stdout: stdout, Stderr: stderr})
}

// Execute carries out one invocation and returns its error without printing
// it. Tests call Execute to inspect bsterr reasons.
func Execute(ctx context.Context, inv Invocation) error {
	if inv.Env == nil {
		inv.Env = os.Getenv
	}
	if inv.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		inv.Dir = wd
	}
	if inv.Stdin == nil {
		inv.Stdin = os.Stdin
	}
	if inv.Stdout == nil {
		inv.Stdout = io.Discard
	}
	if inv.Stderr == nil {
		inv.Stderr = io.Discard
	}
	if path := inv.Env("BST_CPUPROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			return err
		}
		defer stop()
	}
	if path := inv.Env("BST_MEMPROFILE"); path != "" {
		defer writeMemProfile(path)
	}
	if path := inv.Env("BST_TRACE"); path != "" {
		stop, err := startTrace(path)
		if err != nil {
			return err
		}
		defer stop()
	}
	app := newApp(ctx, inv)
	return app.execute(inv.Args)
}
