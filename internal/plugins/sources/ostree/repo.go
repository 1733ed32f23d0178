package ostree

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/lockedfile"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
)

// Reasons of the errors this package returns.
const (
	// MissingTrackAndRef: an ostree source has neither ref nor track.
	MissingTrackAndRef bsterr.Reason = "missing-track-and-ref"
	// RefNotFound: the repository has no such ref or commit (or the
	// source has no ref to fetch).
	RefNotFound bsterr.Reason = "ref-not-found"
	// FetchFailed: the repository could not be reached, or the pull
	// failed for another reason.
	FetchFailed bsterr.Reason = "fetch-failed"
	// NotARepository: the URL answers but serves no OSTree repository.
	NotARepository bsterr.Reason = "not-an-ostree-repository"
	// GPGVerificationFailed: a commit is unsigned, or not signed by the
	// configured key.
	GPGVerificationFailed bsterr.Reason = "gpg-verification-failed"
	// NotCached: staging needs a fetch first.
	NotCached bsterr.Reason = "not-cached"
	// StageFailed: the checkout could not be placed in the staging
	// directory.
	StageFailed bsterr.Reason = "stage-failed"
)

// checksumRE matches an OSTree commit checksum (SHA-256, lower-case hex).
var checksumRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// mirror is the local archive repository in the source cache that holds
// what was pulled for one URL (as written), shared by every source of the
// kind with that URL and with BuildStream's own mirror at the same place.
type mirror struct {
	url string // as written in the element (alias not expanded)
	dir string
}

func newMirror(env *plugin.SourceEnv, kind, url string) *mirror {
	return &mirror{url: url, dir: filepath.Join(env.SourceDir, kind, download.URLDirectoryName(url))}
}

// lock takes the mirror's lock file (".<name>.lock" beside it):
// exclusive to change the mirror, shared to read it.
func (m *mirror) lock(ctx context.Context, shared bool) (unlock func(), err error) {
	parent := filepath.Dir(m.dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, bsterr.Source(FetchFailed, nil, "creating %s: %v", parent, err).Wrap(err)
	}
	mu := lockedfile.MutexAt(filepath.Join(parent, "."+filepath.Base(m.dir)+".lock"))
	if shared {
		return mu.RLockContext(ctx)
	}
	return mu.LockContext(ctx)
}

// exists reports whether the mirror repository has been created.
func (m *mirror) exists() bool {
	_, err := os.Stat(filepath.Join(m.dir, "config"))
	return err == nil
}

// hasCommit reports whether the mirror holds the complete commit
// checksum: its commit object, and no mark of an unfinished pull.
func (m *mirror) hasCommit(checksum string) bool {
	if !checksumRE.MatchString(checksum) {
		return false
	}
	if _, err := os.Stat(filepath.Join(m.dir, "objects", checksum[:2], checksum[2:]+".commit")); err != nil {
		return false
	}
	_, err := os.Stat(filepath.Join(m.dir, "state", checksum+".commitpartial"))
	return errors.Is(err, os.ErrNotExist)
}

// ensure creates the mirror, as BuildStream does (an archive-z2
// repository without a minimum free space), under a temporary name first
// so that a half-made mirror is never found. The caller holds the lock.
func (m *mirror) ensure(ctx context.Context, t tool) error {
	if m.exists() {
		return nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(m.dir), ".new-"+filepath.Base(m.dir)+"-")
	if err != nil {
		return bsterr.Source(FetchFailed, t.prov, "creating a mirror for %s: %v", m.url, err).Wrap(err)
	}
	defer os.RemoveAll(tmp)
	if _, err := t.run(ctx, "init", "--repo="+tmp, "--mode=archive-z2"); err != nil {
		return t.failed(ctx, err, "Unable to create local mirror for repository %s", m.url)
	}
	if _, err := t.run(ctx, "config", "--repo="+tmp, "set", "core.min-free-space-percent", "0"); err != nil {
		return t.failed(ctx, err, "Unable to disable minimum disk space checks")
	}
	_ = os.RemoveAll(m.dir) // a directory left without a config by an older crash
	if err := os.Rename(tmp, m.dir); err != nil {
		return bsterr.Source(FetchFailed, t.prov, "creating a mirror for %s: %v", m.url, err).Wrap(err)
	}
	return nil
}

// remoteName is the name BuildStream gives the remote for url, the
// translation of the URL written in the element: "origin" when the two
// are the same, else the URL's directory name (one remote per mirror).
func remoteName(written, url string) string {
	if written == url {
		return "origin"
	}
	return download.URLDirectoryName(url)
}

// addRemote configures the remote name for url, replacing an earlier
// configuration of it, with gpgKey's keys imported and verification on,
// or with verification off when gpgKey is "".
func (m *mirror) addRemote(ctx context.Context, t tool, name, url, gpgKey string) error {
	args := []string{"remote", "add", "--force", "--repo=" + m.dir, name, url}
	if gpgKey != "" {
		args = append(args, "--gpg-import="+gpgKey)
	} else {
		args = append(args, "--no-gpg-verify")
	}
	if _, err := t.run(ctx, args...); err != nil {
		return t.failed(ctx, err, "Failed to configure origin %s", url)
	}
	return nil
}

// eachURL runs fn with each URL the environment gives for url (mirrors
// first) until one succeeds; when every URL failed with a temporary error,
// it tries them all again, env.Retries more times. The error is the last
// URL's.
func eachURL(ctx context.Context, env *plugin.SourceEnv, url string, fn func(u string) error) error {
	urls := []string{url}
	if env.URLs != nil {
		if u := env.URLs(url); len(u) > 0 {
			urls = u
		}
	}
	var last error
	for attempt := 0; attempt <= env.Retries; attempt++ {
		temporary := false
		for _, u := range urls {
			err := fn(u)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			logf(env, "%v", err)
			last = err
			var be *bsterr.Error
			if errors.As(err, &be) && be.Temporary {
				temporary = true
			}
		}
		if !temporary {
			break
		}
	}
	return last
}

// logf writes a line to the source's log.
func logf(env *plugin.SourceEnv, format string, args ...any) {
	var w io.Writer = io.Discard
	if env != nil && env.Log != nil {
		w = env.Log
	}
	fmt.Fprintf(w, format+"\n", args...)
}

// tool runs the ostree command through the source environment's Executor.
type tool struct {
	x    plugin.Executor
	prov *bsterr.Provenance // the source's, for errors
	name string             // the source, as messages name it
}

func newTool(env *plugin.SourceEnv, prov *bsterr.Provenance, name string) (tool, error) {
	if env == nil || env.Exec == nil {
		return tool{}, bsterr.Source(bsterr.Unknown, prov, "%s: ostree sources need a host command executor", name)
	}
	return tool{x: env.Exec, prov: prov, name: name}, nil
}

// run runs `ostree args...` and returns its standard output.
func (t tool) run(ctx context.Context, args ...string) (string, error) {
	out, err := t.x.Run(ctx, "", nil, "ostree", args...)
	return string(out), err
}

// failed turns the error of an ostree command that is not a pull into the
// source's error: a missing ostree command is said so plainly.
func (t tool) failed(ctx context.Context, err error, format string, args ...any) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if e := t.notFound(err); e != nil {
		return e
	}
	e := bsterr.Source(FetchFailed, t.prov, "%s: %s", t.name, fmt.Sprintf(format, args...)).Wrap(err)
	e.Detail = commandDetail(err)
	return e
}

// notFound returns the error for a missing ostree command, if err is one.
func (t tool) notFound(err error) error {
	if bsterr.DomainOf(err) != bsterr.DomainProg {
		return nil
	}
	e := &bsterr.Error{
		Domain: bsterr.DomainProg, Reason: bsterr.ReasonOf(err), Prov: t.prov, Err: err,
		Msg: fmt.Sprintf("%s: the ostree command is needed and was not found in PATH", t.name),
	}
	var be *bsterr.Error
	if errors.As(err, &be) {
		e.Detail = be.Msg + "\nInstall OSTree's command line tool (Debian package ostree)."
	}
	return e
}

// commandDetail is the failed command and the tail of its standard error.
func commandDetail(err error) string {
	var be *bsterr.Error
	if !errors.As(err, &be) {
		return err.Error()
	}
	if be.Detail == "" {
		return be.Msg
	}
	return be.Msg + "\n" + be.Detail
}

// stderrOf is the standard error a failed command left in err ("" if none).
func stderrOf(err error) string {
	var be *bsterr.Error
	if errors.As(err, &be) {
		return be.Detail
	}
	return ""
}

// lines splits output into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
