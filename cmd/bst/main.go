// Command bst is a fast implementation of the BuildStream integration build tool.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"example.org/bst/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
