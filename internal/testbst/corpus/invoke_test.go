package corpus

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/cli"
)

// sandbox is an isolated place to run bst in-process: a copy of a tree
// (named project, as in the goldens' scratch copy), HOME and XDG dirs, a
// cache directory and stub host tools, all under t.TempDir().
type sandbox struct {
	root    string
	project string
	env     map[string]string
}

// stubTool stands in for lzip and ostree, which tar and ostree sources look
// for at preflight; the goldens were made with the same stubs first on PATH.
const stubTool = "#!/bin/sh\necho \"dummy shim for bst show preflight\" >&2; exit 1\n"

func newSandbox(t *testing.T, tree string) *sandbox {
	t.Helper()
	root := t.TempDir()
	s := &sandbox{root: root, project: filepath.Join(root, "project")}
	bin := filepath.Join(root, "bin")
	for _, d := range []string{"home", "xdg-cache", "xdg-config", "xdg-data", "tmp", "cache", "bin"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range []string{"lzip", "ostree"} {
		if err := os.WriteFile(filepath.Join(bin, tool), []byte(stubTool), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.env = map[string]string{
		"HOME":            filepath.Join(root, "home"),
		"XDG_CACHE_HOME":  filepath.Join(root, "xdg-cache"),
		"XDG_CONFIG_HOME": filepath.Join(root, "xdg-config"),
		"XDG_DATA_HOME":   filepath.Join(root, "xdg-data"),
		"TMPDIR":          filepath.Join(root, "tmp"),
		"PATH":            bin + ":/usr/sbin:/usr/bin:/sbin:/bin",
		"LANG":            "C.UTF-8",
		"LC_ALL":          "C.UTF-8",
	}
	restored, err := copyTree(tree, s.project)
	if err != nil {
		t.Fatalf("copying %s: %v", tree, err)
	}
	if len(restored) > 0 {
		t.Logf("%s: restored %d symlinks that this copy of the corpus holds as regular files (e.g. %s)",
			filepath.Base(tree), len(restored), restored[0])
	}
	return s
}

// userConfig writes an adapted copy of a golden buildstream.conf whose
// directories (sourcedir, builddir, artifactdir, logdir, ...) point into
// the sandbox's cache directory, and returns its path.
func (s *sandbox) userConfig(t *testing.T, golden string) string {
	t.Helper()
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(s.root, "cache")
	out := absDirLine.ReplaceAllStringFunc(string(data), func(line string) string {
		m := absDirLine.FindStringSubmatch(line)
		return m[1] + ": " + filepath.Join(cache, filepath.Base(m[2]))
	})
	path := filepath.Join(s.root, "buildstream.conf")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// absDirLine matches a top-level `key: /absolute/path` line.
var absDirLine = regexp.MustCompile(`(?m)^([A-Za-z][A-Za-z0-9_-]*):[ \t]+(/[^\s#]*)[ \t]*$`)

// runResult is what one in-process bst invocation produced.
type runResult struct {
	stdout, stderr string
	err            error
	elapsed        time.Duration
}

// run runs bst in-process in the sandbox's project. A panic becomes an
// error, and a run that outlives timeout (plus a short grace after its
// context is cancelled) is abandoned.
func (s *sandbox) run(ctx context.Context, timeout time.Duration, args ...string) runResult {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			}
		}()
		done <- cli.Execute(ctx, cli.Invocation{
			Args:   args,
			Dir:    s.project,
			Env:    func(k string) string { return s.env[k] },
			Stdin:  strings.NewReader(""),
			Stdout: &stdout,
			Stderr: &stderr,
		})
	}()
	select {
	case err := <-done:
		return runResult{stdout: stdout.String(), stderr: stderr.String(), err: err, elapsed: time.Since(start)}
	case <-ctx.Done():
	}
	select {
	case err := <-done:
		return runResult{stdout: stdout.String(), stderr: stderr.String(), err: err, elapsed: time.Since(start)}
	case <-time.After(5 * time.Second):
		return runResult{err: fmt.Errorf("bst did not finish within %v", timeout), elapsed: time.Since(start)}
	}
}

// failure describes a failed run briefly: the error and the end of stderr.
func (r runResult) failure() string {
	msg := fmt.Sprintf("%v", r.err)
	if tail := lastLines(r.stderr, 10); tail != "" {
		msg += "\nstderr:\n" + tail
	}
	return msg
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// firstLine returns an error's first line, for grouping errors.
func firstLine(err error) string {
	s, _, _ := strings.Cut(fmt.Sprint(err), "\n")
	return s
}

// copyTree copies a directory tree, keeping symlinks (dangling ones too) and
// executable bits, and making everything writable by the owner so that
// t.TempDir can remove it. It turns symlinks that a symlink-less copy of
// the corpus flattened back into symlinks (see lostSymlink) and returns
// their paths.
func copyTree(src, dst string) ([]string, error) {
	var restored []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if link, ok := lostSymlink(rel, data); ok {
				restored = append(restored, rel)
				return os.Symlink(link, target)
			}
			mode := info.Mode().Perm() | 0o200
			if err := os.WriteFile(target, data, mode); err != nil {
				return err
			}
			return os.Chmod(target, mode)
		}
		return nil // sockets, devices: not part of a project
	})
	return restored, err
}

// lostSymlink recognises a symlink that a copy of the corpus made without
// symlink support turned into a regular file holding the link target. The
// corpus has no such files otherwise: every non-YAML file is a placeholder
// ("placeholder: <path>\n") or a licence or notes file, and they all end in
// a newline, while a flattened link is a bare path with no newline. Link
// targets matter: BuildStream's local source keys a symlink by its target.
func lostSymlink(rel string, data []byte) (string, bool) {
	switch {
	case len(data) == 0 || len(data) > 1024,
		bytes.ContainsAny(data, "\n\x00 \t"),
		bytes.HasPrefix(data, []byte("placeholder: ")),
		isYAMLName(rel):
		return "", false
	}
	return string(data), true
}

// isYAMLName reports whether a tree path is one of the YAML files that the
// corpus keeps with their content.
func isYAMLName(rel string) bool {
	base := filepath.Base(rel)
	if base == "project.conf" {
		return true
	}
	switch filepath.Ext(base) {
	case ".bst", ".yml", ".yaml", ".inc":
		return true
	}
	return false
}
