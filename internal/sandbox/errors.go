package sandbox

import (
	"fmt"

	"example.org/bst/internal/bsterr"
)

// Reasons of SANDBOX errors, named as BuildStream's SandboxError reasons
// where it has one.
const (
	// ToolNotFound: the sandbox's host tool (bwrap) is not installed.
	ToolNotFound bsterr.Reason = "missing-sandbox-tool"
	// MissingCommand: the staged root does not provide the command.
	MissingCommand bsterr.Reason = "missing-command"
	// UnsupportedConfig: the host cannot build for the configured OS/arch.
	UnsupportedConfig bsterr.Reason = "unsupported-config"
	// StartFailed: the sandbox could not be set up or started.
	StartFailed bsterr.Reason = "sandbox-failed"
	// Cancelled: the context ended and the sandbox was killed.
	Cancelled bsterr.Reason = "cancelled"
)

// Errorf returns a SANDBOX-domain error with the given reason.
func Errorf(r bsterr.Reason, format string, args ...any) *bsterr.Error {
	return &bsterr.Error{Domain: bsterr.DomainSandbox, Reason: r, Msg: fmt.Sprintf(format, args...)}
}
