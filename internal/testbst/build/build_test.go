package build

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/testbst"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBuildAndCheckout(t *testing.T) {
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		busybox = "/bin/busybox"
	}
	if _, err := os.Stat(busybox); err != nil {
		t.Skip("busybox is not installed (apt-get install busybox-static)")
	}
	if err := exec.Command("bwrap", "--bind", "/", "/", "true").Run(); err != nil {
		t.Skipf("bubblewrap cannot run here: %v", err)
	}
	proj := t.TempDir()
	write(t, filepath.Join(proj, "project.conf"), "name: bt\nformat-version: 18\nelement-path: elements\n")
	data, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(proj, "files/base/bin"), 0o755)
	if err := os.WriteFile(filepath.Join(proj, "files/base/bin/busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"sh", "echo", "cat", "mkdir", "ls", "id", "wc"} {
		os.Symlink("busybox", filepath.Join(proj, "files/base/bin", tool))
	}
	write(t, filepath.Join(proj, "files/src/input.txt"), "one\ntwo\n")
	write(t, filepath.Join(proj, "elements/base.bst"), "kind: import\nsources:\n- kind: local\n  path: files/base\n")
	write(t, filepath.Join(proj, "elements/hello.bst"), `kind: manual
build-depends:
- base.bst
sources:
- kind: local
  path: files/src
config:
  build-commands:
  - wc -l < input.txt > count.txt
  install-commands:
  - mkdir -p %{install-root}%{datadir}/hello
  - cat count.txt > %{install-root}%{datadir}/hello/count
  - echo "uid $(id -u)" > %{install-root}%{datadir}/hello/who
`)
	write(t, filepath.Join(proj, "elements/fails.bst"), "kind: manual\nbuild-depends:\n- base.bst\nconfig:\n  build-commands:\n  - echo nope > /etc/passwd\n")
	write(t, filepath.Join(proj, "elements/all.bst"), "kind: stack\ndepends:\n- hello.bst\n")

	res := testbst.Run(t, proj, nil, "--no-colors", "build", "all.bst")
	res.AssertSuccess(t)
	states := testbst.Run(t, proj, nil, "--no-colors", "show", "--format", "%{name} %{state}", "all.bst")
	states.AssertSuccess(t)
	for _, l := range strings.Split(strings.TrimSpace(states.Stdout), "\n") {
		if !strings.HasSuffix(l, " cached") {
			t.Errorf("after build: %s", l)
		}
	}
	co := filepath.Join(t.TempDir(), "co")
	testbst.Run(t, proj, nil, "--no-colors", "artifact", "checkout", "--deps", "none", "--directory", co, "hello.bst").AssertSuccess(t)
	for path, want := range map[string]string{"usr/share/hello/count": "2\n", "usr/share/hello/who": "uid 0\n"} {
		got, err := os.ReadFile(filepath.Join(co, path))
		if err != nil || strings.TrimSpace(string(got)) != strings.TrimSpace(want) {
			t.Errorf("%s: got %q (%v), want %q", path, got, err, want)
		}
	}
	// The root is read-only: writing outside the build and install roots fails.
	bad := testbst.Run(t, proj, nil, "--no-colors", "build", "fails.bst")
	if bad.Err == nil || !strings.Contains(bad.Stderr, "failed with exitcode") {
		t.Errorf("writing /etc/passwd in the sandbox: err %v, stderr %s", bad.Err, bad.Stderr)
	}
}
