package sandbox

import (
	"sync"
	"syscall"
)

// Jobs keeps the process groups of the sandboxes that are running, so that
// they can be suspended and resumed together, as BuildStream suspends its
// jobs while it asks the user about a failure. The zero value is ready to
// use; a nil *Jobs keeps nothing. A sandbox that starts while the jobs are
// suspended is suspended at once, so nothing runs until Resume.
type Jobs struct {
	mu        sync.Mutex
	groups    map[int]bool
	suspended int // nested Suspend calls not yet resumed
}

// Add records the running process group pgid; the returned function
// forgets it (call it once the group's leader has been waited for).
func (j *Jobs) Add(pgid int) (remove func()) {
	if j == nil {
		return func() {}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.groups == nil {
		j.groups = map[int]bool{}
	}
	j.groups[pgid] = true
	if j.suspended > 0 {
		_ = syscall.Kill(-pgid, syscall.SIGSTOP)
	}
	return func() {
		j.mu.Lock()
		defer j.mu.Unlock()
		delete(j.groups, pgid)
	}
}

// Suspend stops every running sandbox (SIGSTOP to its process group) and
// those that start before the matching Resume.
func (j *Jobs) Suspend() {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.suspended++
	if j.suspended == 1 {
		for pgid := range j.groups {
			_ = syscall.Kill(-pgid, syscall.SIGSTOP)
		}
	}
}

// Resume continues what Suspend stopped.
func (j *Jobs) Resume() {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.suspended == 0 {
		return
	}
	j.suspended--
	if j.suspended == 0 {
		for pgid := range j.groups {
			_ = syscall.Kill(-pgid, syscall.SIGCONT)
		}
	}
}
