// Package lockedfile creates and manipulates files whose contents should only
// change atomically, and provides Mutex, a lock shared between goroutines and
// processes through a well-known file.
//
// It is a small version of cmd/go's internal/lockedfile for Unix: locks are
// flock(2) locks (shared for readers, exclusive for writers), which belong to
// an open file description, so two opens of the same file conflict even
// within one process, and the kernel drops them when a process dies. That
// last property is what the CAS uses to tell live sessions from crashed ones
// (TryOpenFile). Lock, RLock, TryLock, Unlock and LockContext lock an open
// *os.File directly, for callers that keep lock files open and lock them
// again and again (the CAS's collector lock).
//
// Imports: the standard library and golang.org/x/sys/unix only; nothing from
// this module.
package lockedfile
