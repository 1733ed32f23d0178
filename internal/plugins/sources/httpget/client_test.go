package httpget_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/httpget"
)

func TestRetries(t *testing.T) {
	srv := downloadtest.Serve(t, map[string][]byte{"/index": []byte("data")})
	srv.Fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	env := downloadtest.Env(t)
	c := &httpget.Client{Env: env, Gen: 2, Backoff: func(int) time.Duration { return 0 }}
	env.Retries = 1
	_, _, err := c.Bytes(context.Background(), srv.URL+"/index", nil, 100)
	if httpget.Status(err) != http.StatusServiceUnavailable || !httpget.Temporary(err) {
		t.Errorf("too few retries: %v", err)
	}
	env.Retries = 2
	data, _, err := c.Bytes(context.Background(), srv.URL+"/index", http.Header{"X-Test": {"1"}}, 100)
	if err != nil || string(data) != "data" {
		t.Fatalf("got %q %v", data, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[2].Header.Get("User-Agent") != "BuildStream/2" || reqs[2].Header.Get("X-Test") != "1" {
		t.Errorf("requests %+v", reqs)
	}
}

func TestPermanentFailures(t *testing.T) {
	srv := downloadtest.Serve(t, map[string][]byte{"/big": make([]byte, 200)})
	env := downloadtest.Env(t)
	env.Retries = 3
	c := &httpget.Client{Env: env, Backoff: func(int) time.Duration { return 0 }}
	_, err := c.Get(context.Background(), srv.URL+"/missing", nil)
	var se *httpget.StatusError
	if !errors.As(err, &se) || se.Status != 404 || httpget.Temporary(err) || len(srv.Requests()) != 1 {
		t.Errorf("404: %v after %d requests", err, len(srv.Requests()))
	}
	if _, _, err := c.Bytes(context.Background(), srv.URL+"/big", nil, 100); err == nil {
		t.Error("an answer past the limit was accepted")
	}
	e := httpget.Error(nil, err, "reading %s", "x")
	if e.Reason != httpget.RequestFailed || e.Domain != bsterr.DomainSource || e.Temporary {
		t.Errorf("error %+v", e)
	}
}
