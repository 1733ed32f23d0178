// Package bwrap is the local sandbox: it runs commands with bubblewrap, as
// BuildStream 1.6's SandboxBwrap (buildstream/sandbox/_sandboxbwrap.py).
//
// The command line is built by a pure function, Args (or Host.Args), in
// BuildStream's order, and golden-tested (testdata/args.golden, regenerate
// with go test -update). One deliberate difference: BuildStream passes
// --setenv for every variable and --unsetenv for every host variable not in
// the command's environment; bst keeps the --setenv list but starts bwrap
// with an empty environment instead of listing host variables, so the argv
// does not depend on the host and the logged line, run under "env -i",
// reproduces the build.
//
// Sandbox (New) runs that argv: it checks bwrap is installed, creates the
// mount points bwrap needs inside the root (cwd, /proc, /tmp, /dev, marked
// directories) so a read-only staged tree works, feeds /dev/null as stdin
// unless interactive, runs bwrap in its own session and kills the whole
// session when ctx ends, and removes the mount-point debris it created.
//
// Imports: internal/sandbox and internal/bsterr; os/exec (sandbox packages
// are the only ones that start build processes).
package bwrap
