package remote_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/remote"
	"example.org/bst/internal/yamlnode"
)

var content = []byte("#!/bin/sh\necho hello\n")

func TestTrackFetchStage(t *testing.T) {
	for _, c := range []struct {
		name   string
		gen    int
		extra  string
		file   string
		mode   os.FileMode
		urlFor func(srv string) (url string, urls func(string) []string)
	}{
		{"default name", 1, "", "hello.sh", 0o644, nil},
		{"explicit name", 1, "filename: run\n", "run", 0o644, nil},
		{"executable", 2, "executable: true\n", "hello.sh", 0o755, nil},
		{"2.x not executable", 2, "", "hello.sh", 0o644, nil},
		{"alias", 1, "", "hello.sh", 0o644, func(srv string) (string, func(string) []string) {
			// The default name is the basename of the translated URL.
			return "files:hello.sh", func(string) []string { return []string{srv + "/files/hello.sh"} }
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := downloadtest.Serve(t, map[string][]byte{"/files/hello.sh": content})
			env := downloadtest.Env(t)
			url := srv.URL + "/files/hello.sh"
			if c.urlFor != nil {
				url, env.URLs = c.urlFor(srv.URL)
			}
			s, err := remote.New(downloadtest.Spec(t, "remote", c.gen, t.TempDir(), "url: "+url+"\n"+c.extra))
			if err != nil {
				t.Fatal(err)
			}
			ref, err := s.Track(context.Background(), env, "")
			if err != nil {
				t.Fatal(err)
			}
			if ref.(*yamlnode.Scalar).Value != downloadtest.SHA256(content) {
				t.Fatalf("ref %v", ref)
			}
			s.SetRef(ref)
			// A fresh source with the ref finds the file cached.
			s2, err := remote.New(downloadtest.Spec(t, "remote", c.gen, t.TempDir(), "url: "+url+"\nref: "+downloadtest.SHA256(content)+"\n"+c.extra))
			if err != nil {
				t.Fatal(err)
			}
			if !s2.Cached(env) {
				t.Fatal("not cached")
			}
			dir := t.TempDir()
			if err := s2.Stage(context.Background(), env, dir); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, c.file)
			data, err := os.ReadFile(p)
			if err != nil || string(data) != string(content) {
				t.Fatalf("staged %q, %v", data, err)
			}
			fi, _ := os.Stat(p)
			if fi.Mode().Perm() != c.mode {
				t.Errorf("mode %v, want %v", fi.Mode().Perm(), c.mode)
			}
			// Staging again replaces the file.
			if err := s2.Stage(context.Background(), env, dir); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFetchFromEmptyCache(t *testing.T) {
	srv := downloadtest.Serve(t, map[string][]byte{"/x": content})
	env := downloadtest.Env(t)
	s, err := remote.New(downloadtest.Spec(t, "remote", 1, t.TempDir(), "url: "+srv.URL+"/x\nref: "+downloadtest.SHA256(content)+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Cached(env) {
		t.Fatal("cached before fetch")
	}
	if err := s.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := s.Stage(context.Background(), env, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err != nil {
		t.Fatal(err)
	}
}

func TestFilenameWithDirectory(t *testing.T) {
	_, err := remote.New(downloadtest.Spec(t, "remote", 1, t.TempDir(), "url: http://x/y\nfilename: a/b\n"))
	if bsterr.ReasonOf(err) != remote.FilenameContainsDirectory || bsterr.DomainOf(err) != bsterr.DomainSource {
		t.Errorf("got %v", err)
	}
}
