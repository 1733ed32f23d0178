package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins"
	"example.org/bst/internal/plugins/sources/hostexec"
	"example.org/bst/internal/stream"
	"example.org/bst/internal/userconfig"
)

// Version is bst's version string.
const Version = "0.1.0"

// globals are BuildStream's main options (bst [OPTIONS] COMMAND).
type globals struct {
	config        string
	directory     string
	options       [][2]string
	onError       string
	fetchers      int
	builders      int
	pushers       int
	maxJobs       int
	retries       int
	noInteractive bool
	verbose       bool
	debug         bool
	colors        bool
	strict        bool
	noStrict      bool
	errorLines    int
	messageLines  int
	logFile       string
	defaultMirror string
}

type app struct {
	// executor makes the host-tool runner for sources.
	executor stream.ExecutorFactory
	ctx      context.Context
	inv      Invocation
	g        globals
	root     *cobra.Command
	// start is when the invocation began (the status area's clock).
	start time.Time
}

func newApp(ctx context.Context, inv Invocation) *app {
	a := &app{ctx: ctx, inv: inv, start: time.Now()}
	a.executor = func(log io.Writer) plugin.Executor {
		env := []string{"PATH=" + inv.Env("PATH")}
		if home := inv.Env("HOME"); home != "" {
			env = append(env, "HOME="+home)
		}
		return hostexec.New(log, env)
	}
	root := &cobra.Command{
		Use:           "bst",
		Short:         "Build and integrate software stacks (a fast BuildStream)",
		Version:       Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		CompletionOptions: cobra.CompletionOptions{
			DisableDefaultCmd: true,
		},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(inv.Stdout)
	root.SetErr(inv.Stderr)
	root.SetIn(inv.Stdin)
	f := root.PersistentFlags()
	f.StringVarP(&a.g.config, "config", "c", "", "Configuration file to use")
	f.StringVarP(&a.g.directory, "directory", "C", "", "Project directory (default: current directory)")
	f.StringVar(&a.g.onError, "on-error", "", "What to do when an error is encountered [continue|quit|terminate]")
	f.IntVar(&a.g.fetchers, "fetchers", 0, "Maximum simultaneous download tasks")
	f.IntVar(&a.g.builders, "builders", 0, "Maximum simultaneous build tasks")
	f.IntVar(&a.g.pushers, "pushers", 0, "Maximum simultaneous upload tasks")
	f.IntVar(&a.g.maxJobs, "max-jobs", 0, "Number of parallel jobs allowed for a given build task")
	f.IntVar(&a.g.retries, "network-retries", 0, "Maximum retries for network tasks")
	f.BoolVar(&a.g.noInteractive, "no-interactive", false, "Force non interactive mode, otherwise this is automatically decided")
	f.BoolVar(&a.g.verbose, "verbose", false, "Be extra verbose")
	f.Bool("no-verbose", false, "Be less verbose")
	f.BoolVar(&a.g.debug, "debug", false, "Print debugging output")
	f.Bool("no-debug", false, "Do not print debugging output")
	f.IntVar(&a.g.errorLines, "error-lines", 0, "Maximum number of lines to show from a task log")
	f.IntVar(&a.g.messageLines, "message-lines", 0, "Maximum number of lines to show in a detailed message")
	f.StringVar(&a.g.logFile, "log-file", "", "A file to store the main log (allows storing the main log while in interactive mode)")
	f.BoolVar(&a.g.colors, "colors", false, "Force enable/disable ANSI color codes in output")
	f.Bool("no-colors", false, "Disable ANSI color codes in output")
	f.BoolVar(&a.g.strict, "strict", false, "Elements must be rebuilt when their dependencies have changed")
	f.BoolVar(&a.g.noStrict, "no-strict", false, "Elements need not be rebuilt when their dependencies change")
	f.StringVar(&a.g.defaultMirror, "default-mirror", "", "The mirror to fetch from first, before attempting other mirrors")
	// -o/--option takes two values; it is extracted before cobra sees it
	// (see splitOptions) and only declared here, on the main command alone,
	// for the help text.
	root.Flags().StringArrayP("option", "o", nil, "Specify a project option: -o OPTION VALUE")
	root.AddCommand(a.showCmd(), a.sourceGroup(), a.fetchCmd("fetch", true), a.trackCmd("track", true),
		a.workspaceGroup(), a.buildCmd(), a.artifactGroup(), a.checkoutCmd())
	a.root = root
	return a
}

func (a *app) execute(args []string) error {
	args, opts, err := splitOptions(args)
	if err != nil {
		return err
	}
	// The main -C/--directory is taken here: `workspace open` has its
	// own --directory, and cobra parses every flag with the command's.
	args, a.g.directory = splitDirectory(args)
	a.g.options = opts
	a.root.SetArgs(args)
	a.root.SetFlagErrorFunc(flagError)
	if c, err := a.root.ExecuteContextC(a.ctx); err != nil {
		var be *bsterr.Error
		if ok := asBst(err, &be); ok {
			return be
		}
		if ue := commandError(c, err); ue != nil {
			return ue
		}
		return bsterr.App(bsterr.InvalidData, "%s", err.Error())
	}
	return nil
}

// mainValueFlags are the main options that take a value, so that
// splitOptions can find where the command starts.
var mainValueFlags = map[string]bool{"-c": true, "--config": true, "-C": true, "--directory": true,
	"--on-error": true, "--fetchers": true, "--builders": true, "--pushers": true, "--max-jobs": true,
	"--network-retries": true, "--error-lines": true, "--message-lines": true, "--log-file": true,
	"--default-mirror": true}

// splitOptions removes "-o NAME VALUE" / "--option NAME VALUE" (Click's
// two-valued main option) from the main options, before the command.
func splitOptions(args []string) ([]string, [][2]string, error) {
	out := make([]string, 0, len(args))
	var opts [][2]string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") {
			out = append(out, args[i:]...)
			break
		}
		if a == "-o" || a == "--option" {
			if i+2 >= len(args) {
				return nil, nil, &UsageError{Msg: fmt.Sprintf("Option '%s' requires 2 arguments.", a)}
			}
			opts = append(opts, [2]string{args[i+1], args[i+2]})
			i += 2
			continue
		}
		out = append(out, a)
		if mainValueFlags[a] && i+1 < len(args) {
			out = append(out, args[i+1])
			i++
		}
	}
	return out, opts, nil
}

// splitDirectory removes the main options' -C/--directory (before the
// command) from args and returns its value (the last one given).
func splitDirectory(args []string) ([]string, string) {
	out := make([]string, 0, len(args))
	dir := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") {
			out = append(out, args[i:]...)
			break
		}
		switch {
		case (a == "-C" || a == "--directory") && i+1 < len(args):
			dir = args[i+1]
			i++
			continue
		case strings.HasPrefix(a, "--directory="):
			dir = strings.TrimPrefix(a, "--directory=")
			continue
		case strings.HasPrefix(a, "-C") && len(a) > 2:
			dir = a[2:]
			continue
		}
		out = append(out, a)
		if mainValueFlags[a] && i+1 < len(args) {
			out = append(out, args[i+1])
			i++
		}
	}
	return out, dir
}

// session builds the stream session from the global options.
func (a *app) session() (*stream.Session, error) {
	cfg, err := userconfig.Load(a.g.config, a.inv.Env)
	if err != nil {
		return nil, err
	}
	if a.g.maxJobs > 0 {
		cfg.MaxJobs = a.g.maxJobs
	}
	var strict *bool
	switch {
	case a.g.strict && a.g.noStrict:
		return nil, &UsageError{Msg: "--strict and --no-strict cannot be given together."}
	case a.g.strict:
		strict = &a.g.strict
	case a.g.noStrict:
		no := false
		strict = &no
	}
	return &stream.Session{
		Strict:        strict,
		Dir:           a.inv.Dir,
		ProjectDir:    a.g.directory,
		Env:           a.inv.Env,
		Config:        cfg,
		Registry:      plugins.Registry(),
		CLIOptions:    a.g.options,
		DefaultMirror: a.g.defaultMirror,
		Executor:      a.executor,
	}, nil
}

func usageError(c *cobra.Command, format string, args ...any) error {
	return &UsageError{Cmd: c, Msg: fmt.Sprintf(format, args...)}
}

// choice checks a flag value against its allowed values, as Click's Choice.
func choice(c *cobra.Command, flag, v string, allowed ...string) error {
	for _, x := range allowed {
		if v == x {
			return nil
		}
	}
	name := "'" + flag + "'"
	if f := c.Flags().Lookup(strings.TrimPrefix(flag, "--")); f != nil && f.Shorthand != "" {
		name += " / '-" + f.Shorthand + "'"
	}
	return &UsageError{Cmd: c, Msg: fmt.Sprintf("Invalid value for %s: '%s' is not one of %s.", name, v, "'"+strings.Join(allowed, "', '")+"'")}
}
