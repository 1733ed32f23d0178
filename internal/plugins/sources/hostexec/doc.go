// Package hostexec runs host tools (git, patch, xz, ...) for source
// plugins: with a fixed environment, every command line and its output
// written to a log, and failures reported as bsterr errors carrying the
// command and the tail of its standard error.
//
// It is the one place in the source plugins that uses os/exec. It may
// import plugin and bsterr.
package hostexec
