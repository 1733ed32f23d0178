package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"example.org/bst/internal/element"
	"example.org/bst/internal/pipeline"
	"example.org/bst/internal/stream"
)

// messages prints BuildStream-shaped progress lines:
// [elapsed][key][action:element] KIND message
type messages struct {
	mu sync.Mutex
	w  io.Writer
	// status, if not nil, is the terminal's status area: lines are
	// printed above it.
	status *statusArea
	// logDir is the user's log directory: log paths are shown relative
	// to it.
	logDir string
	// session, if not nil, gathers the heading and summaries of a build.
	session *session
}

// Plan tells the status area the size of the session.
func (m *messages) Plan(project string, session, total int) {
	if m.status != nil {
		m.status.plan(project, session, total)
	}
	if m.session != nil {
		m.mu.Lock()
		m.session.planned, m.session.sessionSize, m.session.total = true, session, total
		m.mu.Unlock()
	}
}

// Heading prints the session heading, when a session is gathered.
func (m *messages) Heading(h stream.SessionHeading) {
	if m.session == nil {
		return
	}
	var b strings.Builder
	m.session.heading(&b, h)
	m.write(b.String())
}

// Summary prints the failure and pipeline summaries of the session.
func (m *messages) Summary() {
	if m.session == nil {
		return
	}
	var b strings.Builder
	m.mu.Lock()
	m.session.summary(&b)
	m.mu.Unlock()
	m.write(b.String())
}

// write prints text that is not a message line (above the status area).
func (m *messages) write(text string) {
	if m.status != nil {
		m.status.print(text)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	io.WriteString(m.w, text)
}

func (m *messages) Message(kind, action string, e *element.Element, elapsed time.Duration, text string) {
	key := "--------"
	if e.Keys.Known {
		key = e.Keys.Strong.String()[:8]
	}
	// The log file of START and SUCCESS is shown relative to the log
	// directory, as BuildStream does.
	if (kind == "START" || kind == "SUCCESS") && m.logDir != "" {
		if rel, ok := strings.CutPrefix(text, m.logDir+"/"); ok {
			text = rel
		}
	}
	m.print(kind, fmt.Sprintf("%5s:%-30s", action, e.FullName), key, elapsed, text, action, e.FullName)
}

// Activity prints a message of the session itself: no key, no element.
func (m *messages) Activity(kind string, elapsed time.Duration, text string) {
	m.print(kind, "", "", elapsed, text, "", "")
}

// print writes one message line, [elapsed][key][action:element] KIND text,
// with the text's detail (its lines after the first) indented below it.
func (m *messages) print(kind, task, key string, elapsed time.Duration, text, action, element string) {
	el := "--:--:--"
	if kind != "START" {
		d := elapsed.Round(time.Second)
		el = fmt.Sprintf("%02d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	}
	brief, detail, _ := strings.Cut(text, "\n")
	detail = strings.TrimLeft(detail, "\n")
	line := fmt.Sprintf("[%s][%s][%s] %-7s %s\n", el, key, task, kind, brief)
	if detail != "" {
		line += "\n    " + strings.ReplaceAll(detail, "\n", "\n    ") + "\n\n"
	}
	if m.session != nil {
		m.mu.Lock()
		m.session.record(kind, action, element, line)
		m.mu.Unlock()
	}
	if m.status != nil && element != "" {
		m.status.message(kind, action, element, line)
		return
	}
	m.write(line)
}

var scopes = map[string]pipeline.Scope{"none": pipeline.ScopeNone, "plan": pipeline.ScopeAll,
	"run": pipeline.ScopeRun, "build": pipeline.ScopeBuild, "all": pipeline.ScopeAll}

// sourceSession is a session set up to run sources.
func (a *app) sourceSession() (*stream.Session, error) {
	s, err := a.session()
	if err != nil {
		return nil, err
	}
	s.Messages = &messages{w: a.inv.Stderr, logDir: filepath.Clean(s.Config.LogDir)}
	s.Executor = a.executor
	if a.g.fetchers > 0 {
		s.Config.Fetchers = a.g.fetchers
	}
	if a.flagSet("network-retries") {
		s.Config.NetworkRetries = a.g.retries
	}
	return s, nil
}

func (a *app) flagSet(name string) bool {
	f := a.root.PersistentFlags().Lookup(name)
	return f != nil && f.Changed
}

func (a *app) fetchCmd(use string, legacy bool) *cobra.Command {
	var except []string
	var deps string
	var track, trackCross bool
	def, allowed := "none", []string{"none", "build", "run", "all"}
	short := "Fetch sources in a pipeline"
	if legacy {
		def, allowed = "plan", []string{"none", "plan", "all"}
		short = "Fetch sources in a pipeline (BuildStream 1.x name of `source fetch`)"
	}
	cmd := &cobra.Command{
		Use:   use + " [ELEMENTS]...",
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := choice(cmd, "--deps", deps, allowed...); err != nil {
				return err
			}
			s, err := a.sourceSession()
			if err != nil {
				return err
			}
			defer s.Close()
			return s.Fetch(a.ctx, stream.FetchOptions{Targets: args, Deps: scopes[deps], Except: except,
				Track: track, TrackCrossJunctions: trackCross, Fetchers: s.Config.Fetchers})
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&except, "except", nil, "Except certain dependencies from fetching")
	f.StringVarP(&deps, "deps", "d", def, "The dependencies to fetch")
	if legacy {
		f.BoolVar(&track, "track", false, "Track new source references before fetching")
		f.BoolVarP(&trackCross, "track-cross-junctions", "J", false, "Allow tracking to cross junction boundaries")
	}
	return cmd
}

func (a *app) trackCmd(use string, legacy bool) *cobra.Command {
	var except []string
	var deps string
	var cross bool
	allowed := []string{"none", "build", "run", "all"}
	if legacy {
		allowed = []string{"none", "all"}
	}
	cmd := &cobra.Command{
		Use:   use + " [ELEMENTS]...",
		Short: "Track new source references",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := choice(cmd, "--deps", deps, allowed...); err != nil {
				return err
			}
			s, err := a.sourceSession()
			if err != nil {
				return err
			}
			defer s.Close()
			return s.Track(a.ctx, stream.TrackOptions{Targets: args, Deps: scopes[deps], Except: except,
				CrossJunctions: cross, Fetchers: s.Config.Fetchers})
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&except, "except", nil, "Except certain dependencies from tracking")
	f.StringVarP(&deps, "deps", "d", "none", "The dependencies to track")
	f.BoolVarP(&cross, "cross-junctions", "J", false, "Allow crossing junction boundaries")
	return cmd
}

func (a *app) sourceCheckoutCmd() *cobra.Command {
	var except []string
	var deps, tarPath, compression, directory string
	var force, fetch bool
	cmd := &cobra.Command{
		Use:   "checkout [ELEMENT]",
		Short: "Checkout sources of an element",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := choice(cmd, "--deps", deps, "none", "build", "run", "all"); err != nil {
				return err
			}
			if compression != "" && tarPath == "" {
				return usageError(cmd, "--compression can only be provided if --tar is provided")
			}
			s, err := a.sourceSession()
			if err != nil {
				return err
			}
			defer s.Close()
			target := ""
			if len(args) == 1 {
				target = args[0]
			}
			err = s.SourceCheckout(a.ctx, stream.CheckoutOptions{Target: target, Deps: scopes[deps], Except: except,
				Directory: directory, Tar: tarPath, Compression: compression, Force: force, Fetch: fetch, Stdout: a.inv.Stdout})
			a.reportCacheUsage(s)
			return err
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&except, "except", nil, "Except certain dependencies")
	f.StringVarP(&deps, "deps", "d", "none", "The dependencies whose sources to checkout")
	f.StringVar(&tarPath, "tar", "", "Create a tarball from the element's sources instead of a file tree (- for stdout)")
	f.StringVar(&compression, "compression", "", "The compression option of the tarball created")
	f.StringVar(&directory, "directory", "source-checkout", "The directory to checkout the sources to")
	f.BoolVarP(&force, "force", "f", false, "Allow files to be overwritten")
	f.BoolVar(&fetch, "fetch", false, "Fetch missing sources first")
	f.Bool("include-build-scripts", false, "Include an element's build scripts (not supported yet)")
	return cmd
}

func (a *app) sourceGroup() *cobra.Command {
	cmd := &cobra.Command{Use: "source", Short: "Manipulate sources for an element"}
	cmd.AddCommand(a.fetchCmd("fetch", false), a.trackCmd("track", false), a.sourceCheckoutCmd())
	return cmd
}

// reportCacheUsage prints the local cache's usage after a command that
// wrote to it, as BuildStream shows it.
func (a *app) reportCacheUsage(s *stream.Session) {
	used, quota, ok := s.CacheUsage(a.ctx)
	if !ok {
		return
	}
	q := "infinity"
	if quota > 0 {
		q = stream.HumanBytes(quota) + fmt.Sprintf(" (%d%%)", used*100/quota)
	}
	line := fmt.Sprintf("Cache usage: %s / %s\n", stream.HumanBytes(used), q)
	if m, ok := s.Messages.(*messages); ok {
		m.write(line) // above the status area, if there is one
		return
	}
	io.WriteString(a.inv.Stderr, line)
}
