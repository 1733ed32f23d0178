package cas

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"example.org/bst/internal/digest"
	"example.org/bst/internal/lockedfile"
)

// A session is one Local's pin log, cas/sessions/<id>.log, write-locked
// for the session's lifetime. Every line is a record "<kind> <hash> <size>":
//
//	n  an object this session created (usage +size, +1 object) and pins
//	p  an object this session found or read and pins
//	x  an executable copy this session created (usage +size, +1 object)
//	d  an object this session removed as corrupt (usage -size, -1 object)
//
// Other processes read the log to see what it pins and how much it added;
// once its lock can be taken, the session is over (closed or killed) and
// the collector folds it into the usage total and deletes it.
type session struct {
	id   string
	path string
	mu   sync.Mutex // serializes appends and close
	f    *os.File   // flock'ed exclusively until closed
}

const (
	recCreated    = 'n'
	recPinned     = 'p'
	recExecutable = 'x'
	recRemoved    = 'd'
)

// openSession creates a new session log. It holds the reader lock while
// the file exists unlocked, so no collector takes it for a dead session.
func (l *Local) openSession(ctx context.Context) (*session, error) {
	unlock, err := l.gc.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	id := randomID()
	path := filepath.Join(l.casDir, sessionsDir, id+".log")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, casError(StoreFailed, err, "cannot start a cache session")
	}
	// Closing the file (or the process dying) releases the lock.
	if err := lockedfile.Lock(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, casError(StoreFailed, err, "cannot start a cache session")
	}
	return &session{id: id, path: path, f: f}, nil
}

// appendRecords writes already formatted records in one write, which
// O_APPEND makes atomic with respect to other writers.
func (s *session) appendRecords(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return casError(StoreFailed, os.ErrClosed, "cache session is closed")
	}
	if _, err := s.f.Write(b); err != nil {
		return casError(StoreFailed, err, "cannot write the cache session log")
	}
	return nil
}

func (s *session) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// appendRecord formats one record onto b.
func appendRecord(b []byte, kind byte, d digest.Digest) []byte {
	b = append(b, kind, ' ')
	b = append(b, d.Hash()...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, d.SizeBytes(), 10)
	return append(b, '\n')
}

// record appends one record to the current session's log.
func (l *Local) record(kind byte, d digest.Digest) error {
	return l.records(appendRecord(nil, kind, d))
}

func (l *Local) records(b []byte) error {
	l.mu.Lock()
	s := l.session
	l.mu.Unlock()
	if s == nil {
		return casError(StoreFailed, os.ErrClosed, "cache session is closed")
	}
	return s.appendRecords(b)
}

func (l *Local) sessionID() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.session == nil {
		return "closed"
	}
	return l.session.id
}

// scanLog calls fn for each complete record of the log at path from offset
// on, and returns the offset after the last complete line. A torn last line
// (a writer killed mid-write cannot produce one, O_APPEND writes are whole,
// but a reader can race a writer) is left for the next scan; malformed
// lines are skipped.
func scanLog(path string, offset int64, fn func(kind byte, d digest.Digest)) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return offset, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(io.NewSectionReader(f, offset, 1<<62), 64<<10)
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF {
			return offset, nil
		}
		if err != nil {
			return offset, err
		}
		offset += int64(len(line))
		if kind, d, ok := parseRecord(line); ok {
			fn(kind, d)
		}
	}
}

func parseRecord(line string) (byte, digest.Digest, bool) {
	line = strings.TrimSuffix(line, "\n")
	if len(line) < 2 || line[1] != ' ' {
		return 0, digest.Digest{}, false
	}
	hash, sizeText, ok := strings.Cut(line[2:], " ")
	if !ok {
		return 0, digest.Digest{}, false
	}
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil {
		return 0, digest.Digest{}, false
	}
	d, err := digest.New(hash, size)
	if err != nil {
		return 0, digest.Digest{}, false
	}
	return line[0], d, true
}

// hashKey is the 32-byte form of a digest's hash, for compact sets.
type hashKey [32]byte

func keyOf(d digest.Digest) hashKey {
	var k hashKey
	hex.Decode(k[:], []byte(d.Hash())) // a valid Digest's hash is 64 hex digits
	return k
}

// logCache is what this Local has read of each session log, so that Usage
// and the collector read only what was appended since.
type logCache struct {
	mu   sync.Mutex
	sums map[string]*logSum  // by log file name
	pins map[string]*logPins // by log file name, filled only for the collector
}

type logSum struct {
	offset         int64
	bytes, objects int64
}

type logPins struct {
	offset int64
	set    map[hashKey]struct{}
}

func (c *logCache) init() {
	c.sums = map[string]*logSum{}
	c.pins = map[string]*logPins{}
}

// sessionLogs lists the session logs' file names.
func (l *Local) sessionLogs() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(l.casDir, sessionsDir))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".log") {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// logUsage returns the usage recorded in all session logs, live or not
// yet folded. The caller holds rlock or wlock, so no log is folded into
// the base meanwhile.
func (l *Local) logUsage() (bytes, objects int64, err error) {
	names, err := l.sessionLogs()
	if err != nil {
		return 0, 0, err
	}
	l.logs.mu.Lock()
	defer l.logs.mu.Unlock()
	present := make(map[string]bool, len(names))
	for _, name := range names {
		present[name] = true
		s := l.logs.sums[name]
		if s == nil {
			s = &logSum{}
			l.logs.sums[name] = s
		}
		off, err := scanLog(filepath.Join(l.casDir, sessionsDir, name), s.offset, s.add)
		s.offset = off
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, 0, err
		}
		bytes += s.bytes
		objects += s.objects
	}
	for name := range l.logs.sums {
		if !present[name] {
			delete(l.logs.sums, name)
		}
	}
	return bytes, objects, nil
}

func (s *logSum) add(kind byte, d digest.Digest) {
	switch kind {
	case recCreated, recExecutable:
		s.bytes += d.SizeBytes()
		s.objects++
	case recRemoved:
		s.bytes -= d.SizeBytes()
		s.objects--
	}
}

// pinSet is the union of the pins of the live sessions, read once per
// collection.
type pinSet []map[hashKey]struct{}

func (p pinSet) has(d digest.Digest) bool {
	k := keyOf(d)
	for _, set := range p {
		if _, ok := set[k]; ok {
			return true
		}
	}
	return false
}

// livePinsLocked reads the pins of the given live sessions (the caller
// holds wlock, so none is appending).
func (l *Local) livePinsLocked(live []string) (pinSet, error) {
	l.logs.mu.Lock()
	defer l.logs.mu.Unlock()
	keep := make(map[string]bool, len(live))
	var out pinSet
	for _, name := range live {
		keep[name] = true
		p := l.logs.pins[name]
		if p == nil {
			p = &logPins{set: map[hashKey]struct{}{}}
			l.logs.pins[name] = p
		}
		off, err := scanLog(filepath.Join(l.casDir, sessionsDir, name), p.offset, func(kind byte, d digest.Digest) {
			if kind == recCreated || kind == recPinned {
				p.set[keyOf(d)] = struct{}{}
			}
		})
		p.offset = off
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		out = append(out, p.set)
	}
	for name := range l.logs.pins {
		if !keep[name] {
			delete(l.logs.pins, name)
		}
	}
	return out, nil
}
