package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// statusArea is BuildStream's status area: on a terminal, the last lines
// of the screen show the session header (elapsed time, project,
// session/total elements), the queues with their processed, skipped and
// failed counts, and one line per running job; messages scroll above it
// and it is redrawn every second.
type statusArea struct {
	mu      sync.Mutex
	w       io.Writer
	width   func() int
	now     func() time.Time
	start   time.Time
	project string
	session int
	total   int
	queues  []*queueCount
	jobs    []*statusJob
	drawn   int // lines of the area currently on screen
	held    bool
	pending []string // lines printed while held, shown on release
	stop    chan struct{}
	done    chan struct{}
}

type queueCount struct {
	action, name               string
	processed, skipped, failed int
}

type statusJob struct {
	action, element string
	start           time.Time
}

// queueNames are the queues' completed names, as BuildStream prints them.
var queueNames = map[string]string{"track": "Tracked", "pull": "Pulled", "fetch": "Fetched", "build": "Built", "push": "Pushed"}

// newStatusArea starts a status area on w, redrawn every second until
// close.
func newStatusArea(w io.Writer, project string, start time.Time) *statusArea {
	s := &statusArea{w: w, now: time.Now, start: start, project: project,
		stop: make(chan struct{}), done: make(chan struct{})}
	s.width = func() int {
		if f, ok := w.(*os.File); ok {
			if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col > 0 {
				return int(ws.Col)
			}
		}
		return 80
	}
	s.mu.Lock()
	s.redraw()
	s.mu.Unlock()
	go func() {
		defer close(s.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.mu.Lock()
				s.redraw()
				s.mu.Unlock()
			}
		}
	}()
	return s
}

// plan records the session and total element counts.
func (s *statusArea) plan(project string, session, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.project, s.session, s.total = project, session, total
	s.redraw()
}

func (s *statusArea) queue(action string) *queueCount {
	for _, q := range s.queues {
		if q.action == action {
			return q
		}
	}
	name := queueNames[action]
	if name == "" {
		name = strings.ToUpper(action[:1]) + action[1:]
	}
	q := &queueCount{action: action, name: name}
	s.queues = append(s.queues, q)
	return q
}

// message prints a message line above the area and updates the jobs and
// counts it tells of.
func (s *statusArea) message(kind, action, element, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch kind {
	case "START":
		s.queue(action)
		s.jobs = append(s.jobs, &statusJob{action: action, element: element, start: s.now()})
	case "SUCCESS", "FAILURE", "SKIPPED":
		for i, j := range s.jobs {
			if j.action == action && j.element == element {
				s.jobs = append(s.jobs[:i], s.jobs[i+1:]...)
				break
			}
		}
		q := s.queue(action)
		switch kind {
		case "SUCCESS":
			q.processed++
		case "FAILURE":
			q.failed++
		default:
			q.skipped++
		}
	}
	s.emit(line)
}

// print prints a line above the area.
func (s *statusArea) print(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emit(line)
}

// emit writes line above the area, or keeps it for later while the
// terminal belongs to the failure prompt or a shell.
func (s *statusArea) emit(line string) {
	if s.held {
		s.pending = append(s.pending, line)
		return
	}
	s.clear()
	io.WriteString(s.w, line)
	s.redraw()
}

// hold clears the area and keeps it off the screen (while the failure
// prompt or a shell has the terminal) until release.
func (s *statusArea) hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clear()
	s.held = true
}

func (s *statusArea) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held = false
	for _, line := range s.pending {
		io.WriteString(s.w, line)
	}
	s.pending = nil
	s.redraw()
}

// close stops the redraws and removes the area from the screen.
func (s *statusArea) close() {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clear()
	for _, line := range s.pending {
		io.WriteString(s.w, line)
	}
	s.pending = nil
	s.held = true
}

// clear erases the drawn area: up to its first line, then to the end of
// the screen.
func (s *statusArea) clear() {
	if s.drawn > 0 {
		fmt.Fprintf(s.w, "\x1b[%dA\r\x1b[J", s.drawn)
		s.drawn = 0
	}
}

func (s *statusArea) redraw() {
	if s.held {
		return
	}
	s.clear()
	lines := s.render(s.width(), s.now().Sub(s.start))
	for _, l := range lines {
		io.WriteString(s.w, l+"\n")
	}
	s.drawn = len(lines)
}

// render returns the area's lines for a terminal of the given width,
// each cut to the width so that none wraps (the redraw counts lines).
func (s *statusArea) render(width int, elapsed time.Duration) []string {
	lines := s.renderLines(max(width, 80), elapsed)
	for i, l := range lines {
		if r := []rune(l); len(r) > width && width > 0 {
			lines[i] = string(r[:width])
		}
	}
	return lines
}

func (s *statusArea) renderLines(width int, elapsed time.Duration) []string {
	head := fmt.Sprintf("%s %s (%d/%d)", clock(elapsed), s.project, s.session, s.total)
	lines := []string{centered(head, width, '=')}
	var qs []string
	for _, q := range s.queues {
		qs = append(qs, fmt.Sprintf("(%s:%d %d %d)", q.name, q.processed, q.skipped, q.failed))
	}
	if len(qs) > 0 {
		lines = append(lines, strings.TrimRight(centered(strings.Join(qs, " → "), width, ' '), " "))
	}
	var b strings.Builder
	for _, j := range s.jobs {
		t := fmt.Sprintf("%s[%s:%s]", clock(s.now().Sub(j.start)), j.action, j.element)
		if b.Len() > 0 && len([]rune(b.String()))+2+len([]rune(t)) > width {
			lines = append(lines, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteString("  ")
		}
		b.WriteString(t)
	}
	if b.Len() > 0 {
		lines = append(lines, b.String())
	}
	return lines
}

// clock formats a duration as BuildStream's time code, [HH:MM:SS].
func clock(d time.Duration) string {
	d = d.Truncate(time.Second)
	return fmt.Sprintf("[%02d:%02d:%02d]", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
}

// centered pads text to width with fill on both sides, a space apart.
func centered(text string, width int, fill rune) string {
	n := len([]rune(text))
	if text != "" {
		n += 2
	}
	if n >= width {
		return text
	}
	left := (width - n) / 2
	right := width - n - left
	pad := func(k int) string { return strings.Repeat(string(fill), k) }
	if text == "" {
		return pad(width)
	}
	return pad(left) + " " + text + " " + pad(right)
}
