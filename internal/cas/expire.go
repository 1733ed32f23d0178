package cas

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"example.org/bst/internal/digest"
	"example.org/bst/internal/lockedfile"
)

// ExpireStats reports what Expire did.
type ExpireStats struct {
	RefsRemoved       int   // least recently used refs removed
	ObjectsRemoved    int64 // objects removed (executable copies included)
	BytesRemoved      int64
	SessionsCollected int // finished (closed or killed) sessions folded
	// The work done, which grows with what is removed (and what finished
	// sessions logged), not with the cache: ref log lines read and objects
	// whose holders were checked.
	RefLogLines     int
	ObjectsExamined int64
	Bytes, Objects  int64 // usage afterwards
	Quota           int64 // effective quota (reserved disk space applied); 0 if none
	Target          int64 // usage aimed for when the quota was exceeded, else 0
}

// Expire enforces the quota. It always folds finished sessions (closed,
// or killed) into the usage total and removes what they stored that no
// ref holds. Then, if usage exceeds the quota (LocalOptions.Quota, shrunk
// when less than ReservedDiskSpace is free), it removes refs from least to
// most recently used, skipping those for which protect (may be nil)
// returns true, until usage is at most LowWatermark times the quota; each
// removed ref frees the objects nothing else holds. Objects pinned by a
// live session of any process are never removed.
//
// Its cost grows with what it removes and with what finished sessions
// logged, not with the size of the cache (see the package documentation).
// If usage still exceeds the quota afterwards, it returns the stats and a
// CacheFull error.
//
// Call it regularly (bst does at the end of a command), with or without a
// quota: it is cheap when there is nothing to do, and it is what frees the
// garbage of finished sessions and keeps the ref log compact.
func (l *Local) Expire(ctx context.Context, protect func(ref string) bool) (ExpireStats, error) {
	unlock, err := l.wlock(ctx)
	if err != nil {
		return ExpireStats{}, err
	}
	defer unlock()
	var st ExpireStats
	base, err := l.readBaseUsage()
	if err != nil {
		return st, err
	}
	live, candidates, err := l.foldFinishedSessionsLocked(&base, &st)
	if err != nil {
		return st, err
	}
	pins, err := l.livePinsLocked(live)
	if err != nil {
		return st, casError(StoreFailed, err, "cannot read cache sessions")
	}
	var cs collectStats
	err = l.collectLocked(candidates, pins, &cs)
	base.bytes -= cs.bytes
	base.objects -= cs.objects
	st.ObjectsRemoved += cs.objects
	st.BytesRemoved += cs.bytes
	st.ObjectsExamined += cs.examined
	if err != nil {
		l.writeBaseUsageLocked(base)
		return st, err
	}
	logBytes, logObjects, err := l.logUsage()
	if err != nil {
		return st, casError(StoreFailed, err, "cannot read the cache usage")
	}
	used := usage{base.bytes + logBytes, base.objects + logObjects}
	high, target := l.watermarks(used.bytes)
	state := l.readRefLogState()
	if high > 0 && used.bytes > high {
		st.Target = target
		state, err = l.expireRefsLocked(ctx, protect, pins, target, &used, &base, &st)
	}
	if werr := l.writeBaseUsageLocked(base); err == nil {
		err = werr
	}
	if merr := l.maintainRefLogLocked(state); err == nil {
		err = merr
	}
	st.Bytes, st.Objects, st.Quota = used.bytes, used.objects, high
	if err == nil && high > 0 && used.bytes > high {
		err = casError(CacheFull, nil, "the cache is full: %d bytes used, quota %d bytes, and what is left is protected or in use", used.bytes, high)
	}
	return st, err
}

// watermarks returns the effective quota for the current usage and the
// usage to expire down to; (0, 0) means no limit.
func (l *Local) watermarks(used int64) (high, target int64) {
	high = l.opts.Quota
	if high <= 0 {
		high = math.MaxInt64
	}
	if l.opts.ReservedDiskSpace > 0 {
		if _, free, err := l.opts.DiskSpace(l.casDir); err == nil {
			high = min(high, max(used+free-l.opts.ReservedDiskSpace, 1))
		}
	}
	if high == math.MaxInt64 {
		return 0, 0
	}
	return high, int64(float64(high) * l.opts.LowWatermark)
}

// foldFinishedSessionsLocked finds the session logs whose owner is gone
// (their lock can be taken), adds what they recorded to base, removes them
// and their leftover temporary files, and returns the live logs and the
// objects the finished sessions pinned: candidates for collection, since
// their pins no longer protect them. The caller holds wlock.
func (l *Local) foldFinishedSessionsLocked(base *usage, st *ExpireStats) (live []string, candidates []digest.Digest, err error) {
	names, err := l.sessionLogs()
	if err != nil {
		return nil, nil, casError(StoreFailed, err, "cannot list cache sessions")
	}
	seen := map[digest.Digest]bool{}
	var finished []*lockedfile.File
	var finishedIDs []string
	defer func() {
		for _, f := range finished {
			f.Close()
		}
	}()
	for _, name := range names {
		path := filepath.Join(l.casDir, sessionsDir, name)
		f, err := lockedfile.TryOpenFile(path, os.O_RDWR, 0)
		if errors.Is(err, lockedfile.ErrLocked) {
			live = append(live, name)
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, casError(StoreFailed, err, "cannot open cache session %s", name)
		}
		finished = append(finished, f)
		finishedIDs = append(finishedIDs, strings.TrimSuffix(name, ".log"))
		var sum logSum
		if _, err := scanLog(path, 0, func(kind byte, d digest.Digest) {
			sum.add(kind, d)
			if (kind == recCreated || kind == recPinned) && !seen[d] {
				seen[d] = true
				candidates = append(candidates, d)
			}
		}); err != nil {
			return nil, nil, casError(StoreFailed, err, "cannot read cache session %s", name)
		}
		base.bytes += sum.bytes
		base.objects += sum.objects
	}
	if len(finished) == 0 {
		return live, nil, nil
	}
	// The total first: a crash before the logs are gone counts them twice
	// (too high, so expiry errs on the side of space), never loses them.
	if err := l.writeBaseUsageLocked(*base); err != nil {
		return nil, nil, err
	}
	for i, f := range finished {
		os.Remove(f.Name())
		l.removeSessionTemps(finishedIDs[i])
		st.SessionsCollected++
	}
	return live, candidates, nil
}

// removeSessionTemps removes the temporary files a finished session left
// (a killed Put): they were never linked, so never visible as objects.
func (l *Local) removeSessionTemps(id string) {
	matches, _ := filepath.Glob(filepath.Join(l.tmpPath(), id+"-*"))
	for _, m := range matches {
		os.Remove(m)
	}
}

// expireRefsLocked removes refs from the front of the ref log until used
// is at most target, and returns the new ref log state. Protected refs
// that come up are moved to the end of the log. The caller holds wlock.
func (l *Local) expireRefsLocked(ctx context.Context, protect func(string) bool, pins pinSet, target int64, used, base *usage, st *ExpireStats) (refLogState, error) {
	state := l.readRefLogState()
	r, err := l.openRefLog(state.head)
	if err != nil || r == nil {
		return state, err
	}
	defer r.f.Close()
	var moved []byte
	for used.bytes > target {
		if err = ctx.Err(); err != nil {
			break
		}
		line, ok := r.next()
		if !ok {
			break
		}
		state.head = r.pos
		st.RefLogLines++
		if !l.current(line) {
			continue
		}
		if protect != nil && protect(line.ref) {
			moved = append(moved, line.text...)
			continue
		}
		var cs collectStats
		if err = l.expireRefLocked(line.ref, pins, &cs); err != nil {
			break
		}
		st.RefsRemoved++
		st.ObjectsExamined += cs.examined
		st.ObjectsRemoved += cs.objects
		st.BytesRemoved += cs.bytes
		used.bytes -= cs.bytes
		used.objects -= cs.objects
		base.bytes -= cs.bytes
		base.objects -= cs.objects
	}
	if aerr := l.appendRefLogLines(moved); err == nil {
		err = aerr
	}
	return state, err
}

// expireRefLocked removes one ref and collects what it alone held.
func (l *Local) expireRefLocked(ref string, pins pinSet, cs *collectStats) error {
	path, err := l.refPath(ref)
	if err != nil {
		return err
	}
	d, err := readRef(ref, path)
	if err != nil {
		// Corrupt: it holds nothing we can release.
		return removeRefFile(ref, path)
	}
	if err := removeRefFile(ref, path); err != nil {
		return err
	}
	r, err := l.adjustRefcountLocked(d, -1, false)
	if err != nil || r.holders > 0 {
		return err
	}
	return l.collectLocked([]digest.Digest{d}, pins, cs)
}

// String renders the stats for logs and tests.
func (s ExpireStats) String() string {
	return fmt.Sprintf("removed %d refs, %d objects (%d bytes); collected %d sessions; read %d ref log lines, examined %d objects; usage %d bytes in %d objects (quota %d, target %d)",
		s.RefsRemoved, s.ObjectsRemoved, s.BytesRemoved, s.SessionsCollected, s.RefLogLines, s.ObjectsExamined, s.Bytes, s.Objects, s.Quota, s.Target)
}
