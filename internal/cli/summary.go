package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"example.org/bst/internal/stream"
)

// session is what the messages printer gathers about a build session for
// BuildStream's heading and summaries.
type session struct {
	version  string
	started  time.Time
	config   string // the user configuration file, "" for the default
	settings [][2]string
	usage    string // cache usage, "" if unknown

	planned     bool
	sessionSize int
	total       int
	queues      []string // actions, in the order they were first seen
	processed   map[string]int
	failed      map[string]int
	failures    []string            // failed elements, in order
	failureLog  map[string][]string // their FAILURE lines
}

func newSession() *session {
	return &session{processed: map[string]int{}, failed: map[string]int{}, failureLog: map[string][]string{}}
}

// record counts one message of an element job.
func (s *session) record(kind, action, element, line string) {
	if action == "" {
		return
	}
	seen := false
	for _, q := range s.queues {
		seen = seen || q == action
	}
	if !seen && (kind == "START" || kind == "SUCCESS" || kind == "FAILURE") {
		s.queues = append(s.queues, action)
	}
	switch kind {
	case "SUCCESS":
		s.processed[action]++
	case "FAILURE":
		s.failed[action]++
		if _, ok := s.failureLog[element]; !ok {
			s.failures = append(s.failures, element)
		}
		s.failureLog[element] = append(s.failureLog[element], line)
	}
}

// heading writes BuildStream's session heading.
func (s *session) heading(w io.Writer, h stream.SessionHeading) {
	fmt.Fprintf(w, "\nbst Version %s\n", s.version)
	fmt.Fprintf(w, "  Session Start: %s\n", s.started.Format("Monday, 02-01-2006 at 15:04:05"))
	fmt.Fprintf(w, "  Project:       %s (%s)\n", h.Project, h.ProjectDir)
	fmt.Fprintf(w, "  Targets:       %s\n", strings.Join(h.Targets, ", "))
	if s.usage != "" {
		fmt.Fprintf(w, "  Cache Usage:   %s\n", s.usage)
	}
	fmt.Fprintf(w, "\nUser Configuration\n")
	conf := s.config
	if conf == "" {
		conf = "Default Configuration"
	}
	rows := append([][2]string{{"Configuration File", conf}}, s.settings...)
	for i := range rows {
		if rows[i][0] == "Strict Build Plan" && !h.Strict {
			rows[i][1] = "No"
		}
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %-24s %s\n", r[0]+":", r[1])
	}
	fmt.Fprintf(w, "\nPipeline\n")
	for _, e := range h.Elements {
		key := strings.Repeat("?", 64)
		if e.Keys.Known {
			key = e.Keys.Strong.String()
		}
		fmt.Fprintf(w, "%12s %s %s \n", e.State(), key, e.FullName)
	}
	fmt.Fprintln(w, strings.Repeat("=", 79))
}

// queueNames for the summary, as BuildStream names its queues.
var summaryNames = map[string]string{"track": "Track Queue", "pull": "Pull Queue", "fetch": "Fetch Queue",
	"build": "Build Queue", "push": "Push Queue"}

// summary writes BuildStream's failure summary (if any job failed) and
// pipeline summary.
func (s *session) summary(w io.Writer) {
	if !s.planned {
		return
	}
	if len(s.failures) > 0 {
		fmt.Fprintf(w, "\nFailure Summary\n")
		for _, el := range s.failures {
			fmt.Fprintf(w, "  %s:\n", el)
			for _, line := range s.failureLog[el] {
				fmt.Fprint(w, "    "+strings.ReplaceAll(strings.TrimRight(line, "\n"), "\n", "\n    ")+"\n")
			}
		}
	}
	fmt.Fprintf(w, "\nPipeline Summary\n")
	fmt.Fprintf(w, "  Total:       %d\n", s.total)
	fmt.Fprintf(w, "  Session:     %d\n", s.sessionSize)
	queues := s.queues
	if len(queues) == 0 {
		queues = []string{"fetch", "build"}
	}
	for _, q := range []string{"track", "pull", "fetch", "build", "push"} {
		used := false
		for _, x := range queues {
			used = used || x == q
		}
		if !used && q != "fetch" && q != "build" {
			continue
		}
		// Elements whose sources are cached skip the fetch queue; the
		// session holds no element that is already built.
		skipped := 0
		if q == "fetch" {
			skipped = max(s.sessionSize-s.processed[q]-s.failed[q], 0)
		}
		fmt.Fprintf(w, "  %-12s processed %d, skipped %d, failed %d \n", summaryNames[q]+":", s.processed[q], skipped, s.failed[q])
	}
	fmt.Fprintln(w)
}

// newSession starts gathering a build session for the messages.
func (a *app) newSession(s *stream.Session) *session {
	sess := newSession()
	sess.version = Version
	sess.started = a.start
	sess.config = s.Config.File
	c := s.Config
	sess.settings = [][2]string{
		{"Log Files", c.LogDir},
		{"Source Mirrors", c.SourceDir},
		{"Build Area", c.BuildDir},
		{"Cache Directory", c.CacheDir},
		{"Strict Build Plan", "Yes"}, // set by Heading once the project is known
		{"Maximum Fetch Tasks", fmt.Sprint(c.Fetchers)},
		{"Maximum Build Tasks", fmt.Sprint(c.Builders)},
		{"Maximum Push Tasks", fmt.Sprint(c.Pushers)},
		{"Maximum Network Retries", fmt.Sprint(c.NetworkRetries)},
	}
	return sess
}
