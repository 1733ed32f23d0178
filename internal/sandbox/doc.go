// Package sandbox defines how bst runs build commands in isolation: the
// Sandbox interface, the Command it runs, the Config that goes into cache
// keys, and Directories, the root and marked (writable) directories that
// every implementation keeps.
//
// It mirrors BuildStream 1.6's buildstream/sandbox/sandbox.py: a sandbox has
// a root directory (the staged sysroot on the host), a list of marked
// directories (the build root, the install root, shell mounts) that stay
// writable when the root is read-only, and runs commands with Flags that
// have BuildStream's values (ROOT_READ_ONLY=1, NETWORK_ENABLED=2,
// INTERACTIVE=4, INHERIT_UID=8, CREATE_DEV_SHM=16).
//
// Implementations live in subpackages: sandbox/bwrap runs bubblewrap on the
// host. Only sandbox packages start build processes (os/exec).
//
// Imports: internal/bsterr only.
package sandbox
