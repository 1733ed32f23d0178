package sysroot

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestLink(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "copy")
	if err := os.MkdirAll(filepath.Join(src, "usr/bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(src, "root"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "usr/bin/tool"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/usr/bin/tool", filepath.Join(src, "usr/bin/abs")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("missing", filepath.Join(src, "usr/bin/dangling")); err != nil {
		t.Fatal(err)
	}
	if err := Link(src, dst); err != nil {
		t.Fatal(err)
	}
	a, _ := os.Stat(filepath.Join(src, "usr/bin/tool"))
	b, err := os.Stat(filepath.Join(dst, "usr/bin/tool"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Sys().(*syscall.Stat_t).Ino != b.Sys().(*syscall.Stat_t).Ino {
		t.Errorf("usr/bin/tool is not a hard link of the source file")
	}
	for link, want := range map[string]string{"usr/bin/abs": "/usr/bin/tool", "usr/bin/dangling": "missing"} {
		if got, err := os.Readlink(filepath.Join(dst, link)); err != nil || got != want {
			t.Errorf("%s -> %q (%v), want %q", link, got, err, want)
		}
	}
	if fi, err := os.Stat(filepath.Join(dst, "root")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("root: %v %v, want a 0700 directory", fi.Mode(), err)
	}
}

func TestKey(t *testing.T) {
	base := []deb{{file: "a_1_amd64.deb", hash: "MD5Sum:1"}, {file: "b_2_all.deb", hash: "MD5Sum:2"}}
	newer := []deb{{file: "a_1_amd64.deb", hash: "MD5Sum:1"}, {file: "b_3_all.deb", hash: "MD5Sum:3"}}
	fewer := []deb{{file: "a_1_amd64.deb", hash: "MD5Sum:1"}}
	k := key(base)
	if len(k) != 24 || k != key(append([]deb(nil), base...)) {
		t.Fatalf("key %q is not a stable 24-digit hash", k)
	}
	for name, other := range map[string][]deb{"newer version": newer, "fewer packages": fewer} {
		if key(other) == k {
			t.Errorf("%s: same key %s", name, k)
		}
	}
}

func TestPrune(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	for name, age := range map[string]time.Duration{
		"aaaaaaaaaaaaaaaaaaaaaaaa": 40 * 24 * time.Hour, // unused too long
		"bbbbbbbbbbbbbbbbbbbbbbbb": time.Hour,
		"tmp-not-an-entry":         40 * 24 * time.Hour,
	} {
		p := filepath.Join(dir, name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	prune(dir, now.Add(-unused))
	for name, want := range map[string]bool{"aaaaaaaaaaaaaaaaaaaaaaaa": false, "bbbbbbbbbbbbbbbbbbbbbbbb": true, "tmp-not-an-entry": true} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s: kept %v, want %v", name, err == nil, want)
		}
	}
}
