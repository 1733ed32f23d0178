package bwrap

import (
	"strconv"
	"strings"

	"example.org/bst/internal/sandbox"
)

// Devices are the device nodes bound into a non-interactive sandbox, in
// BuildStream's order.
var Devices = [...]string{"/dev/full", "/dev/null", "/dev/urandom", "/dev/random", "/dev/zero"}

// Host describes what the host's bubblewrap can do; it is what BuildStream's
// Linux platform probes once (_platform/linux.py).
type Host struct {
	// Bwrap is argv[0] for bubblewrap: a path or a name looked up in PATH.
	Bwrap string
	// Linux32, if not empty, is the linux32 tool prepended to run a 32-bit
	// build (i686 on x86_64, armv7l on aarch64).
	Linux32 string
	// UserNS: bwrap can create user namespaces (--unshare-user, any uid).
	UserNS bool
	// DieWithParent: bwrap has --die-with-parent (0.1.8 and later).
	DieWithParent bool
}

// DefaultHost is a bwrap found in PATH with user namespaces and
// --die-with-parent, the usual case on current distributions.
var DefaultHost = Host{Bwrap: "bwrap", UserNS: true, DieWithParent: true}

// Args returns DefaultHost.Args(root, marked, cfg, cmd).
func Args(root string, marked []sandbox.Mount, cfg sandbox.Config, cmd sandbox.Command) []string {
	return DefaultHost.Args(root, marked, cfg, cmd)
}

// Args returns the bubblewrap command line that runs cmd with the host
// directory root as "/" and the marked directories bound writable, in the
// order BuildStream 1.6 builds it. It is pure: it reads nothing from the host.
func (h Host) Args(root string, marked []sandbox.Mount, cfg sandbox.Config, cmd sandbox.Command) []string {
	flags := cmd.Flags
	if cfg.Network {
		flags |= sandbox.NetworkEnabled
	}
	var a []string
	if h.Linux32 != "" {
		a = append(a, h.Linux32)
	}
	bwrap := h.Bwrap
	if bwrap == "" {
		bwrap = "bwrap"
	}
	a = append(a, bwrap)
	for _, kv := range cmd.Env {
		k, v, _ := strings.Cut(kv, "=")
		a = append(a, "--setenv", k, v)
	}
	a = append(a, "--unshare-pid")
	if h.DieWithParent {
		a = append(a, "--die-with-parent")
	}
	// The root is bound writable first so that the other mounts can go on
	// top of it; it is remounted read-only at the end if asked.
	a = append(a, "--bind", root, "/")
	if flags&sandbox.NetworkEnabled == 0 {
		a = append(a, "--unshare-net", "--unshare-uts", "--hostname", "buildstream", "--unshare-ipc")
	}
	a = append(a, "--chdir", cmd.Dir())
	a = append(a, "--proc", "/proc", "--tmpfs", "/tmp")
	if flags&sandbox.Interactive != 0 {
		a = append(a, "--dev", "/dev")
	} else {
		for _, d := range Devices {
			a = append(a, "--dev-bind", d, d)
		}
	}
	if flags&sandbox.CreateDevShm != 0 {
		a = append(a, "--tmpfs", "/dev/shm")
	}
	for _, m := range marked {
		a = append(a, "--dev-bind", m.Source, m.Path)
	}
	if flags&sandbox.RootReadOnly != 0 {
		a = append(a, "--remount-ro", "/")
	}
	if h.UserNS {
		a = append(a, "--unshare-user")
		if flags&sandbox.InheritUID == 0 {
			a = append(a, "--uid", strconv.Itoa(cfg.BuildUID), "--gid", strconv.Itoa(cfg.BuildGID))
		}
	}
	return append(a, cmd.Argv...)
}
