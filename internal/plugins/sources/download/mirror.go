package download

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
)

const (
	defaultIdleTimeout = 10 * time.Minute
	// staleTemp is the age past which a temporary download left by a
	// killed process is removed.
	staleTemp  = 24 * time.Hour
	tempPrefix = ".download-"
)

// errNotModified: the server answered 304 to If-None-Match.
var errNotModified = errors.New("not modified")

// attemptError is the failure of one download attempt.
type attemptError struct {
	url       string
	err       error
	permanent bool // retrying the same URL is pointless (4xx, bad scheme, mismatch)
	mismatch  *bsterr.Error
}

// mirror downloads the file from each URL in turn until one succeeds and
// returns its sha256. With want set (fetching), a file whose digest is not
// want is discarded and the next URL is tried.
func (f *File) mirror(ctx context.Context, env *plugin.SourceEnv, activity, want string) (string, error) {
	urls := []string{f.URL}
	if env.URLs != nil {
		if u := env.URLs(f.URL); len(u) > 0 {
			urls = u
		}
	}
	dir := f.MirrorDir(env)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", f.Errorf(DownloadFailed, "Cannot create mirror directory %s: %v", dir, err).Wrap(err)
	}
	removeStaleTemps(dir)
	etag := ""
	if want == "" && f.Cached(env) {
		etag = readETag(dir, f.ref)
	}
	retries := max(env.Retries, 0)
	var failures []*attemptError
	for _, u := range urls {
		for attempt := 0; attempt <= retries; attempt++ {
			if attempt > 0 {
				if err := f.pause(ctx, attempt); err != nil {
					return "", f.Errorf(DownloadFailed, "%s %s: %v", activity, u, err).Wrap(err)
				}
			}
			f.logf(env, "%s %s\n", activity, u)
			sha, err := f.downloadOnce(ctx, env, u, dir, etag, want)
			if err == nil {
				return sha, nil
			}
			if errors.Is(err, errNotModified) {
				f.logf(env, "%s: not modified (ETag %s)\n", u, etag)
				return f.ref, nil
			}
			ae := asAttempt(u, err)
			f.logf(env, "%s failed: %v\n", u, ae.err)
			if ctx.Err() != nil {
				return "", f.Errorf(DownloadFailed, "%s %s: %v", activity, u, ctx.Err()).Wrap(ctx.Err())
			}
			if attempt == retries || ae.permanent {
				failures = append(failures, ae)
				break
			}
		}
	}
	return "", f.failure(failures)
}

// failure builds the error reported when every URL failed: the last
// URL's, with the earlier ones listed in the detail.
func (f *File) failure(fs []*attemptError) error {
	last := fs[len(fs)-1]
	var e *bsterr.Error
	if last.mismatch != nil {
		e = last.mismatch
	} else {
		e = f.Errorf(DownloadFailed, "Error mirroring %s: %v", last.url, last.err).Wrap(last.err)
		e.Temporary = !last.permanent
	}
	if len(fs) > 1 {
		var b strings.Builder
		b.WriteString("Every URL failed:\n")
		for _, a := range fs {
			fmt.Fprintf(&b, "  %s: %v\n", a.url, a.err)
		}
		e.Detail = strings.TrimRight(b.String(), "\n")
	}
	return e
}

func asAttempt(u string, err error) *attemptError {
	var ae *attemptError
	if errors.As(err, &ae) {
		return ae
	}
	return &attemptError{url: u, err: err}
}

func (e *attemptError) Error() string { return e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

func (f *File) pause(ctx context.Context, attempt int) error {
	d := time.Duration(attempt) * 500 * time.Millisecond
	if f.Backoff != nil {
		d = f.Backoff(attempt)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// downloadOnce makes one attempt at u: it streams the body into a
// temporary file in dir while hashing, then renames it to dir/<sha256>.
func (f *File) downloadOnce(ctx context.Context, env *plugin.SourceEnv, u, dir, etag, want string) (string, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	body, length, newETag, err := f.open(ctx, env, u, etag)
	if err != nil {
		return "", err
	}
	defer body.Close()

	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return "", &attemptError{url: u, err: err, permanent: true}
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	idle := f.IdleTimeout
	if idle <= 0 {
		idle = defaultIdleTimeout
	}
	stall := time.AfterFunc(idle, func() { cancel(fmt.Errorf("no data received for %s", idle)) })
	defer stall.Stop()
	h := sha256.New()
	src := &progressReader{r: body, total: length, report: env.Progress, onRead: func() { stall.Reset(idle) }}
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	src.finish()
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
		}
		return "", err
	}
	if length >= 0 && n != length {
		return "", fmt.Errorf("partial file %d/%d", n, length)
	}
	sha := hex.EncodeToString(h.Sum(nil))
	if want != "" && sha != want {
		return "", &attemptError{url: u, err: fmt.Errorf("sha256sum '%s', not '%s'", sha, want), permanent: true,
			mismatch: f.Errorf(ChecksumMismatch, "File downloaded from %s has sha256sum '%s', not '%s'!", u, sha, want)}
	}
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, sha)); err != nil {
		return "", err
	}
	keep = true
	if newETag != "" {
		writeETag(dir, sha, newETag)
	}
	return sha, nil
}

// open starts the download of u: its body, its length (-1 if unknown) and
// its ETag.
func (f *File) open(ctx context.Context, env *plugin.SourceEnv, u, etag string) (io.ReadCloser, int64, string, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return nil, 0, "", &attemptError{url: u, err: err, permanent: true}
	}
	switch parsed.Scheme {
	case "http", "https":
	case "file":
		fh, err := os.Open(parsed.Path)
		if err != nil {
			return nil, 0, "", &attemptError{url: u, err: err, permanent: errors.Is(err, os.ErrNotExist)}
		}
		fi, err := fh.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			fh.Close()
			return nil, 0, "", &attemptError{url: u, err: fmt.Errorf("%s is not a regular file", parsed.Path), permanent: true}
		}
		return fh, fi.Size(), "", nil
	default:
		return nil, 0, "", &attemptError{url: u, err: fmt.Errorf("unsupported URL scheme %q", parsed.Scheme), permanent: true}
	}
	client := env.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := f.get(ctx, client, u, etag, nil)
	if err != nil {
		return nil, 0, "", err
	}
	if resp.StatusCode == http.StatusUnauthorized {
		// As urllib's HTTPBasicAuthHandler: answer the challenge with the
		// ~/.netrc entry of the host that asked, if there is one.
		if login, password, ok := netrcEntry(resp.Request.URL.Hostname()); ok {
			drain(resp)
			resp, err = f.get(ctx, client, resp.Request.URL.String(), etag, &[2]string{login, password})
			if err != nil {
				return nil, 0, "", err
			}
		}
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && etag != "":
		drain(resp)
		return nil, 0, "", errNotModified
	case resp.StatusCode != http.StatusOK:
		drain(resp)
		// 4xx answers will not change on retry, except timeouts and throttling.
		permanent := resp.StatusCode >= 400 && resp.StatusCode < 500 &&
			resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests
		return nil, 0, "", &attemptError{url: u, err: fmt.Errorf("HTTP Error %d: %s", resp.StatusCode, http.StatusText(resp.StatusCode)), permanent: permanent}
	}
	if etag != "" && resp.Header.Get("ETag") == etag {
		// Some servers ignore If-None-Match but send the same ETag.
		drain(resp)
		return nil, 0, "", errNotModified
	}
	return resp.Body, resp.ContentLength, resp.Header.Get("ETag"), nil
}

func (f *File) get(ctx context.Context, client *http.Client, u, etag string, auth *[2]string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, &attemptError{url: u, err: err, permanent: true}
	}
	req.Header.Set("Accept", "*/*")
	req.Header.Set("User-Agent", fmt.Sprintf("BuildStream/%d", max(f.Gen, 1)))
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if auth != nil {
		req.SetBasicAuth(auth[0], auth[1])
	}
	return client.Do(req)
}

func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}

// removeStaleTemps removes temporary downloads that a killed process left
// behind (they are never mistaken for cached files: cached files are named
// by their digest).
func removeStaleTemps(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*"))
	for _, n := range names {
		if fi, err := os.Lstat(n); err == nil && time.Since(fi.ModTime()) > staleTemp {
			os.Remove(n)
		}
	}
}

func etagPath(dir, sha string) string { return filepath.Join(dir, sha+".etag") }

func readETag(dir, sha string) string {
	b, err := os.ReadFile(etagPath(dir, sha))
	if err != nil {
		return ""
	}
	return string(b)
}

// writeETag stores the ETag beside the file, atomically; failing to is
// not an error (the ETag only saves a download when tracking).
func writeETag(dir, sha, etag string) {
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return
	}
	_, werr := tmp.WriteString(etag)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), etagPath(dir, sha)) != nil {
		os.Remove(tmp.Name())
	}
}

func (f *File) logf(env *plugin.SourceEnv, format string, args ...any) {
	if env.Log != nil {
		fmt.Fprintf(env.Log, format, args...)
	}
}

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}
