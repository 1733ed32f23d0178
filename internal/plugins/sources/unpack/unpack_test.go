package unpack_test

import (
	"archive/tar"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/hostexec"
	"example.org/bst/internal/plugins/sources/unpack"
	. "example.org/bst/internal/plugins/sources/unpack/unpacktest"
)

func env(t *testing.T) *plugin.SourceEnv {
	e := downloadtest.Env(t)
	e.Exec = hostexec.New(e.Log, nil)
	return e
}

func write(t *testing.T, data []byte, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var sdist = []Entry{
	{Name: "pkg-1.0/", Mode: 0o775},
	{Name: "pkg-1.0/setup.py", Body: "setup()\n", Mode: 0o755},
	{Name: "pkg-1.0/pkg/", Mode: 0o700},
	{Name: "pkg-1.0/pkg/__init__.py", Body: "x = 1\n", Mode: 0o600},
	{Name: "pkg-1.0/pkg/link", Type: tar.TypeSymlink, Link: "__init__.py"},
	{Name: "pkg-1.0/pkg/hard", Type: tar.TypeLink, Link: "pkg-1.0/setup.py", Mode: 0o755},
	{Name: "toplevel.txt", Body: "dropped"},
}

func TestSdistTarStripsTopDir(t *testing.T) {
	e := env(t)
	dir := t.TempDir()
	p := write(t, TarGz(t, sdist...), "pkg-1.0.tar.gz")
	if err := unpack.Sdist(context.Background(), e, p, "pkg-1.0.tar.gz", dir, ""); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		`pkg dir 0700`,
		`pkg/__init__.py file 0600 "x = 1\n"`,
		`pkg/hard file 0755 "setup()\n"`,
		`pkg/link link -> __init__.py`,
		`setup.py file 0755 "setup()\n"`,
	}, "\n")
	if got := downloadtest.Snapshot(t, dir); got != want {
		t.Errorf("staged:\n%s\nwant:\n%s", got, want)
	}
	fi, err := os.Stat(filepath.Join(dir, "setup.py"))
	if err != nil || !fi.ModTime().Equal(Mtime) {
		t.Errorf("mtime not kept: %v %v", fi.ModTime(), err)
	}
}

func TestSdistZip(t *testing.T) {
	dir := t.TempDir()
	p := write(t, Zip(t,
		Entry{Name: "pkg-1.0/"},
		Entry{Name: "pkg-1.0/setup.py", Body: "setup()\n"},
		Entry{Name: "pkg-1.0/a/b/c.py", Body: "c\n"},
		Entry{Name: "pkg-1.0/../../evil", Body: "e\n"},
		Entry{Name: "README", Body: "dropped"},
	), "pkg-1.0.zip")
	if err := unpack.Sdist(context.Background(), env(t), p, "pkg-1.0.zip", dir, ""); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		`a dir 0755`,
		`a/b dir 0755`,
		`a/b/c.py file 0644 "c\n"`,
		`evil file 0644 "e\n"`,
		`setup.py file 0644 "setup()\n"`,
	}, "\n")
	if got := downloadtest.Snapshot(t, dir); got != want {
		t.Errorf("staged:\n%s\nwant:\n%s", got, want)
	}
}

func TestCompressions(t *testing.T) {
	data := Tar(t, Entry{Name: "d/f", Body: "hello\n"})
	e := env(t)
	for _, c := range []struct {
		name string
		tool []string
	}{
		{"plain", nil},
		{"gzip", []string{"gzip", "-c"}},
		{"bzip2", []string{"bzip2", "-c"}},
		{"xz", []string{"xz", "-c"}},
		{"zstd", []string{"zstd", "-c", "-q"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			compressed := data
			if c.tool != nil {
				out, err := e.Exec.Run(context.Background(), "", strings.NewReader(string(data)), c.tool[0], c.tool[1:]...)
				if bsterr.ReasonOf(err) == hostexec.ProgramNotFound {
					t.Skip(err)
				} else if err != nil {
					t.Fatal(err)
				}
				compressed = out
			}
			p := write(t, compressed, "a.tar")
			tb, err := unpack.OpenTarball(context.Background(), e, p, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer tb.Close()
			dir := t.TempDir()
			if err := unpack.ExtractTar(context.Background(), tb, dir, unpack.TarOptions{}); err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "d", "f")); err != nil || string(b) != "hello\n" {
				t.Errorf("got %q %v", b, err)
			}
		})
	}
}

func TestOutsideRefused(t *testing.T) {
	for _, entries := range [][]Entry{
		{{Name: "../evil", Body: "x"}},
		{{Name: "/abs", Body: "x"}},
		{{Name: "l", Type: tar.TypeSymlink, Link: "/etc"}, {Name: "l/passwd", Body: "x"}},
		{{Name: "h", Type: tar.TypeLink, Link: "../../etc/passwd"}},
	} {
		p := write(t, Tar(t, entries...), "a.tar")
		tb, err := unpack.OpenTarball(context.Background(), env(t), p, "")
		if err != nil {
			t.Fatal(err)
		}
		err = unpack.ExtractTar(context.Background(), tb, t.TempDir(), unpack.TarOptions{})
		if !errors.Is(err, download.ErrOutside) {
			t.Errorf("%v: got %v, want ErrOutside", entries, err)
		}
	}
}

func TestKeepAndMode(t *testing.T) {
	p := write(t, Tar(t,
		Entry{Name: "bin/", Mode: 0o775},
		Entry{Name: "bin/sh", Body: "#!", Mode: 0o4775},
		Entry{Name: "dev/null", Type: tar.TypeChar},
		Entry{Name: "dev/regular", Body: "x"},
	), "a.tar")
	tb, err := unpack.OpenTarball(context.Background(), env(t), p, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	err = unpack.ExtractTar(context.Background(), tb, dir, unpack.TarOptions{
		Keep: func(h *tar.Header) bool { return !strings.HasPrefix(h.Name, "dev/") },
		Mode: unpack.FilteredMode,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "bin dir 0755\nbin/sh file 0755 \"#!\""
	if got := downloadtest.Snapshot(t, dir); got != want {
		t.Errorf("staged:\n%s\nwant:\n%s", got, want)
	}
}
