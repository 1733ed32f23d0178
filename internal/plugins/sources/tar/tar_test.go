package tar_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/hostexec"
	bsttar "example.org/bst/internal/plugins/sources/tar"
)

// entry is one member of a test archive.
type entry struct {
	name string
	typ  byte
	mode int64
	body string // content, or link target
}

func file(name string, mode int64, body string) entry { return entry{name, tar.TypeReg, mode, body} }
func dir(name string, mode int64) entry               { return entry{name, tar.TypeDir, mode, ""} }
func symlink(name, target string) entry               { return entry{name, tar.TypeSymlink, 0o777, target} }
func hardlink(name, target string) entry              { return entry{name, tar.TypeLink, 0o644, target} }

var mtime = time.Date(2020, 5, 17, 10, 30, 0, 0, time.UTC)

func buildTar(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, ModTime: mtime, Format: tar.FormatPAX}
		switch e.typ {
		case tar.TypeReg:
			h.Size = int64(len(e.body))
		case tar.TypeSymlink, tar.TypeLink:
			h.Linkname = e.body
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// compress compresses data with gzip in process, or with the host's
// bzip2, xz or zstd (skipping the test when the tool is missing).
func compress(t testing.TB, data []byte, how string) []byte {
	t.Helper()
	switch how {
	case "", "plain":
		return data
	case "gz":
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		return buf.Bytes()
	}
	tool := map[string]string{"bz2": "bzip2", "xz": "xz", "zst": "zstd"}[how]
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("%s not installed", tool)
	}
	cmd := exec.Command(tool, "-c")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return out
}

func newEnv(t testing.TB) *plugin.SourceEnv {
	env := downloadtest.Env(t)
	env.Exec = hostexec.New(env.Log, nil)
	return env
}

// stage serves archive, fetches it as a tar source of generation gen with
// the extra configuration, and stages it into a new directory.
func stage(t testing.TB, gen int, archive []byte, extra string) (string, error) {
	t.Helper()
	srv := downloadtest.Serve(t, map[string][]byte{"/foo.tar": archive})
	env := newEnv(t)
	cfg := "url: " + srv.URL + "/foo.tar\nref: " + downloadtest.SHA256(archive) + "\n" + extra
	s, err := bsttar.New(downloadtest.Spec(t, "tar", gen, t.TempDir(), cfg))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	return out, s.Stage(context.Background(), env, out)
}

func mustStage(t testing.TB, gen int, archive []byte, extra string) string {
	t.Helper()
	out, err := stage(t, gen, archive, extra)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var release = []entry{
	dir("foo-1.0/", 0o755),
	file("foo-1.0/a.txt", 0o644, "hello\n"),
	dir("foo-1.0/bin/", 0o755),
	file("foo-1.0/bin/run", 0o755, "#!/bin/sh\necho run\n"),
	symlink("foo-1.0/link", "a.txt"),
	symlink("foo-1.0/abs", "/usr/share/foo"),
	hardlink("foo-1.0/hard", "foo-1.0/a.txt"),
	dir("foo-1.0/ro/", 0o555),
	file("foo-1.0/ro/f", 0o444, "read only"),
	file("foo-1.0/sub/deep/x", 0o600, strings.Repeat("x", 1000)),
	file("foo-1.0/.hidden", 0o640, ""),
}

const releaseStaged = `.hidden file 0640 ""
a.txt file 0644 "hello\n"
abs link -> /usr/share/foo
bin dir 0755
bin/run file 0755 "#!/bin/sh\necho run\n"
hard file 0644 "hello\n"
link link -> a.txt
ro dir 0555
ro/f file 0444 "read only"
sub dir 0755
sub/deep dir 0755
sub/deep/x file 0600 sha256:` + "2b6e5fa6ba6d2c7e1b5b5a1c0f0b2ae1b7e2d8d4a9c8b5e0f3d7d9c2f0a1b3c4"

func TestStageCompressions(t *testing.T) {
	plainTar := buildTar(t, release)
	var want string
	for _, how := range []string{"plain", "gz", "bz2", "xz", "zst"} {
		t.Run(how, func(t *testing.T) {
			out := mustStage(t, 1, compress(t, plainTar, how), "")
			got := downloadtest.Snapshot(t, out)
			if want == "" {
				want = got
				wantSnap := strings.Replace(releaseStaged, "2b6e5fa6ba6d2c7e1b5b5a1c0f0b2ae1b7e2d8d4a9c8b5e0f3d7d9c2f0a1b3c4", downloadtest.SHA256([]byte(strings.Repeat("x", 1000))), 1)
				if got != wantSnap {
					t.Fatalf("staged:\n%s\nwant:\n%s", got, wantSnap)
				}
			} else if got != want {
				t.Errorf("staged:\n%s\nwant (as plain):\n%s", got, want)
			}
			// Hard links stay links; times are the archive's.
			a, _ := os.Stat(filepath.Join(out, "a.txt"))
			h, _ := os.Stat(filepath.Join(out, "hard"))
			if !os.SameFile(a, h) {
				t.Error("hard link staged as a copy")
			}
			for _, p := range []string{"a.txt", "bin", "ro", "sub/deep/x"} {
				fi, err := os.Stat(filepath.Join(out, p))
				if err != nil || !fi.ModTime().Equal(mtime) {
					t.Errorf("%s: mtime %v, want %v (%v)", p, fi.ModTime(), mtime, err)
				}
			}
		})
	}
}

func TestBaseDir(t *testing.T) {
	for _, c := range []struct {
		name    string
		entries []entry
		config  string
		want    string
		err     string
	}{
		{"whole archive", []entry{dir("foo-1.0/", 0o755), file("foo-1.0/a", 0o644, "a")}, "base-dir: ''\n",
			"foo-1.0 dir 0755\nfoo-1.0/a file 0644 \"a\"", ""},
		{"nested pattern", release, "base-dir: '*/bin'\n", "run file 0755 \"#!/bin/sh\\necho run\\n\"", ""},
		{"globstar", release, "base-dir: 'foo-1.0/**/deep'\n", "x file 0600 sha256:" + downloadtest.SHA256([]byte(strings.Repeat("x", 1000))), ""},
		{"first in sorted order", []entry{file("zeta/z", 0o644, "z"), file("alpha/a", 0o644, "a"), file("README", 0o644, "r")}, "",
			"a file 0644 \"a\"", ""},
		{"implicit directories", []entry{file("pkg-2/a", 0o644, "a"), file("pkg-2/b/c", 0o644, "c")}, "",
			"a file 0644 \"a\"\nb dir 0755\nb/c file 0644 \"c\"", ""},
		{"leading ./ without a ./ member", []entry{file("./foo-1.0/a", 0o644, "a"), file("./foo-1.0/b/c", 0o644, "c")}, "",
			"a file 0644 \"a\"\nb dir 0755\nb/c file 0644 \"c\"", ""},
		// BuildStream lists the "./" member as "", which "*" matches and
		// which sorts first: the whole archive is staged.
		{"./ member stages the whole archive", []entry{dir("./", 0o755), dir("./foo-1.0/", 0o755), file("./foo-1.0/a", 0o644, "a")}, "",
			"foo-1.0 dir 0755\nfoo-1.0/a file 0644 \"a\"", ""},
		{"no directory", []entry{file("a", 0o644, "a")}, "", "", "Could not find base directory matching pattern: *"},
		{"no match", release, "base-dir: 'bar-*'\n", "", "Could not find base directory matching pattern: bar-*"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := stage(t, 1, buildTar(t, c.entries), c.config)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || bsterr.ReasonOf(err) != download.StageFailed {
					t.Fatalf("got %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := downloadtest.Snapshot(t, out); got != c.want {
				t.Errorf("staged:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestGen2Modes(t *testing.T) {
	// BuildStream 2's ReadableTarInfo gives every member 0777 less the
	// umask (its executable-bit test is always true).
	out := mustStage(t, 2, buildTar(t, release), "")
	um := umaskForTest(t)
	for _, p := range []string{"a.txt", "bin/run", "ro", "ro/f", "sub/deep/x", ".hidden"} {
		fi, err := os.Stat(filepath.Join(out, p))
		if err != nil {
			t.Fatal(err)
		}
		if want := 0o777 &^ um; fi.Mode().Perm() != want {
			t.Errorf("%s: mode %04o, want %04o", p, fi.Mode().Perm(), want)
		}
	}
}

func umaskForTest(t *testing.T) os.FileMode {
	p := filepath.Join(t.TempDir(), "probe")
	if err := os.Mkdir(p, 0o777); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(p)
	return 0o777 &^ fi.Mode().Perm()
}

func TestUnsafeMembers(t *testing.T) {
	outside := t.TempDir()
	for _, c := range []struct {
		name    string
		entries []entry
	}{
		{"absolute", []entry{file("/etc/bst-test-abs", 0o644, "x")}},
		{"dot-dot", []entry{file("../bst-test-up", 0o644, "x")}},
		{"dot-dot inside", []entry{file("a/../../bst-test-up", 0o644, "x")}},
		{"through symlink", []entry{symlink("evil", outside), file("evil/pwned", 0o644, "x")}},
		{"through relative symlink", []entry{symlink("evil", "../../.."), file("evil/pwned", 0o644, "x")}},
		{"hard link out", []entry{hardlink("h", "../../etc/passwd")}},
		{"hard link through symlink", []entry{symlink("evil", "/etc"), hardlink("h", "evil/passwd")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, base := range []string{"base-dir: ''\n", ""} {
				entries := c.entries
				if base == "" {
					// The same members inside a top directory.
					entries = nil
					for _, e := range c.entries {
						if !strings.HasPrefix(e.name, "/") {
							e.name = "top/" + e.name
						}
						if e.typ == tar.TypeLink && !strings.HasPrefix(e.body, "/") {
							e.body = "top/" + e.body
						}
						entries = append(entries, e)
					}
					entries = append([]entry{dir("top/", 0o755)}, entries...)
				}
				parent := t.TempDir()
				root := filepath.Join(parent, "a", "b")
				archive := buildTar(t, entries)
				_, err := stageInto(t, archive, base, root)
				var e *bsterr.Error
				if c.name == "absolute" && base == "" {
					// Not under the base directory: not staged at all.
					if err != nil {
						t.Errorf("got %v", err)
					}
				} else if !errors.As(err, &e) || !errors.Is(err, download.ErrOutside) {
					t.Errorf("%q: want an outside-the-staging-area error, got %v", base, err)
				}
				if ents, _ := os.ReadDir(outside); len(ents) != 0 {
					t.Errorf("%q: wrote outside: %v", base, ents)
				}
				if _, err := os.Stat(filepath.Join(parent, "bst-test-up")); err == nil {
					t.Errorf("%q: wrote a file above the staging directory", base)
				}
			}
		})
	}
	if _, err := os.Stat("/etc/bst-test-abs"); err == nil {
		os.Remove("/etc/bst-test-abs")
		t.Error("wrote an absolute path")
	}
}

// stageInto stages archive (gen 1) with extra configuration into root.
func stageInto(t testing.TB, archive []byte, extra, root string) (string, error) {
	t.Helper()
	srv := downloadtest.Serve(t, map[string][]byte{"/x.tar": archive})
	env := newEnv(t)
	s, err := bsttar.New(downloadtest.Spec(t, "tar", 1, t.TempDir(), "url: "+srv.URL+"/x.tar\nref: "+downloadtest.SHA256(archive)+"\n"+extra))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	return root, s.Stage(context.Background(), env, root)
}

func TestStageOverExistingTree(t *testing.T) {
	root := t.TempDir()
	// What earlier sources staged: a file the archive replaces, a symlink
	// where the archive has a file (replaced, not written through), a
	// directory the archive adds to.
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("untouched"), 0o644)
	os.WriteFile(filepath.Join(root, "a.txt"), []byte("old"), 0o644)
	os.Symlink(victim, filepath.Join(root, "link-victim"))
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	os.WriteFile(filepath.Join(root, "bin", "keep"), []byte("keep"), 0o644)
	archive := buildTar(t, []entry{dir("foo/", 0o755), file("foo/a.txt", 0o644, "new"), file("foo/link-victim", 0o644, "replaced"), file("foo/bin/run", 0o755, "run")})
	if _, err := stageInto(t, archive, "", root); err != nil {
		t.Fatal(err)
	}
	want := "a.txt file 0644 \"new\"\nbin dir 0755\nbin/keep file 0644 \"keep\"\nbin/run file 0755 \"run\"\nlink-victim file 0644 \"replaced\""
	if got := downloadtest.Snapshot(t, root); got != want {
		t.Errorf("staged:\n%s\nwant:\n%s", got, want)
	}
	if data, _ := os.ReadFile(victim); string(data) != "untouched" {
		t.Error("wrote through a symlink")
	}
}

func TestTrackAndCached(t *testing.T) {
	archive := compress(t, buildTar(t, release), "gz")
	srv := downloadtest.Serve(t, map[string][]byte{"/foo-1.0.tar.gz": archive})
	env := newEnv(t)
	s, err := bsttar.New(downloadtest.Spec(t, "tar", 1, t.TempDir(), "url: "+srv.URL+"/foo-1.0.tar.gz\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Cached(env) || s.Ref() != nil {
		t.Fatal("cached without a ref")
	}
	ref, err := s.Track(context.Background(), env, "")
	if err != nil {
		t.Fatal(err)
	}
	s.SetRef(ref)
	if !s.Cached(env) {
		t.Fatal("not cached after track")
	}
	if err := s.Stage(context.Background(), env, t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

func TestStageWithoutFetch(t *testing.T) {
	env := newEnv(t)
	s, err := bsttar.New(downloadtest.Spec(t, "tar", 1, t.TempDir(), "url: http://127.0.0.1:1/x.tar\nref: "+strings.Repeat("0", 64)+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = s.Stage(context.Background(), env, t.TempDir())
	if bsterr.DomainOf(err) != bsterr.DomainSource {
		t.Errorf("got %v", err)
	}
}

func TestCorruptArchive(t *testing.T) {
	for _, how := range []string{"gz", "xz"} {
		data := compress(t, buildTar(t, release), how)
		data = data[:len(data)/2]
		_, err := stage(t, 1, data, "")
		if bsterr.ReasonOf(err) != download.StageFailed {
			t.Errorf("%s: got %v", how, err)
		}
	}
}
