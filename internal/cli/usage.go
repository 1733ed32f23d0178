package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// UsageError is a command-line mistake, reported as Click does: the
// command's usage line, a hint, and "Error: ...", with exit status 2.
type UsageError struct {
	Cmd *cobra.Command // nil: no usage line (Click's "Option ... requires")
	Msg string
}

func (e *UsageError) Error() string { return e.Msg }

// usageLine renders Click's "Usage: bst show [OPTIONS] [ELEMENTS]...".
func usageLine(c *cobra.Command) string {
	if !c.HasParent() {
		return "bst [OPTIONS] COMMAND [ARGS]..."
	}
	path := c.CommandPath()
	args := ""
	if i := strings.IndexByte(c.Use, ' '); i >= 0 {
		args = " " + c.Use[i+1:]
	}
	if c.HasSubCommands() {
		args = " COMMAND [ARGS]..."
	}
	return path + " [OPTIONS]" + args
}

func reportUsage(w io.Writer, e *UsageError) {
	if e.Cmd != nil {
		fmt.Fprintf(w, "Usage: %s\nTry '%s -h' for help.\n\n", usageLine(e.Cmd), e.Cmd.CommandPath())
	}
	fmt.Fprintf(w, "Error: %s\n", e.Msg)
}

// flagError turns pflag's messages into Click's.
func flagError(c *cobra.Command, err error) error {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "unknown flag: "):
		msg = "No such option: " + strings.TrimPrefix(msg, "unknown flag: ")
	case strings.HasPrefix(msg, "unknown shorthand flag: "):
		if i := strings.LastIndex(msg, " in "); i >= 0 {
			msg = "No such option: " + strings.TrimSpace(msg[i+4:])
		}
	case strings.HasPrefix(msg, "flag needs an argument: "):
		name := strings.TrimPrefix(msg, "flag needs an argument: ")
		if i := strings.LastIndex(name, " in "); i >= 0 {
			name = strings.TrimSpace(name[i+4:])
		}
		name = strings.Trim(name, "'")
		msg = fmt.Sprintf("Option '%s' requires an argument.", name)
	}
	return &UsageError{Cmd: c, Msg: msg}
}

// commandError turns cobra's command errors into Click's.
func commandError(c *cobra.Command, err error) error {
	var ue *UsageError
	if errors.As(err, &ue) {
		return ue
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown command ") {
		name := strings.TrimPrefix(msg, "unknown command ")
		if i := strings.Index(name, " for "); i >= 0 {
			name = name[:i]
		}
		return &UsageError{Cmd: c, Msg: fmt.Sprintf("No such command '%s'.", strings.Trim(name, `"`))}
	}
	if strings.Contains(msg, "arg(s)") {
		return &UsageError{Cmd: c, Msg: "Got unexpected extra argument"}
	}
	return nil
}
