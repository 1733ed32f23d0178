package cas

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"example.org/bst/internal/digest"
	"example.org/bst/internal/lockedfile"
)

// RepairStats reports what Repair changed.
type RepairStats struct {
	ObjectsRemoved  int64 // unreachable, unpinned objects (and stray executable copies)
	BytesRemoved    int64
	RefcountsFixed  int   // records rewritten, created or removed
	RefsRemoved     int   // corrupt ref files
	SessionsRemoved int   // finished sessions' logs
	Bytes, Objects  int64 // usage afterwards, counted on disk
}

// Repair recomputes everything the store keeps incrementally from the
// refs, the objects and the live sessions' pins: reference counts, the
// usage total and the ref log; it removes objects nothing holds or pins and
// finished sessions' leftovers. Unlike Expire, its cost grows with the
// size of the cache: it is the recovery for what crashes at the wrong
// moment leave behind (counts one too high, so objects never freed; a
// usage total off by what a killed collector was doing), for a cache
// edited by hand, and a check for tests. Directory objects are checked
// against their digest; file objects are not read.
func (l *Local) Repair(ctx context.Context) (RepairStats, error) {
	unlock, err := l.wlock(ctx)
	if err != nil {
		return RepairStats{}, err
	}
	defer unlock()
	var st RepairStats
	a, err := l.auditLocked(ctx, true)
	if err != nil {
		return st, err
	}
	for _, id := range a.finished {
		os.Remove(filepath.Join(l.casDir, sessionsDir, id+".log"))
		l.removeSessionTemps(id)
		st.SessionsRemoved++
	}
	for _, ref := range a.corruptRefs {
		if path, err := l.refPath(ref); err == nil && os.Remove(path) == nil {
			st.RefsRemoved++
		}
	}
	if err := l.repairObjects(a, &st); err != nil {
		return st, err
	}
	if err := l.repairRefcounts(a, &st); err != nil {
		return st, err
	}
	// Usage: what is on disk, less what live sessions' logs will add.
	logBytes, logObjects, err := l.logUsage()
	if err != nil {
		return st, casError(StoreFailed, err, "cannot read the cache usage")
	}
	if err := l.writeBaseUsageLocked(usage{st.Bytes - logBytes, st.Objects - logObjects}); err != nil {
		return st, err
	}
	return st, l.rebuildRefLogLocked(a)
}

// audit is the state Repair computes from first principles.
type audit struct {
	refs        map[string]digest.Digest // ref -> root
	refTimes    map[string]time.Time
	corruptRefs []string
	objects     map[string]int64      // hash -> size of objects on disk
	execs       map[string]int64      // hash -> size of executable copies
	records     map[tableKey]refcount // the table as it is
	want        map[tableKey]refcount // the table as it should be
	pinned      map[string]bool       // pinned by live sessions
	finished    []string              // ids of finished sessions
}

// tableKeyOfHash is the table key of a hex hash.
func tableKeyOfHash(hash string) tableKey {
	var k hashKey
	hex.Decode(k[:], []byte(hash))
	return tableKeyOf(k)
}

// keep reports whether the object with this hash must stay.
func (a *audit) keep(hash string) bool {
	w := a.want[tableKeyOfHash(hash)]
	return w.holders > 0 || w.dir || a.pinned[hash]
}

// hold adds holders to the expected record of d (and marks it registered).
func (a *audit) hold(d digest.Digest, holders int64, dir bool) {
	k := tableKeyOf(keyOf(d))
	w := a.want[k]
	w.holders += holders
	w.dir = w.dir || dir
	a.want[k] = w
}

// audit is auditLocked under wlock, for tests.
func (l *Local) audit(ctx context.Context) (*audit, error) {
	unlock, err := l.wlock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return l.auditLocked(ctx, false)
}

// auditLocked reads the whole store. The caller holds wlock (or, in
// tests, knows nobody else uses the store).
func (l *Local) auditLocked(ctx context.Context, classify bool) (*audit, error) {
	a := &audit{
		refs: map[string]digest.Digest{}, refTimes: map[string]time.Time{},
		objects: map[string]int64{}, execs: map[string]int64{}, records: map[tableKey]refcount{},
		want: map[tableKey]refcount{}, pinned: map[string]bool{},
	}
	if err := l.auditSessions(a, classify); err != nil {
		return nil, err
	}
	if err := l.auditRefs(ctx, a); err != nil {
		return nil, err
	}
	if err := l.auditObjects(a); err != nil {
		return nil, err
	}
	// Registered Directories: those reachable from refs, and those pinned
	// by live sessions that were registered, with their subdirectories.
	registered := map[string]bool{}
	var visit func(d digest.Digest)
	visit = func(d digest.Digest) {
		if registered[d.Hash()] {
			return
		}
		dir := l.auditDirectory(a, d)
		if dir == nil {
			return
		}
		registered[d.Hash()] = true
		a.hold(d, 0, true)
		kids, _ := children(dir) // validated by auditDirectory
		for _, k := range kids {
			a.hold(k, 1, false)
		}
		for _, sub := range dir.GetDirectories() {
			sd, _ := digest.NewFromProto(sub.GetDigest())
			visit(sd)
		}
	}
	for _, root := range sortedRefRoots(a.refs) {
		a.hold(root, 1, false)
		visit(root)
	}
	for hash := range a.pinned {
		if size, ok := a.objects[hash]; ok && a.records[tableKeyOfHash(hash)].dir {
			visit(digest.MustNew(hash, size))
		}
	}
	return a, nil
}

func sortedRefRoots(refs map[string]digest.Digest) []digest.Digest {
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]digest.Digest, len(names))
	for i, n := range names {
		out[i] = refs[n]
	}
	return out
}

// auditDirectory reads Directory d if it is stored intact, else nil.
func (l *Local) auditDirectory(a *audit, d digest.Digest) *remoteexecution.Directory {
	if size, ok := a.objects[d.Hash()]; !ok || size != d.SizeBytes() {
		return nil
	}
	blob, err := os.ReadFile(l.objectPath(d))
	if err != nil || digest.NewFromBlob(blob) != d {
		return nil
	}
	dir := &remoteexecution.Directory{}
	if proto.Unmarshal(blob, dir) != nil || validateDirectory(dir, false) != nil {
		return nil
	}
	return dir
}

// auditSessions records the live sessions' pins and the finished ones.
func (l *Local) auditSessions(a *audit, classify bool) error {
	names, err := l.sessionLogs()
	if err != nil {
		return casError(StoreFailed, err, "cannot list cache sessions")
	}
	for _, name := range names {
		path := filepath.Join(l.casDir, sessionsDir, name)
		if classify {
			f, err := lockedfile.TryOpenFile(path, os.O_RDWR, 0)
			if err == nil {
				f.Close()
				a.finished = append(a.finished, strings.TrimSuffix(name, ".log"))
				continue
			}
		}
		if _, err := scanLog(path, 0, func(kind byte, d digest.Digest) {
			if kind == recCreated || kind == recPinned {
				a.pinned[d.Hash()] = true
			}
		}); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return casError(StoreFailed, err, "cannot read cache session %s", name)
		}
	}
	return nil
}

// auditRefs reads every ref of every namespace.
func (l *Local) auditRefs(ctx context.Context, a *audit) error {
	entries, err := os.ReadDir(l.root)
	if err != nil {
		return casError(StoreFailed, err, "cannot list the cache")
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "cas" {
			continue
		}
		refs, err := l.ListRefs(ctx, e.Name())
		if err != nil {
			continue // not a namespace we can use
		}
		for _, ref := range refs {
			path, err := l.refPath(ref)
			if err != nil {
				continue
			}
			d, err := readRef(ref, path)
			if err != nil {
				a.corruptRefs = append(a.corruptRefs, ref)
				continue
			}
			a.refs[ref] = d
			if info, err := os.Lstat(path); err == nil {
				a.refTimes[ref] = info.ModTime()
			}
		}
	}
	return nil
}

// auditObjects lists the objects, executable copies and records on disk.
func (l *Local) auditObjects(a *audit) error {
	if err := walkHashDir(filepath.Join(l.casDir, objectsDir), func(name string, info fs.FileInfo) {
		if hash, ok := strings.CutSuffix(name, ".x"); ok {
			a.execs[hash] = info.Size()
		} else {
			a.objects[name] = info.Size()
		}
	}); err != nil {
		return casError(StoreFailed, err, "cannot list the cache objects")
	}
	t, err := l.table(context.Background())
	if err != nil {
		return err
	}
	if err := t.records(func(k tableKey, r refcount) { a.records[k] = r }); err != nil {
		return casError(StoreFailed, err, "cannot read the reference counts")
	}
	return nil
}

// walkHashDir calls fn(hash[+suffix], info) for each file dir/<2>/<rest>.
func walkHashDir(dir string, fn func(name string, info fs.FileInfo)) error {
	subs, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if !sub.IsDir() || len(sub.Name()) != 2 {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, sub.Name()))
		if err != nil {
			return err
		}
		for _, f := range files {
			info, err := f.Info()
			if err != nil || !info.Mode().IsRegular() {
				continue
			}
			fn(sub.Name()+f.Name(), info)
		}
	}
	return nil
}

// repairObjects removes what nothing keeps and totals the rest.
func (l *Local) repairObjects(a *audit, st *RepairStats) error {
	for hash, size := range a.objects {
		d, err := digest.New(hash, size)
		if err != nil {
			continue // a stray file
		}
		if a.keep(hash) {
			st.Bytes += size
			st.Objects++
			continue
		}
		if err := os.Remove(l.objectPath(d)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return casError(StoreFailed, err, "cannot remove blob %s", d)
		}
		st.ObjectsRemoved++
		st.BytesRemoved += size
	}
	for hash, size := range a.execs {
		if _, ok := a.objects[hash]; ok && a.keep(hash) {
			st.Bytes += size
			st.Objects++
			continue
		}
		os.Remove(filepath.Join(l.casDir, objectsDir, hash[:2], hash[2:]+".x"))
		st.ObjectsRemoved++
		st.BytesRemoved += size
	}
	return nil
}

// repairRefcounts makes the table what the audit expects.
func (l *Local) repairRefcounts(a *audit, st *RepairStats) error {
	for k, have := range a.records {
		if a.want[k] != have {
			st.RefcountsFixed++
		}
	}
	for k := range a.want {
		if _, ok := a.records[k]; !ok {
			st.RefcountsFixed++
		}
	}
	if st.RefcountsFixed == 0 {
		return nil
	}
	return l.rebuildTableLocked(a)
}

// rebuildTableLocked replaces the reference count table with one holding
// exactly the audit's expected records.
func (l *Local) rebuildTableLocked(a *audit) error {
	capacity := uint64(minCapacity)
	for uint64(len(a.want)+1)*2 > capacity {
		capacity *= 2
	}
	nt, err := buildRefTable(filepath.Join(l.casDir, refcountsName), capacity, func(add func(tableKey, refcount) error) error {
		for k, w := range a.want {
			if err := add(k, w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return casError(StoreFailed, err, "cannot rebuild the reference counts")
	}
	if l.rt != nil {
		l.rt.f.Close()
	}
	l.rt = nt
	return nil
}

// rebuildRefLogLocked writes one line per ref, oldest first.
func (l *Local) rebuildRefLogLocked(a *audit) error {
	refs := make([]string, 0, len(a.refTimes))
	for ref := range a.refTimes {
		refs = append(refs, ref)
	}
	sort.Slice(refs, func(i, j int) bool {
		ti, tj := a.refTimes[refs[i]], a.refTimes[refs[j]]
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return refs[i] < refs[j]
	})
	var out []byte
	for _, ref := range refs {
		out = fmt.Appendf(out, "%d %s\n", a.refTimes[ref].Unix(), ref)
	}
	if err := l.writeFileAtomic(l.refLogPath(), out); err != nil {
		return err
	}
	return l.writeRefLogStateLocked(refLogState{compacted: int64(len(out))})
}
