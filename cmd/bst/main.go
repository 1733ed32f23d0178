// Command bst is a fast implementation of the BuildStream integration build tool.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"example.org/bst/internal/cli"
	"example.org/bst/internal/gctune"
)

func main() {
	// bst is short-lived and allocates mostly while loading: collect only
	// when the heap nears a limit (unless the user tuned the GC).
	gctune.Tune(gctune.DefaultLimit, os.Getenv("GOGC") != "", os.Getenv("GOMEMLIMIT") != "")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
