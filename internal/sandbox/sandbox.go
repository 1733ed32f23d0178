package sandbox

import (
	"context"
	"io"
)

// Sandbox runs commands inside an isolated view of a staged root directory.
type Sandbox interface {
	// Root is the host path of the sandbox's root directory.
	Root() string
	// MarkDirectory marks path (absolute, inside the sandbox) as a
	// directory whose writes must survive the command even when the root is
	// read-only, as BuildStream's Sandbox.mark_directory.
	MarkDirectory(path string)
	// SetMountSource makes the marked directory path come from the host
	// directory source instead of from inside the root (workspaces, shell
	// mounts), as BuildStream's Sandbox._set_mount_source.
	SetMountSource(path, source string)
	// Run runs cmd and returns its exit status. A command that runs and
	// fails is not an error: err reports only failures to run it at all,
	// or ctx ending (the sandbox is then killed).
	Run(ctx context.Context, cmd Command) (exitCode int, err error)
}

// Flags select how a command runs; the values are BuildStream's SandboxFlags.
type Flags int

// Sandbox flags, numbered as in BuildStream (sandbox/sandbox.py).
const (
	// RootReadOnly remounts the root read-only; only marked directories
	// (and /tmp, /dev/shm) stay writable.
	RootReadOnly Flags = 1 << iota
	// NetworkEnabled keeps the host's network, UTS and IPC namespaces.
	NetworkEnabled
	// Interactive gives the command the terminal: stdin is inherited and
	// /dev is a full devtmpfs instead of five bound device nodes.
	Interactive
	// InheritUID runs as the invoking user instead of the build uid/gid.
	InheritUID
	// CreateDevShm mounts a tmpfs at /dev/shm.
	CreateDevShm
)

// Config is the part of the sandbox setup that affects build results; it
// goes into cache keys.
type Config struct {
	BuildUID  int
	BuildGID  int
	BuildOS   string // e.g. "Linux" (uname -s)
	BuildArch string // e.g. "x86_64" (uname -m)
	// Network, when true, is as if every command carried NetworkEnabled.
	Network bool
}

// Command is one command to run in a sandbox.
type Command struct {
	// Argv is the command and its arguments, run as given (BuildStream
	// builds run ["sh", "-c", "-e", "<cmd>\n"]).
	Argv []string
	// Cwd is the working directory inside the sandbox; "" means "/".
	Cwd string
	// Env is the complete environment, sorted "KEY=VALUE" entries. Nothing
	// from the host's environment leaks in.
	Env   []string
	Flags Flags
	// Stdin is used only with Interactive; otherwise stdin is /dev/null.
	Stdin io.Reader
	// Stdout and Stderr receive the command's output; nil discards it.
	Stdout io.Writer
	Stderr io.Writer
}

// Dir returns the working directory, "/" when Cwd is empty.
func (c Command) Dir() string {
	if c.Cwd == "" {
		return "/"
	}
	return c.Cwd
}

// Mount is a marked directory: Path inside the sandbox, bound from the host
// directory Source.
type Mount struct {
	Path   string
	Source string
}
