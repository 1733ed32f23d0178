package stream

import (
	"context"
	"sort"
	"sync"

	"example.org/bst/internal/element"
)

// OnError is what a build does after a job fails (BuildStream's
// --on-error and the user configuration's scheduler.on-error).
type OnError string

// The on-error modes.
const (
	// OnErrorQuit finishes the running jobs and starts no new one.
	OnErrorQuit OnError = "quit"
	// OnErrorContinue goes on with every job that does not depend on a
	// failed one.
	OnErrorContinue OnError = "continue"
	// OnErrorTerminate stops the running jobs at once.
	OnErrorTerminate OnError = "terminate"
)

// FailureAction is the answer to one failure: an on-error mode, or a
// retry of the failed job.
type FailureAction int

// The answers a FailureHandler gives.
const (
	ActionQuit FailureAction = iota
	ActionContinue
	ActionTerminate
	ActionRetry
)

// actionOf is the FailureAction of an on-error mode.
func actionOf(m OnError) FailureAction {
	switch m {
	case OnErrorContinue:
		return ActionContinue
	case OnErrorTerminate:
		return ActionTerminate
	}
	return ActionQuit
}

// Failure describes a failed build job to a FailureHandler.
type Failure struct {
	Element *element.Element
	Err     error
	// LogPath is the job's log file.
	LogPath string
	// Sysroot is the failed build's staged sandbox root and Buildtree the
	// build directory in it, "" when the job got no sandbox. Both exist
	// only while the handler runs.
	Sysroot, Buildtree string
	// Env is the build environment (NAME=value), for a shell.
	Env []string
}

// FailureHandler decides what happens after a failure: BuildStream's
// interactive prompt. The scheduler asks one failure at a time; Build
// suspends the running sandboxes while the handler runs (fetches, which
// run no sandbox, go on).
type FailureHandler func(ctx context.Context, f *Failure) FailureAction

// jobResult is what one build job reports to the scheduler.
type jobResult struct {
	e      *element.Element
	err    error
	action FailureAction // for a failure
}

// scheduler runs build jobs in staging order with at most n at a time: a
// job starts once every element its element stages is built. A failure
// is handled as the handler (or else the on-error mode) says.
type scheduler struct {
	n       int
	onError OnError
	handler FailureHandler
	run     func(ctx context.Context, e *element.Element, decide func(*Failure) FailureAction) error

	askMu     sync.Mutex // one prompt at a time
	terminate func()     // cancels the jobs' context (set by runAll)
}

// decide answers a failure, asking the handler if there is one. It runs
// in the failed job, before its sandbox is removed.
func (sc *scheduler) decide(ctx context.Context, f *Failure) FailureAction {
	if sc.handler == nil || ctx.Err() != nil {
		return sc.act(actionOf(sc.onError))
	}
	sc.askMu.Lock()
	defer sc.askMu.Unlock()
	if ctx.Err() != nil { // terminated while this failure waited its turn
		return ActionTerminate
	}
	return sc.act(sc.handler(ctx, f))
}

// act carries out what must not wait for the job's result: terminate
// stops the running jobs (and any prompt queued behind this one) at once.
func (sc *scheduler) act(a FailureAction) FailureAction {
	if a == ActionTerminate && sc.terminate != nil {
		sc.terminate()
	}
	return a
}

// runAll builds todo and returns the failures, in the order they
// happened (nil when every element was built).
func (sc *scheduler) runAll(ctx context.Context, todo []*element.Element) []error {
	n := sc.n
	if n <= 0 {
		n = 4
	}
	jobCtx, terminate := context.WithCancel(ctx)
	defer terminate()
	sc.terminate = terminate
	pending := make(map[*element.Element]bool, len(todo))
	for _, e := range todo {
		pending[e] = true
	}
	failed := map[*element.Element]bool{}
	// blocked reports whether e waits for an element that failed (it can
	// never be built in this session).
	blocked := func(e *element.Element) bool {
		for _, d := range e.BuildDependencies() {
			if failed[d] {
				return true
			}
		}
		return false
	}
	ready := func(e *element.Element) bool {
		for _, d := range e.BuildDependencies() {
			if pending[d] {
				return false
			}
		}
		return true
	}
	results := make(chan jobResult)
	running := 0
	stopping := false
	var failures []error
	queue := criticalFirst(todo)
	start := func(e *element.Element) {
		running++
		go func() {
			var action FailureAction
			decided := false
			err := sc.run(jobCtx, e, func(f *Failure) FailureAction {
				action, decided = sc.decide(jobCtx, f), true
				return action
			})
			if err != nil && !decided {
				// A failure outside the build itself (logs, the cache):
				// the same choice applies.
				action = sc.decide(jobCtx, &Failure{Element: e, Err: err})
			}
			if err != nil && jobCtx.Err() != nil && action != ActionRetry {
				action = ActionTerminate
			}
			results <- jobResult{e: e, err: err, action: action}
		}()
	}
	for {
		if !stopping && jobCtx.Err() == nil {
			for i := 0; i < len(queue) && running < n; {
				e := queue[i]
				if blocked(e) {
					queue = append(queue[:i], queue[i+1:]...)
					failed[e] = true // its reverse dependencies are blocked too
					continue
				}
				if !ready(e) {
					i++
					continue
				}
				queue = append(queue[:i], queue[i+1:]...)
				start(e)
			}
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		if r.err == nil {
			delete(pending, r.e)
			continue
		}
		switch r.action {
		case ActionRetry:
			// Build it again, not replay the failure just cached.
			r.e.SetCachedFailure(false)
			queue = append([]*element.Element{r.e}, queue...)
			continue
		case ActionContinue:
		case ActionTerminate:
			stopping = true
			terminate()
		default:
			stopping = true
		}
		failed[r.e] = true
		failures = append(failures, r.err)
	}
	if len(failures) == 0 && ctx.Err() != nil {
		return []error{ctx.Err()}
	}
	return failures
}

// criticalFirst orders todo (in staging order) so that, among the elements
// ready at any time, the one with the longest chain of elements waiting
// for it comes first: the critical path goes first. Ties keep the staging
// order.
func criticalFirst(todo []*element.Element) []*element.Element {
	in := make(map[*element.Element]bool, len(todo))
	for _, e := range todo {
		in[e] = true
	}
	// chain is the length of the longest chain of elements of todo that
	// stage e (directly or not), e included.
	chain := make(map[*element.Element]int, len(todo))
	for i := len(todo) - 1; i >= 0; i-- {
		e := todo[i]
		if chain[e] == 0 {
			chain[e] = 1
		}
		for _, d := range e.BuildDependencies() {
			if in[d] && chain[d] < chain[e]+1 {
				chain[d] = chain[e] + 1
			}
		}
	}
	out := append([]*element.Element(nil), todo...)
	sort.SliceStable(out, func(i, j int) bool { return chain[out[i]] > chain[out[j]] })
	return out
}
