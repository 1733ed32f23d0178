package crosscheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/testbst"
)

// setMtimes gives every file and directory under root the time at, so
// that the workspaces of both tools have the same mtimes (1.6 keys a
// workspace by them).
func setMtimes(t *testing.T, root string, at time.Time) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, at, at)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWorkspaceAgreesWithBuildStream opens a workspace on a 1.x element
// with bst and with BuildStream 1.6.8, and compares the workspaces file,
// the staged tree, `bst show` keys and states before and after a build and
// after a file of the workspace changes, and the built artifact.
func TestWorkspaceAgreesWithBuildStream(t *testing.T) {
	bs := buildstream16(t)
	busybox := needBusyboxSandbox(t)
	root := t.TempDir()
	mk := func(dir string) {
		write(t, filepath.Join(dir, "project.conf"), "name: wscheck\nformat-version: 18\nelement-path: elements\n")
		writeBusyboxBase(dir, busybox, "sh", "cat", "mkdir", "cp")
		write(t, filepath.Join(dir, "files/hello/msg"), "hello\n")
		write(t, filepath.Join(dir, "files/hello/sub/data"), "data\n")
		write(t, filepath.Join(dir, "elements/base.bst"), "kind: import\nsources:\n- kind: local\n  path: files/base\n")
		write(t, filepath.Join(dir, "elements/hello.bst"), `kind: manual
build-depends:
- base.bst
sources:
- kind: local
  path: files/hello
config:
  install-commands:
  - mkdir -p %{install-root}/share
  - cp msg sub/data %{install-root}/share/
`)
		write(t, filepath.Join(dir, "elements/top.bst"), "kind: stack\ndepends:\n- hello.bst\n")
	}
	ours, theirs := filepath.Join(root, "ours"), filepath.Join(root, "theirs")
	mk(ours)
	mk(theirs)
	home := filepath.Join(root, "bs-home")
	run16 := func(args ...string) string {
		t.Helper()
		out, stderr, ok := bs16(t, bs, theirs, home, args...)
		if !ok {
			t.Fatalf("BuildStream 1.6.8 %v failed:\n%s", args, stderr)
		}
		return out
	}
	run := func(args ...string) string {
		t.Helper()
		r := testbst.Run(t, ours, nil, append([]string{"--no-colors"}, args...)...)
		r.AssertSuccess(t)
		return r.Stdout
	}
	same := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s differ:\nbst:\n%s\nBuildStream 1.6.8:\n%s", what, got, want)
		}
	}
	readFile := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	wsFile := func(dir string) string { return readFile(filepath.Join(dir, ".bst", "workspaces.yml")) }
	show := []string{"show", "--deps", "all", "-f", "%{name} %{state} %{full-key} %{workspaced}", "top.bst"}

	run16("workspace", "open", "hello.bst", "ws/hello")
	run("workspace", "open", "hello.bst", "ws/hello")
	same("workspaces.yml after open", wsFile(ours), wsFile(theirs))
	same("staged workspaces", strings.Join(tree(t, filepath.Join(ours, "ws/hello")), "\n"),
		strings.Join(tree(t, filepath.Join(theirs, "ws/hello")), "\n"))
	same("workspace list", strings.ReplaceAll(run("workspace", "list"), ours, "PROJECT"),
		strings.ReplaceAll(run16("workspace", "list"), theirs, "PROJECT"))

	t0 := time.Date(2024, 1, 2, 3, 4, 5, 678901234, time.UTC)
	setMtimes(t, filepath.Join(ours, "ws"), t0)
	setMtimes(t, filepath.Join(theirs, "ws"), t0)
	same("show before the build", run(show...), run16(show...))

	run16("build", "top.bst")
	run("build", "top.bst")
	afterBuild := run(show...)
	t.Logf("after the build:\n%s", afterBuild)
	same("show after the build", afterBuild, run16(show...))
	if strings.Contains(afterBuild, "????") {
		t.Errorf("keys are unknown after the build:\n%s", afterBuild)
	}
	same("workspaces.yml after the build", wsFile(ours), wsFile(theirs))

	for _, dir := range []string{ours, theirs} {
		write(t, filepath.Join(dir, "ws/hello/msg"), "changed\n")
		setMtimes(t, filepath.Join(dir, "ws"), t0.Add(time.Hour))
	}
	same("show after editing the workspace", run(show...), run16(show...))
	run16("build", "top.bst")
	run("build", "top.bst")
	same("show after the second build", run(show...), run16(show...))

	want, got := filepath.Join(root, "co-theirs"), filepath.Join(root, "co-ours")
	run16("checkout", "hello.bst", want)
	run("checkout", "hello.bst", got)
	same("checked-out trees", strings.Join(tree(t, got), "\n"), strings.Join(tree(t, want), "\n"))
	if data := readFile(filepath.Join(got, "share/msg")); data != "changed\n" {
		t.Errorf("the build did not use the workspace: share/msg = %q", data)
	}

	run16("workspace", "close", "--remove-dir", "hello.bst")
	run("workspace", "close", "--remove-dir", "hello.bst")
	same("workspaces.yml after close", wsFile(ours), wsFile(theirs))
	if _, err := os.Stat(filepath.Join(ours, "ws/hello")); !os.IsNotExist(err) {
		t.Errorf("close --remove-dir left the directory: %v", err)
	}
}
