// Package repotest makes git repositories for the tests of source kinds
// that fetch from git (cargo2's git crates, go_module). It is imported
// by tests only.
package repotest

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"example.org/bst/internal/plugins/sources/hostexec"
)

// Repo is a git repository in a temporary directory.
type Repo struct {
	t   testing.TB
	Dir string
	x   *hostexec.Exec
	n   int
}

// Env is the environment git runs with in tests: a fresh home, no
// system configuration, a fixed identity.
func Env(home string) []string {
	return []string{
		"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.org",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.org",
	}
}

// New creates an empty repository with branch main.
func New(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir(), x: hostexec.New(nil, Env(t.TempDir()))}
	r.Git("init", "-q", "-b", "main")
	return r
}

// URL is the repository's file:// URL.
func (r *Repo) URL() string { return "file://" + r.Dir }

// Git runs git in the repository and returns its trimmed output.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	out, err := r.x.Run(context.Background(), r.Dir, nil, "git", args...)
	if err != nil {
		r.t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// Commit writes files (path → content) and commits them with increasing
// dates; it returns the commit id.
func (r *Repo) Commit(msg string, files map[string]string) string {
	r.t.Helper()
	paths := make([]string, 0, len(files))
	for p, c := range files {
		full := filepath.Join(r.Dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			r.t.Fatal(err)
		}
		paths = append(paths, p)
	}
	sort.Strings(paths)
	r.Git(append([]string{"add", "--"}, paths...)...)
	r.n++
	date := "2020-01-01T00:00:" + twoDigits(r.n) + "Z"
	r.x = hostexec.New(nil, append(r.x.Env(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date))
	r.Git("commit", "-q", "-m", msg)
	return r.Git("rev-parse", "HEAD")
}

func twoDigits(n int) string {
	n %= 60
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}
