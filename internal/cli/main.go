package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"example.org/bst/internal/bsterr"
)

// Main runs bst with args (without the program name) and returns the process
// exit code: 0 on success, 255 (BuildStream's -1) on any error.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := Run(ctx, args, stdout, stderr)
	if err == nil {
		return 0
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		reportUsage(stderr, ue)
		return 2
	}
	Report(stderr, err)
	return 255
}

// Report prints err to w once, in BuildStream's shape, splitting joined errors.
func Report(w io.Writer, err error) {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			Report(w, e)
		}
		return
	}
	var be *bsterr.Error
	if errors.As(err, &be) {
		fmt.Fprintf(w, "bst: %s\n", be.Error())
		if be.Detail != "" {
			// BuildStream indents each line of an error's detail.
			fmt.Fprintln(w)
			for _, l := range strings.Split(strings.TrimRight(be.Detail, "\n"), "\n") {
				fmt.Fprintf(w, "    %s\n", l)
			}
		}
		return
	}
	fmt.Fprintf(w, "bst: %v\n", err)
}
