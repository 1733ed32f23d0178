package crate_test

import (
	"context"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugins/sources/crate"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	. "example.org/bst/internal/plugins/sources/unpack/unpacktest"
	"example.org/bst/internal/yamlnode"
)

func TestTrackFetchStage(t *testing.T) {
	data := TarGz(t,
		Entry{Name: "foo-1.0.2/Cargo.toml", Body: "[package]\nname = \"foo\"\n"},
		Entry{Name: "foo-1.0.2/src/lib.rs", Body: "pub fn f() {}\n", Mode: 0o664},
	)
	srv := downloadtest.Serve(t, map[string][]byte{"/crates/foo/foo-1.0.2.crate": data})
	env := downloadtest.Env(t)
	for _, c := range []struct{ config, subdir string }{{"", "crates"}, {"subdir: vendor/rust\n", "vendor/rust"}} {
		src, err := crate.New(downloadtest.Spec(t, "crate", 1, t.TempDir(), "url: "+srv.URL+"/crates/foo/foo-1.0.2.crate\n"+c.config))
		if err != nil {
			t.Fatal(err)
		}
		ref, err := src.Track(context.Background(), env, "")
		if err != nil {
			t.Fatal(err)
		}
		sha := downloadtest.SHA256(data)
		if ref.(*yamlnode.Scalar).Str() != sha {
			t.Errorf("ref %v", ref)
		}
		src.SetRef(ref)
		if err := src.Fetch(context.Background(), env, ""); err != nil || !src.Cached(env) {
			t.Fatalf("fetch: %v, cached %v", err, src.Cached(env))
		}
		dir := t.TempDir()
		if err := src.Stage(context.Background(), env, dir); err != nil {
			t.Fatal(err)
		}
		p := c.subdir + "/foo-1.0.2/"
		var want []string
		if c.subdir == "vendor/rust" {
			want = append(want, "vendor dir 0755")
		}
		want = append(want,
			c.subdir+" dir 0755",
			c.subdir+"/foo-1.0.2 dir 0755",
			p+".cargo-checksum.json file 0644 sha256:"+downloadtest.SHA256([]byte(`{"package": "`+sha+`", "files": {}}`)),
			p+"Cargo.toml file 0644 \"[package]\\nname = \\\"foo\\\"\\n\"",
			p+"src dir 0755",
			p+"src/lib.rs file 0664 \"pub fn f() {}\\n\"",
		)
		if got := downloadtest.Snapshot(t, dir); got != strings.Join(want, "\n") {
			t.Errorf("staged:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
		}
	}
}

func TestMismatch(t *testing.T) {
	srv := downloadtest.Serve(t, map[string][]byte{"/foo.crate": TarGz(t, Entry{Name: "foo/x", Body: "x"})})
	env := downloadtest.Env(t)
	src, err := crate.New(downloadtest.Spec(t, "crate", 1, t.TempDir(), "url: "+srv.URL+"/foo.crate\nref: "+strings.Repeat("a", 64)+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Fetch(context.Background(), env, ""); bsterr.ReasonOf(err) != download.ChecksumMismatch {
		t.Errorf("got %v", err)
	}
	if err := src.Stage(context.Background(), env, t.TempDir()); bsterr.ReasonOf(err) != download.StageFailed {
		t.Errorf("stage: %v", err)
	}
}
