// Package downloadtest helps the tests of source kinds: a configured
// SourceSpec from YAML, a SourceEnv rooted in a temporary directory, and an
// HTTP server on 127.0.0.1 that serves files and records requests.
//
// It is imported by tests only. It may import plugin, yamlnode and the
// standard library's testing helpers.
package downloadtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/yamlnode"
)

// Spec parses config (the source's YAML, without kind) into a spec of kind
// for generation gen, with projectDir as the project.
func Spec(t testing.TB, kind string, gen int, projectDir, config string) plugin.SourceSpec {
	t.Helper()
	m, err := yamlnode.Parse([]byte(config), "elements/test.bst")
	if err != nil {
		t.Fatalf("parsing test config: %v", err)
	}
	return plugin.SourceSpec{Kind: kind, Gen: gen, Config: m, ProjectDir: projectDir, Element: "test.bst"}
}

// Env returns a SourceEnv with a fresh source directory, no mirrors and
// no retries, logging to the test's log.
func Env(t testing.TB) *plugin.SourceEnv {
	t.Helper()
	return &plugin.SourceEnv{
		SourceDir: t.TempDir(),
		URLs:      func(u string) []string { return []string{u} },
		HTTP:      &http.Client{},
		Log:       logWriter{t},
	}
}

type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// SHA256 is the hex sha256 of data.
func SHA256(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// Request is what the server saw of one request.
type Request struct {
	Path   string
	Header http.Header
}

// Server serves Files on 127.0.0.1. Fail, when set, may answer a request
// itself (return true) before the file is served.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	Files    map[string][]byte
	Fail     func(w http.ResponseWriter, r *http.Request, n int) bool
	requests []Request
}

// Serve starts a server for files (path → content), closed with the test.
func Serve(t testing.TB, files map[string][]byte) *Server {
	t.Helper()
	s := &Server{Files: files}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Path: r.URL.Path, Header: r.Header.Clone()})
	n := len(s.requests)
	fail := s.Fail
	data, ok := s.Files[r.URL.Path]
	s.mu.Unlock()
	if fail != nil && fail(w, r, n) {
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// Requests returns the requests seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}
