package cas

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The ref log, cas/refs.log, lists refs in the order they were last used:
// each SetRef, and each GetRef that moves a ref's mtime, appends
// "<unix seconds> <ref>\n". A line is current while its ref exists with
// that mtime; a ref used again gets a new line and its old lines go stale.
// So the current lines, read from the front, are the refs from least to
// most recently used, and Expire finds its victims by reading from the
// front without listing, let alone sorting, all refs.
//
// cas/refs.state holds "<head> <compacted>": the offset of the first line
// Expire has not consumed, and the log's size after the last compaction.
// Both files change only under wlock; appends need rlock (compaction
// replaces the file).
const (
	refLogName      = "refs.log"
	refLogStateName = "refs.state"
)

type refLogState struct {
	head      int64 // first unconsumed byte
	compacted int64 // size after the last compaction
}

func (l *Local) refLogPath() string { return filepath.Join(l.casDir, refLogName) }

// appendRefLog appends one line. The caller holds rlock or wlock.
func (l *Local) appendRefLog(t time.Time, ref string) error {
	return l.appendRefLogLines(fmt.Appendf(nil, "%d %s\n", t.Unix(), ref))
}

func (l *Local) appendRefLogLines(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	f, err := os.OpenFile(l.refLogPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return casError(StoreFailed, err, "cannot write the ref log")
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return casError(StoreFailed, err, "cannot write the ref log")
	}
	return nil
}

func (l *Local) readRefLogState() refLogState {
	b, err := os.ReadFile(filepath.Join(l.casDir, refLogStateName))
	if err != nil {
		return refLogState{}
	}
	var s refLogState
	if _, err := fmt.Sscanf(string(b), "%d %d\n", &s.head, &s.compacted); err != nil || s.head < 0 {
		return refLogState{}
	}
	return s
}

func (l *Local) writeRefLogStateLocked(s refLogState) error {
	return l.writeFileAtomic(filepath.Join(l.casDir, refLogStateName), fmt.Appendf(nil, "%d %d\n", s.head, s.compacted))
}

// refLogLine is a parsed line.
type refLogLine struct {
	text string // the whole line, newline included
	unix int64
	ref  string
}

func parseRefLogLine(text string) (refLogLine, bool) {
	ts, ref, ok := strings.Cut(strings.TrimSuffix(text, "\n"), " ")
	if !ok || !strings.HasSuffix(text, "\n") {
		return refLogLine{}, false
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return refLogLine{}, false
	}
	return refLogLine{text: text, unix: unix, ref: ref}, true
}

// current reports whether the line describes the ref as it is now.
func (l *Local) current(line refLogLine) bool {
	path, err := l.refPath(line.ref)
	if err != nil {
		return false
	}
	info, err := os.Lstat(path)
	return err == nil && info.Mode().IsRegular() && info.ModTime().Unix() == line.unix
}

// refLogReader reads the log from state.head to the size it had when
// opened (lines appended meanwhile, by the reader itself, wait for the
// next Expire).
type refLogReader struct {
	f   *os.File
	r   *bufio.Reader
	pos int64 // offset of the next line
	end int64
}

func (l *Local) openRefLog(head int64) (*refLogReader, error) {
	f, err := os.Open(l.refLogPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, casError(StoreFailed, err, "cannot read the ref log")
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, casError(StoreFailed, err, "cannot read the ref log")
	}
	head = min(head, info.Size())
	return &refLogReader{f: f, r: bufio.NewReaderSize(io.NewSectionReader(f, head, info.Size()-head), 64<<10), pos: head, end: info.Size()}, nil
}

// next returns the next line; ok is false at the end. Malformed lines are
// consumed and skipped.
func (r *refLogReader) next() (refLogLine, bool) {
	for {
		text, err := r.r.ReadString('\n')
		if err != nil {
			return refLogLine{}, false // EOF, or a torn last line
		}
		r.pos += int64(len(text))
		if line, ok := parseRefLogLine(text); ok {
			return line, true
		}
	}
}

// maintainRefLogLocked compacts the log when that pays for itself:
//   - when Expire has consumed at least half of it, the unconsumed tail is
//     copied to a new log (cost: at most what was consumed);
//   - when it has doubled since the last compaction (refs used again and
//     again, no expiry), stale lines are dropped (cost: proportional to the
//     lines appended since).
//
// Either way a line is copied O(1) times on average over its life.
func (l *Local) maintainRefLogLocked(state refLogState) error {
	info, err := os.Stat(l.refLogPath())
	if errors.Is(err, fs.ErrNotExist) {
		return l.writeRefLogStateLocked(refLogState{})
	}
	if err != nil {
		return casError(StoreFailed, err, "cannot read the ref log")
	}
	size := info.Size()
	state.head = min(state.head, size)
	dropStale := size-state.head > 2*state.compacted+64<<10
	if !dropStale && (state.head < 64<<10 || state.head < size/2) {
		return l.writeRefLogStateLocked(state)
	}
	r, err := l.openRefLog(state.head)
	if err != nil || r == nil {
		return err
	}
	defer r.f.Close()
	var out []byte
	for {
		line, ok := r.next()
		if !ok {
			break
		}
		if !dropStale || l.current(line) {
			out = append(out, line.text...)
		}
	}
	if err := l.writeFileAtomic(l.refLogPath(), out); err != nil {
		return err
	}
	return l.writeRefLogStateLocked(refLogState{head: 0, compacted: int64(len(out))})
}
