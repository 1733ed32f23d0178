package ostree_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	"example.org/bst/internal/plugins/sources/hostexec"
)

// needOstree skips the test when the ostree command is missing.
func needOstree(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ostree"); err != nil {
		t.Skip("the ostree command is not installed (Debian package ostree)")
	}
}

// repo is a real OSTree repository (archive mode) made by the test.
type repo struct {
	t   *testing.T
	Dir string
	x   *hostexec.Exec
	n   int
}

func newRepo(t *testing.T, dir string) *repo {
	t.Helper()
	needOstree(t)
	r := &repo{t: t, Dir: dir, x: hostexec.New(nil, nil)}
	r.ostree("init", "--repo="+dir, "--mode=archive")
	return r
}

func (r *repo) ostree(args ...string) string {
	r.t.Helper()
	out, err := r.x.Run(context.Background(), "", nil, "ostree", args...)
	if err != nil {
		r.t.Fatalf("ostree %s: %v\n%s", strings.Join(args, " "), err, stderr(err))
	}
	return strings.TrimSpace(string(out))
}

// stderr is the standard error a failed command left in err.
func stderr(err error) string {
	var e *bsterr.Error
	if errors.As(err, &e) {
		return e.Detail
	}
	return ""
}

// file is one entry of a tree to commit: content, mode, or a link target.
type file struct {
	content string
	mode    os.FileMode
	link    string
}

// commit writes files into a fresh tree and commits it on branch,
// signed with signer's key when signer is not nil; it returns the
// commit checksum.
func (r *repo) commit(branch string, files map[string]file, signer *gpgKey) string {
	r.t.Helper()
	tree := r.t.TempDir()
	for p, f := range files {
		full := filepath.Join(tree, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		var err error
		if f.link != "" {
			err = os.Symlink(f.link, full)
		} else {
			err = os.WriteFile(full, []byte(f.content), 0o600)
			if err == nil {
				err = os.Chmod(full, f.mode)
			}
		}
		if err != nil {
			r.t.Fatal(err)
		}
	}
	r.n++
	args := []string{"commit", "--repo=" + r.Dir, "--branch=" + branch, "--subject=commit",
		"--timestamp=2020-01-01T00:00:0" + string(rune('0'+r.n%10)) + "Z", "--owner-uid=0", "--owner-gid=0"}
	if signer != nil {
		args = append(args, "--gpg-sign="+signer.fpr, "--gpg-homedir="+signer.home)
	}
	return r.ostree(append(args, tree)...)
}

// summary updates the repository's summary file (needed to list refs).
func (r *repo) summary() { r.t.Helper(); r.ostree("summary", "--repo="+r.Dir, "-u") }

// has reports whether the repository at dir holds commit.
func has(t *testing.T, dir, commit string) bool {
	t.Helper()
	_, err := os.Stat(filepath.Join(dir, "objects", commit[:2], commit[2:]+".commit"))
	return err == nil
}

// sampleTree has an executable, a symbolic link and a plain file.
var sampleTree = map[string]file{
	"bin/hello":          {content: "#!/bin/sh\necho hello\n", mode: 0o755},
	"bin/hi":             {link: "hello"},
	"share/doc/README":   {content: "read me\n", mode: 0o644},
	"share/doc/empty.md": {content: "", mode: 0o644},
}

const sampleSnapshot = `bin dir 0755
bin/hello file 0755 "#!/bin/sh\necho hello\n"
bin/hi link -> hello
share dir 0755
share/doc dir 0755
share/doc/README file 0644 "read me\n"
share/doc/empty.md file 0644 ""`

// server serves dir over HTTP on 127.0.0.1 and counts the requests.
type server struct {
	*httptest.Server
	requests atomic.Int64
}

func serve(t *testing.T, dir string) *server {
	t.Helper()
	s := &server{}
	files := http.FileServer(http.Dir(dir))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// gpgKey is a signing key in its own GnuPG home.
type gpgKey struct {
	home string
	fpr  string
}

// newGPGKey makes an ed25519 signing key without a passphrase and
// exports its public part to pub.
func newGPGKey(t *testing.T, pub string) *gpgKey {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Skip("gpg is not installed")
	}
	home, err := os.MkdirTemp("", "gnupg-")
	if err != nil {
		t.Fatal(err)
	}
	x := hostexec.New(nil, []string{"GNUPGHOME=" + home})
	ctx := context.Background()
	t.Cleanup(func() {
		_, _ = x.Run(ctx, "", nil, "gpgconf", "--kill", "gpg-agent")
		os.RemoveAll(home)
	})
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Run(ctx, "", nil, "gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "",
		"--quick-gen-key", "Test <test@example.org>", "ed25519", "sign", "never"); err != nil {
		t.Fatalf("gpg: %v", err)
	}
	out, err := x.Run(ctx, "", nil, "gpg", "--batch", "--with-colons", "--list-keys")
	if err != nil {
		t.Fatal(err)
	}
	k := &gpgKey{home: home}
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Split(l, ":"); len(f) > 9 && f[0] == "fpr" {
			k.fpr = f[9]
			break
		}
	}
	key, err := x.Run(ctx, "", nil, "gpg", "--batch", "--export", k.fpr)
	if err != nil || k.fpr == "" || len(key) == 0 {
		t.Fatalf("exporting the key: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(pub), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pub, key, 0o644); err != nil {
		t.Fatal(err)
	}
	return k
}

// env is a source environment with a fresh source cache and the host's
// ostree.
func env(t *testing.T) *plugin.SourceEnv {
	t.Helper()
	e := downloadtest.Env(t)
	e.Exec = hostexec.New(e.Log, nil)
	return e
}
