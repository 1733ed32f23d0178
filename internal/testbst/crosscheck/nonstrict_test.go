package crosscheck

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/testbst"
)

// TestNonStrictAgreesWithBuildStream builds a chain base <- lib <- app,
// changes lib's source, and compares with BuildStream 1.6.8 what `show`
// prints in strict and non-strict mode (keys and states), what a
// non-strict build rebuilds, and the checked-out app.
func TestNonStrictAgreesWithBuildStream(t *testing.T) {
	bs := buildstream16(t)
	busybox := needBusyboxSandbox(t)
	root := t.TempDir()
	mk := func(dir string) {
		write(t, filepath.Join(dir, "project.conf"), "name: nonstrict\nformat-version: 18\nelement-path: elements\n")
		writeBusyboxBase(dir, busybox, "sh", "mkdir", "cat", "cp")
		write(t, filepath.Join(dir, "files/lib/lib.txt"), "lib v1\n")
		write(t, filepath.Join(dir, "elements/base.bst"), "kind: import\nsources:\n- kind: local\n  path: files/base\n")
		write(t, filepath.Join(dir, "elements/lib.bst"), "kind: import\nsources:\n- kind: local\n  path: files/lib\nconfig:\n  target: /usr/share/lib\n")
		write(t, filepath.Join(dir, "elements/app.bst"), `kind: manual
build-depends:
- base.bst
- lib.bst
config:
  install-commands:
  - mkdir -p %{install-root}/app
  - cat /usr/share/lib/lib.txt > %{install-root}/app/built-with
`)
	}
	ours, theirs := filepath.Join(root, "ours"), filepath.Join(root, "theirs")
	mk(ours)
	mk(theirs)
	home := filepath.Join(root, "bs-home")
	run16 := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bs, append([]string{"--no-colors", "--no-interactive"}, args...)...)
		cmd.Dir = theirs
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + home + "/cache",
			"XDG_CONFIG_HOME=" + home + "/config", "XDG_DATA_HOME=" + home + "/data", "LC_ALL=C.UTF-8"}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("BuildStream 1.6.8 %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.String()
	}
	runOurs := func(args ...string) testbst.Result {
		t.Helper()
		res := testbst.Run(t, ours, nil, append([]string{"--no-colors"}, args...)...)
		res.AssertSuccess(t)
		return res
	}
	show := func(mode string) {
		t.Helper()
		args := []string{mode, "show", "--deps", "all", "--format", "%{name} %{full-key} %{state}", "app.bst"}
		want, got := run16(args...), runOurs(args...).Stdout
		if got != want {
			t.Errorf("%s show differs:\nbst:\n%s\nBuildStream 1.6.8:\n%s", mode, got, want)
		}
	}
	run16("build", "app.bst")
	runOurs("build", "app.bst")
	// lib changes: in strict mode app must be rebuilt; in non-strict mode
	// its artifact (found by its weak key) is still good.
	for _, dir := range []string{ours, theirs} {
		write(t, filepath.Join(dir, "files/lib/lib.txt"), "lib v2\n")
	}
	show("--strict")
	show("--no-strict")
	run16("--no-strict", "build", "app.bst")
	res := runOurs("--no-strict", "build", "app.bst")
	if strings.Contains(res.Stderr, "build:lib.bst") || strings.Contains(res.Stderr, "build:app.bst") {
		t.Errorf("app.bst is cached by its weak key: a non-strict build builds nothing:\n%s", res.Stderr)
	}
	if !strings.Contains(res.Stderr, "Strict Build Plan:       No") {
		t.Errorf("the heading does not say the plan is not strict:\n%s", res.Stderr)
	}
	show("--no-strict")
	show("--strict")
	// A strict build rebuilds both, and a non-strict show then agrees.
	run16("build", "app.bst")
	runOurs("build", "app.bst")
	show("--no-strict")
	show("--strict")
	want, got := filepath.Join(root, "co-theirs"), filepath.Join(root, "co-ours")
	run16("--no-strict", "checkout", "app.bst", want)
	runOurs("--no-strict", "checkout", "app.bst", got)
	if a, b := tree(t, got), tree(t, want); strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("non-strict checkouts of app.bst differ:\nbst:\n  %s\nBuildStream 1.6.8:\n  %s",
			strings.Join(a, "\n  "), strings.Join(b, "\n  "))
	}
}
