package download_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/yamlnode"
)

func TestURLDirectoryName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"http://example.com/foo-1.0.tar.gz", "http___example_com_foo_1_0_tar_gz"},
		{"upstream:foo/bar%20baz_1.zip", "upstream_foo_bar%20baz_1_zip"},
		{"https://h/p?a=b&c=d#x~y", "https___h_p_a_b_c_d_x_y"},
		{"alias:café", "alias_caf_"}, // one '_' per code point, as Python
		{"", ""},
	} {
		if got := download.URLDirectoryName(c.in); got != c.want {
			t.Errorf("URLDirectoryName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// newFile configures a downloadable "tar" source for url with ref.
func newFile(t *testing.T, gen int, url, ref string) *download.File {
	t.Helper()
	cfg := "url: " + url + "\n"
	if ref != "" {
		cfg += "ref: " + ref + "\n"
	}
	f, err := download.Configure(downloadtest.Spec(t, "tar", gen, t.TempDir(), cfg))
	if err != nil {
		t.Fatal(err)
	}
	f.Backoff = func(int) time.Duration { return 0 }
	return f
}

var content = []byte(strings.Repeat("some archive content\n", 50000))

// mirrorFiles lists the names in f's mirror directory.
func mirrorFiles(t *testing.T, f *download.File, env *plugin.SourceEnv) []string {
	t.Helper()
	ents, err := os.ReadDir(f.MirrorDir(env))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func asBst(t *testing.T, err error) *bsterr.Error {
	t.Helper()
	var e *bsterr.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a *bsterr.Error, got %T %v", err, err)
	}
	return e
}

func TestTrackThenFetch(t *testing.T) {
	for _, gen := range []int{1, 2} {
		srv := downloadtest.Serve(t, map[string][]byte{"/foo.tar.gz": content})
		env := downloadtest.Env(t)
		url := srv.URL + "/foo.tar.gz"
		f := newFile(t, gen, url, "")
		if f.Cached(env) || f.Ref() != nil {
			t.Fatal("cached or with a ref before tracking")
		}
		ref, err := f.Track(context.Background(), env, "")
		if err != nil {
			t.Fatal(err)
		}
		want := downloadtest.SHA256(content)
		if got := ref.(*yamlnode.Scalar).Value; got != want {
			t.Fatalf("tracked ref %s, want %s", got, want)
		}
		f.SetRef(ref)
		if !f.Cached(env) {
			t.Fatal("not cached after tracking")
		}
		wantPath := filepath.Join(env.SourceDir, "tar", download.URLDirectoryName(url), want)
		if f.Path(env) != wantPath {
			t.Errorf("path %s, want %s", f.Path(env), wantPath)
		}
		if data, _ := os.ReadFile(wantPath); string(data) != string(content) {
			t.Error("cached file differs from the served one")
		}
		// Fetch of a cached ref makes no request.
		n := len(srv.Requests())
		if err := f.Fetch(context.Background(), env, ""); err != nil {
			t.Fatal(err)
		}
		if len(srv.Requests()) != n {
			t.Error("fetch of a cached file made a request")
		}
		h := srv.Requests()[0].Header
		if ua := h.Get("User-Agent"); ua != map[int]string{1: "BuildStream/1", 2: "BuildStream/2"}[gen] {
			t.Errorf("gen %d: User-Agent %q", gen, ua)
		}
		if h.Get("Accept") != "*/*" {
			t.Errorf("Accept %q", h.Get("Accept"))
		}
	}
}

func TestFetchStoresVerifiedFile(t *testing.T) {
	srv := downloadtest.Serve(t, map[string][]byte{"/a/foo.zip": content})
	env := downloadtest.Env(t)
	var reports [][2]int64
	env.Progress = func(done, total int64) { reports = append(reports, [2]int64{done, total}) }
	f := newFile(t, 1, srv.URL+"/a/foo.zip", downloadtest.SHA256(content))
	if err := f.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	if !f.Cached(env) {
		t.Fatal("not cached")
	}
	if got := mirrorFiles(t, f, env); len(got) != 1 || got[0] != downloadtest.SHA256(content) {
		t.Errorf("mirror directory holds %v", got)
	}
	if len(reports) < 2 || reports[len(reports)-1] != [2]int64{int64(len(content)), int64(len(content))} {
		t.Errorf("progress reports %v", reports)
	}
}

func TestChecksumMismatchKeepsNothing(t *testing.T) {
	srv := downloadtest.Serve(t, map[string][]byte{"/foo.tar": content})
	env := downloadtest.Env(t)
	env.Retries = 2
	bad := strings.Repeat("ab", 32)
	f := newFile(t, 1, srv.URL+"/foo.tar", bad)
	err := f.Fetch(context.Background(), env, "")
	e := asBst(t, err)
	if e.Reason != download.ChecksumMismatch || e.Domain != bsterr.DomainSource {
		t.Errorf("got %s/%s", e.Domain, e.Reason)
	}
	actual := downloadtest.SHA256(content)
	if !strings.Contains(e.Msg, bad) || !strings.Contains(e.Msg, actual) || !strings.Contains(e.Msg, "test.bst") {
		t.Errorf("message lacks a digest or the element: %s", e.Msg)
	}
	if e.Prov == nil || e.Prov.File != "elements/test.bst" {
		t.Errorf("provenance %v", e.Prov)
	}
	if got := mirrorFiles(t, f, env); len(got) != 0 {
		t.Errorf("mirror directory holds %v after a mismatch", got)
	}
	if f.Cached(env) {
		t.Error("cached after a mismatch")
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("a mismatch was retried: %d requests", n)
	}
}

func TestRetryAfterFailures(t *testing.T) {
	for _, c := range []struct {
		name           string
		failures, reps int
		ok             bool
	}{
		{"enough retries", 2, 2, true},
		{"too few retries", 3, 2, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := downloadtest.Serve(t, map[string][]byte{"/foo.tar": content})
			srv.Fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n <= c.failures {
					http.Error(w, "busy", http.StatusServiceUnavailable)
					return true
				}
				return false
			}
			env := downloadtest.Env(t)
			env.Retries = c.reps
			f := newFile(t, 1, srv.URL+"/foo.tar", downloadtest.SHA256(content))
			err := f.Fetch(context.Background(), env, "")
			if c.ok {
				if err != nil || !f.Cached(env) {
					t.Fatalf("fetch: %v, cached %v", err, f.Cached(env))
				}
				return
			}
			e := asBst(t, err)
			if e.Reason != download.DownloadFailed || !e.Temporary || !strings.Contains(e.Msg, "503") {
				t.Errorf("got %s temporary=%v: %s", e.Reason, e.Temporary, e.Msg)
			}
			if n := len(srv.Requests()); n != c.reps+1 {
				t.Errorf("%d requests, want %d", n, c.reps+1)
			}
		})
	}
}

// unreachableURL returns a URL on 127.0.0.1 where nothing listens.
func unreachableURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestUnreachableThenRetrySucceeds(t *testing.T) {
	// The server comes up only after the first attempt failed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env := downloadtest.Env(t)
	env.Retries = 3
	f := newFile(t, 1, "http://"+addr+"/foo.tar", downloadtest.SHA256(content))
	started := make(chan *http.Server, 1)
	f.Backoff = func(n int) time.Duration {
		if n == 1 {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				t.Errorf("re-listening: %v", err)
				return 0
			}
			s := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(content) })}
			go s.Serve(l)
			started <- s
		}
		return 0
	}
	if err := f.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	(<-started).Close()
	if !f.Cached(env) {
		t.Fatal("not cached")
	}
}

func TestUnreachableFails(t *testing.T) {
	env := downloadtest.Env(t)
	env.Retries = 1
	u := unreachableURL(t) + "/foo.tar"
	f := newFile(t, 1, u, downloadtest.SHA256(content))
	e := asBst(t, f.Fetch(context.Background(), env, ""))
	if e.Reason != download.DownloadFailed || !strings.Contains(e.Msg, u) || !e.Temporary {
		t.Errorf("got %s: %s", e.Reason, e.Msg)
	}
	if got := mirrorFiles(t, f, env); len(got) != 0 {
		t.Errorf("mirror directory holds %v", got)
	}
}

func TestMirrorOrder(t *testing.T) {
	// The first mirror lacks the file, the second is down, the third has
	// a corrupt copy, the fourth has it; upstream is never asked.
	m1 := downloadtest.Serve(t, map[string][]byte{})
	m3 := downloadtest.Serve(t, map[string][]byte{"/foo.tar": []byte("corrupt")})
	m4 := downloadtest.Serve(t, map[string][]byte{"/foo.tar": content})
	up := downloadtest.Serve(t, map[string][]byte{"/foo.tar": content})
	down := unreachableURL(t)
	env := downloadtest.Env(t)
	env.Retries = 1
	var asked []string
	env.URLs = func(u string) []string {
		asked = append(asked, u)
		body := strings.TrimPrefix(u, "upstream:")
		return []string{m1.URL + body, down + body, m3.URL + body, m4.URL + body, up.URL + body}
	}
	f := newFile(t, 1, "upstream:/foo.tar", downloadtest.SHA256(content))
	if err := f.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0] != "upstream:/foo.tar" {
		t.Errorf("URLs asked for %v", asked)
	}
	if n := len(m1.Requests()); n != 1 {
		t.Errorf("404 mirror asked %d times (a 404 is not retried)", n)
	}
	if n := len(m3.Requests()); n != 1 {
		t.Errorf("corrupt mirror asked %d times", n)
	}
	if len(m4.Requests()) != 1 || len(up.Requests()) != 0 {
		t.Errorf("good mirror asked %d times, upstream %d", len(m4.Requests()), len(up.Requests()))
	}
	// The mirror directory is named after the URL as written.
	if want := filepath.Join(env.SourceDir, "tar", "upstream__foo_tar"); f.MirrorDir(env) != want {
		t.Errorf("mirror dir %s, want %s", f.MirrorDir(env), want)
	}
}

func TestAllMirrorsFailReportsEach(t *testing.T) {
	m1 := downloadtest.Serve(t, map[string][]byte{})
	m2 := downloadtest.Serve(t, map[string][]byte{"/foo.tar": []byte("corrupt")})
	env := downloadtest.Env(t)
	env.URLs = func(u string) []string { return []string{m1.URL + "/foo.tar", m2.URL + "/foo.tar"} }
	f := newFile(t, 1, "upstream:foo.tar", downloadtest.SHA256(content))
	e := asBst(t, f.Fetch(context.Background(), env, ""))
	if e.Reason != download.ChecksumMismatch {
		t.Errorf("reason %s, want the last URL's", e.Reason)
	}
	if !strings.Contains(e.Detail, m1.URL) || !strings.Contains(e.Detail, "404") || !strings.Contains(e.Detail, m2.URL) {
		t.Errorf("detail does not list every URL:\n%s", e.Detail)
	}
}

// serveTruncated answers with a Content-Length (or chunked) body cut off
// in the middle by closing the connection.
func serveTruncated(chunked bool) func(w http.ResponseWriter, r *http.Request, n int) bool {
	return func(w http.ResponseWriter, r *http.Request, n int) bool {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		half := content[:len(content)/2]
		if chunked {
			buf.WriteString("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
			buf.WriteString(strconv.FormatInt(int64(len(half)), 16) + "\r\n")
			buf.Write(half)
			buf.WriteString("\r\n")
		} else {
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(content)) + "\r\n\r\n")
			buf.Write(half)
		}
		buf.Flush()
		return true
	}
}

var sha256Name = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestInterruptedDownloadNeverLooksComplete(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		for _, track := range []bool{false, true} {
			srv := downloadtest.Serve(t, map[string][]byte{"/foo.tar": content})
			srv.Fail = serveTruncated(chunked)
			env := downloadtest.Env(t)
			env.Retries = 1
			ref := ""
			if !track {
				ref = downloadtest.SHA256(content)
			}
			f := newFile(t, 1, srv.URL+"/foo.tar", ref)
			var err error
			if track {
				_, err = f.Track(context.Background(), env, "")
			} else {
				err = f.Fetch(context.Background(), env, "")
			}
			e := asBst(t, err)
			if e.Reason != download.DownloadFailed {
				t.Errorf("chunked=%v track=%v: reason %s: %s", chunked, track, e.Reason, e.Msg)
			}
			for _, n := range mirrorFiles(t, f, env) {
				t.Errorf("chunked=%v track=%v: mirror directory holds %s", chunked, track, n)
			}
			if len(srv.Requests()) != 2 {
				t.Errorf("%d requests, want 2 (one retry)", len(srv.Requests()))
			}
		}
	}
}

func TestStaleTemporaryFilesRemoved(t *testing.T) {
	srv := downloadtest.Serve(t, map[string][]byte{"/foo.tar": content})
	env := downloadtest.Env(t)
	f := newFile(t, 1, srv.URL+"/foo.tar", downloadtest.SHA256(content))
	dir := f.MirrorDir(env)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, fresh := filepath.Join(dir, ".download-old"), filepath.Join(dir, ".download-fresh")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-48 * time.Hour)
	os.Chtimes(old, past, past)
	if err := f.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("stale temporary file kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a fresh temporary file (maybe another process's download) was removed")
	}
	for _, n := range mirrorFiles(t, f, env) {
		if !sha256Name.MatchString(n) && !strings.HasPrefix(n, ".download-") {
			t.Errorf("unexpected file %s", n)
		}
	}
}

func TestTrackUsesETag(t *testing.T) {
	srv := downloadtest.Serve(t, map[string][]byte{"/foo.tar": content})
	srv.Fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
		return false
	}
	env := downloadtest.Env(t)
	f := newFile(t, 1, srv.URL+"/foo.tar", "")
	ref, err := f.Track(context.Background(), env, "")
	if err != nil {
		t.Fatal(err)
	}
	f.SetRef(ref)
	ref2, err := f.Track(context.Background(), env, "")
	if err != nil {
		t.Fatal(err)
	}
	if ref2.(*yamlnode.Scalar).Value != downloadtest.SHA256(content) {
		t.Errorf("second track gave %v", ref2)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[1].Header.Get("If-None-Match") != `"v1"` {
		t.Errorf("second request did not send the ETag: %+v", reqs)
	}
}

func TestNetrcAuth(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.WriteFile(filepath.Join(home, ".netrc"), []byte("machine other login x password y\nmachine 127.0.0.1\n  login alice\n  password s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := downloadtest.Serve(t, map[string][]byte{"/foo.tar": content})
	srv.Fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "s3cret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="files"`)
			w.WriteHeader(http.StatusUnauthorized)
			return true
		}
		return false
	}
	env := downloadtest.Env(t)
	f := newFile(t, 1, srv.URL+"/foo.tar", downloadtest.SHA256(content))
	if err := f.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	if reqs := srv.Requests(); len(reqs) != 2 || reqs[0].Header.Get("Authorization") != "" {
		t.Errorf("want an unauthenticated request answered by a challenge, then one with credentials: %+v", reqs)
	}
}

func TestFileURL(t *testing.T) {
	p := filepath.Join(t.TempDir(), "foo.tar")
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	env := downloadtest.Env(t)
	f := newFile(t, 1, "file://"+p, "")
	ref, err := f.Track(context.Background(), env, "")
	if err != nil {
		t.Fatal(err)
	}
	if ref.(*yamlnode.Scalar).Value != downloadtest.SHA256(content) {
		t.Error("wrong digest")
	}
}

func TestIdleTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := downloadtest.Serve(t, map[string][]byte{"/foo.tar": content})
	srv.Fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.Write(content[:100])
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	}
	env := downloadtest.Env(t)
	f := newFile(t, 1, srv.URL+"/foo.tar", downloadtest.SHA256(content))
	f.IdleTimeout = 100 * time.Millisecond
	start := time.Now()
	e := asBst(t, f.Fetch(context.Background(), env, ""))
	if !strings.Contains(e.Msg, "no data received") || time.Since(start) > 5*time.Second {
		t.Errorf("after %s: %s", time.Since(start), e.Msg)
	}
}

func TestFetchWithoutRef(t *testing.T) {
	env := downloadtest.Env(t)
	f := newFile(t, 1, "http://127.0.0.1:1/foo.tar", "")
	if e := asBst(t, f.Fetch(context.Background(), env, "")); e.Reason != download.NoRef {
		t.Errorf("reason %s", e.Reason)
	}
}

func TestConfigureErrors(t *testing.T) {
	_, err := download.Configure(downloadtest.Spec(t, "tar", 1, t.TempDir(), "ref: abc\n"))
	if bsterr.ReasonOf(err) != bsterr.InvalidData {
		t.Errorf("missing url: %v", err)
	}
	_, err = download.Configure(downloadtest.Spec(t, "tar", 1, t.TempDir(), "url: x\nref: [a]\n"))
	if bsterr.ReasonOf(err) != bsterr.InvalidData {
		t.Errorf("list ref: %v", err)
	}
}

func TestRefThatCannotNameAFile(t *testing.T) {
	env := downloadtest.Env(t)
	for _, ref := range []string{"../../etc/passwd", "..", ".download-x"} {
		f := newFile(t, 1, "http://127.0.0.1:1/foo.tar", "'"+ref+"'")
		if f.Cached(env) || f.Path(env) != "" {
			t.Errorf("ref %q names a file", ref)
		}
	}
}
