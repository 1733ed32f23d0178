package bwrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"example.org/bst/internal/sandbox"
)

// Options configure a Sandbox.
type Options struct {
	// Host is what bwrap can do; nil means Probe it.
	Host *Host
	// Log, if set, receives one line per command: the bwrap command line,
	// runnable as given ("env -i bwrap ...").
	Log io.Writer
	// KeepMountPoints keeps the mount points a run creates in the root
	// (/proc, /tmp, /dev and its device nodes) for the next runs, until
	// Close. A root that is thrown away after its runs (a build element's)
	// then gets them once instead of once per run; a root that becomes an
	// artifact must not set it, or must Close before it is collected.
	KeepMountPoints bool
	// Jobs, if set, records the process group of each non-interactive run
	// while it runs, so that the session can suspend it.
	Jobs *sandbox.Jobs
}

// Sandbox runs commands with bubblewrap on the host.
type Sandbox struct {
	sandbox.Directories
	cfg  sandbox.Config
	host Host
	log  io.Writer
	keep bool
	kept []*debris // runs' mount points, when keep
	jobs *sandbox.Jobs
}

var _ sandbox.Sandbox = (*Sandbox)(nil)

// New returns a bubblewrap sandbox whose root is the staged directory root.
// It fails with a SANDBOX error if bwrap is missing or the host cannot build
// for cfg's OS and architecture (or, without user namespaces, uid and gid).
func New(ctx context.Context, root string, cfg sandbox.Config, opts Options) (*Sandbox, error) {
	var h Host
	if opts.Host != nil {
		h = *opts.Host
	} else {
		var err error
		if h, err = Probe(ctx); err != nil {
			return nil, err
		}
	}
	if err := checkConfig(&h, cfg); err != nil {
		return nil, err
	}
	return &Sandbox{Directories: sandbox.NewDirectories(root), cfg: cfg, host: h, log: opts.Log, keep: opts.KeepMountPoints, jobs: opts.Jobs}, nil
}

// checkConfig refuses configurations the host cannot run and sets
// h.Linux32 for 32-bit builds on a 64-bit host (_platform/linux.py).
func checkConfig(h *Host, cfg sandbox.Config) error {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return sandbox.Errorf(sandbox.StartFailed, "uname: %v", err).Wrap(err)
	}
	hostOS, hostArch := unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Machine[:])
	if cfg.BuildOS != "" && cfg.BuildOS != hostOS {
		return sandbox.Errorf(sandbox.UnsupportedConfig, "Configured and host OS don't match (%s, %s)", cfg.BuildOS, hostOS)
	}
	if cfg.BuildArch != "" && cfg.BuildArch != hostArch {
		if !(cfg.BuildArch == "i686" && hostArch == "x86_64" || cfg.BuildArch == "armv7l" && hostArch == "aarch64") {
			return sandbox.Errorf(sandbox.UnsupportedConfig, "Configured and host architecture don't match (%s, %s)", cfg.BuildArch, hostArch)
		}
		if h.Linux32 == "" {
			p, err := exec.LookPath("linux32")
			if err != nil {
				return sandbox.Errorf(sandbox.UnsupportedConfig, "Configured and host architecture don't match (%s, %s) and linux32 is not installed", cfg.BuildArch, hostArch)
			}
			h.Linux32 = p
		}
	}
	if !h.UserNS && (cfg.BuildUID != os.Getuid() || cfg.BuildGID != os.Getgid()) {
		return sandbox.Errorf(sandbox.UnsupportedConfig,
			"bwrap cannot create user namespaces here, so builds run as uid %d gid %d, not the configured %d/%d",
			os.Getuid(), os.Getgid(), cfg.BuildUID, cfg.BuildGID)
	}
	return nil
}

// Close removes the mount points that KeepMountPoints kept, newest first.
func (s *Sandbox) Close() {
	for i := len(s.kept) - 1; i >= 0; i-- {
		s.kept[i].remove()
	}
	s.kept = nil
}

// Args returns the command line Run would use for cmd.
func (s *Sandbox) Args(cmd sandbox.Command) []string {
	return s.host.Args(s.Root(), s.Mounts(), s.cfg, cmd)
}

// Run runs cmd in the sandbox and returns its exit code (-1 if a signal
// ended it). The error is non-nil only if the sandbox could not run the
// command, or ctx ended; the sandbox is then killed.
func (s *Sandbox) Run(ctx context.Context, cmd sandbox.Command) (int, error) {
	if len(cmd.Argv) == 0 {
		return -1, sandbox.Errorf(sandbox.StartFailed, "no command to run")
	}
	if err := ctx.Err(); err != nil {
		return -1, sandbox.Errorf(sandbox.Cancelled, "sandbox not started: %v", err).Wrap(err)
	}
	if !s.hasCommand(cmd) {
		return -1, sandbox.Errorf(sandbox.MissingCommand, "Staged artifacts do not provide command '%s'", cmd.Argv[0])
	}
	debris, err := s.prepare(cmd)
	if s.keep && !debris.interactive {
		s.kept = append(s.kept, debris)
	} else {
		defer debris.remove()
	}
	if err != nil {
		return -1, err
	}
	argv := s.Args(cmd)
	if s.log != nil {
		fmt.Fprintf(s.log, "Running: env -i %s\n", quoteArgs(argv))
	}
	return s.run(ctx, argv, cmd)
}

func (s *Sandbox) run(ctx context.Context, argv []string, cmd sandbox.Command) (int, error) {
	interactive := cmd.Flags&sandbox.Interactive != 0
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	c.Env = []string{} // a clean environment: only the --setenv list reaches the command
	c.Stdout, c.Stderr = cmd.Stdout, cmd.Stderr
	if interactive {
		c.Stdin = cmd.Stdin
		if c.Stdin == nil {
			c.Stdin = os.Stdin
		}
		if tty, ok := c.Stdin.(*os.File); ok && inForeground(tty) {
			// The shell gets the terminal to itself, as a shell's job
			// would: its own process group in the foreground, so that
			// ^C and ^Z go to it and not to bst. (A shell with job
			// control takes it anyway; one without would not.)
			c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Foreground: true, Ctty: int(tty.Fd())}
			defer takeTerminal(tty)
		}
	} else {
		// Own session, so a terminal's signals go to bst, which stops the
		// whole session (bwrap, its pid-namespace init, the command) at once.
		c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	}
	c.WaitDelay = 5 * time.Second
	err := c.Start()
	if err == nil {
		if !interactive {
			// Its own session and process group: pgid is bwrap's pid.
			defer s.jobs.Add(c.Process.Pid)()
		}
		err = c.Wait()
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return -1, sandbox.Errorf(sandbox.Cancelled, "sandbox killed: %v", ctxErr).Wrap(ctxErr)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1, nil
		}
		return ee.ExitCode(), nil
	}
	if err != nil {
		return -1, sandbox.Errorf(sandbox.StartFailed, "running bwrap: %v", err).Wrap(err)
	}
	return 0, nil
}

// hasCommand reports whether the root provides cmd.Argv[0], searching the
// command's PATH for a bare name (BuildStream's Sandbox._has_command).
// Links are not followed: an absolute link in the root points into the root.
func (s *Sandbox) hasCommand(cmd sandbox.Command) bool {
	name := cmd.Argv[0]
	exists := func(p string) bool {
		_, err := os.Lstat(filepath.Join(s.Root(), p))
		return err == nil
	}
	if strings.Contains(name, "/") {
		return exists(filepath.Join("/", cmd.Dir(), name))
	}
	path := ""
	for _, kv := range cmd.Env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if exists(filepath.Join(dir, name)) {
			return true
		}
	}
	return false
}

func quoteArgs(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
		}) < 0 {
			q[i] = a
		} else {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}

// inForeground reports whether f is a terminal whose foreground process
// group is bst's.
func inForeground(f *os.File) bool {
	pgrp, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// takeTerminal makes bst's process group the terminal's foreground group
// again after an interactive sandbox had it. A background process that
// does so is sent SIGTTOU, ignored meanwhile.
func takeTerminal(tty *os.File) {
	signal.Ignore(syscall.SIGTTOU)
	defer signal.Reset(syscall.SIGTTOU)
	_ = unix.IoctlSetPointerInt(int(tty.Fd()), unix.TIOCSPGRP, unix.Getpgrp())
}
