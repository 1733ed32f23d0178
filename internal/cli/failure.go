package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"example.org/bst/internal/stream"
)

// isTerminal reports whether f is a terminal.
func isTerminal(x any) bool {
	f, ok := x.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// interactive reports whether bst may ask the user: stdin and stderr are
// terminals and --no-interactive was not given (BuildStream's rule).
func (a *app) interactive() bool {
	return !a.g.noInteractive && isTerminal(a.inv.Stdin) && isTerminal(a.inv.Stderr)
}

// failurePrompt is BuildStream's interactive failure prompt: it asks what
// to do after a failed job, and can show the log or open a shell in the
// failed sandbox first.
type failurePrompt struct {
	in     *bufio.Reader
	out    io.Writer
	shell  func(ctx context.Context, f *stream.Failure) error
	status *statusArea // hidden while the prompt is up; nil for none
}

var promptChoices = []struct {
	name   string
	action stream.FailureAction
	help   string
}{
	{"continue", stream.ActionContinue, "Continue queueing jobs as much as possible"},
	{"quit", stream.ActionQuit, "Exit after all ongoing jobs complete"},
	{"terminate", stream.ActionTerminate, "Terminate any ongoing jobs and exit"},
	{"retry", stream.ActionRetry, "Retry this job"},
}

func (p *failurePrompt) ask(ctx context.Context, f *stream.Failure) stream.FailureAction {
	if p.status != nil {
		p.status.hold()
		defer p.status.release()
	}
	choices := []string{"continue", "quit", "terminate", "retry"}
	var b strings.Builder
	fmt.Fprintf(&b, "\nBuild failure on element: %s\n\nChoose one of the following options:\n", f.Element.FullName)
	for _, c := range promptChoices {
		fmt.Fprintf(&b, "  (%s)%-*s - %s\n", c.name[:1], 10-len(c.name), c.name[1:], c.help)
	}
	if f.LogPath != "" {
		choices = append(choices, "log")
		b.WriteString("  (l)og       - View the full log file\n")
	}
	if f.Sysroot != "" {
		choices = append(choices, "shell")
		b.WriteString("  (s)hell     - Drop into a shell in the failed build sandbox\n")
	}
	b.WriteString("\nPressing ^C will terminate jobs and exit\n")
	for {
		fmt.Fprint(p.out, b.String())
		fmt.Fprint(p.out, "\nChoice: [continue]: ")
		line, err := p.readLine(ctx)
		if err != nil {
			fmt.Fprintln(p.out)
			fmt.Fprint(p.out, "\nTerminating all jobs\n\n")
			return stream.ActionTerminate
		}
		choice, ok := matchChoice(strings.TrimSpace(line), choices)
		if !ok {
			fmt.Fprintf(p.out, "Error: invalid choice: %s. (choose from %s)\n", strings.TrimSpace(line), strings.Join(choices, ", "))
			continue
		}
		switch choice {
		case "log":
			p.showLog(f.LogPath)
			continue
		case "shell":
			fmt.Fprint(p.out, "\nDropping into an interactive shell in the failed build sandbox\n\n")
			if err := p.shell(ctx, f); err != nil {
				fmt.Fprintf(p.out, "Error while attempting to create interactive shell: %v\n", err)
			}
			continue
		}
		for _, c := range promptChoices {
			if c.name != choice {
				continue
			}
			switch c.action {
			case stream.ActionTerminate:
				fmt.Fprint(p.out, "\nTerminating all jobs\n\n")
			case stream.ActionQuit:
				fmt.Fprint(p.out, "\nCompleting ongoing tasks before quitting\n\n")
			case stream.ActionContinue:
				fmt.Fprint(p.out, "\nContinuing with other non failing elements\n\n")
			case stream.ActionRetry:
				fmt.Fprint(p.out, "\nRetrying failed job\n\n")
			}
			return c.action
		}
	}
}

// readLine reads one answer; ^C (the context's end) gives up waiting.
func (p *failurePrompt) readLine(ctx context.Context) (string, error) {
	type answer struct {
		line string
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		line, err := p.in.ReadString('\n')
		ch <- answer{line, err}
	}()
	select {
	case a := <-ch:
		return a.line, a.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// matchChoice accepts a choice by any unambiguous prefix; "" is the
// default, continue.
func matchChoice(s string, choices []string) (string, bool) {
	if s == "" {
		return "continue", true
	}
	found := ""
	for _, c := range choices {
		if strings.HasPrefix(c, s) {
			if found != "" {
				return "", false
			}
			found = c
		}
	}
	return found, found != ""
}

// showLog prints the log file. BuildStream pages it; bst prints it whole
// (host commands such as a pager run only from the sandbox and source
// packages, by the architecture's rule).
func (p *failurePrompt) showLog(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(p.out, "cannot read the log: %v\n", err)
		return
	}
	_, _ = p.out.Write(data)
}
