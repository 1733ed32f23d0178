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

// TestComposeAndOverlapsAgreeWithBuildStream builds compose elements whose
// dependencies have integration commands (with and without a split) and
// elements whose dependencies overlap, with bst and BuildStream 1.6.8, and
// compares the checked-out trees and the overlap warnings.
func TestComposeAndOverlapsAgreeWithBuildStream(t *testing.T) {
	bs := buildstream16(t)
	busybox := needBusyboxSandbox(t)
	root := t.TempDir()
	mk := func(dir, extraConf string) {
		write(t, filepath.Join(dir, "project.conf"), "name: composecheck\nformat-version: 18\nelement-path: elements\n"+extraConf)
		writeBusyboxBase(dir, busybox, "sh", "echo", "cat", "mkdir", "ls", "rm", "touch")
		write(t, filepath.Join(dir, "files/base/etc/stale"), "removed by integration\n")
		write(t, filepath.Join(dir, "files/lib/usr/lib/libdemo.so.1"), "not really a library\n")
		write(t, filepath.Join(dir, "files/lib/usr/include/demo.h"), "int demo(void);\n")
		write(t, filepath.Join(dir, "files/a/etc/thing"), "from a\n")
		write(t, filepath.Join(dir, "files/b/etc/thing"), "from b\n")
		write(t, filepath.Join(dir, "files/b/etc/other"), "from b\n")
		write(t, filepath.Join(dir, "files/c/etc/other"), "from c\n")
		write(t, filepath.Join(dir, "elements/base.bst"), `kind: import
sources:
- kind: local
  path: files/base
public:
  bst:
    integration-commands:
    - mkdir -p /var/cache && echo base > /var/cache/base-index
    - rm /etc/stale
`)
		write(t, filepath.Join(dir, "elements/lib.bst"), `kind: import
depends:
- base.bst
sources:
- kind: local
  path: files/lib
environment:
  DEMO: from-lib
public:
  bst:
    integration-commands:
    - ls %{libdir} > %{libdir}/index
    - echo "DEMO=${DEMO:-unset} PATH=${PATH:-unset}" > /var/cache/lib-env
`)
		write(t, filepath.Join(dir, "elements/whole.bst"), "kind: compose\nbuild-depends:\n- lib.bst\nenvironment:\n  DEMO: from-compose\n")
		write(t, filepath.Join(dir, "elements/runtime.bst"), "kind: compose\nbuild-depends:\n- lib.bst\nconfig:\n  include:\n  - runtime\n  include-orphans: False\n")
		write(t, filepath.Join(dir, "elements/plain.bst"), "kind: compose\nbuild-depends:\n- lib.bst\nconfig:\n  integrate: False\n  exclude:\n  - devel\n")
		write(t, filepath.Join(dir, "elements/a.bst"), "kind: import\nsources:\n- kind: local\n  path: files/a\n")
		write(t, filepath.Join(dir, "elements/b.bst"), "kind: import\nsources:\n- kind: local\n  path: files/b\n")
		write(t, filepath.Join(dir, "elements/c.bst"), `kind: import
sources:
- kind: local
  path: files/c
public:
  bst:
    overlap-whitelist:
    - /etc/other
`)
		write(t, filepath.Join(dir, "elements/overlapping.bst"), "kind: compose\nbuild-depends:\n- a.bst\n- b.bst\n- c.bst\n")
		// A file that would replace a non-empty directory is not staged.
		write(t, filepath.Join(dir, "files/dirfirst/opt/x/inside"), "inside\n")
		write(t, filepath.Join(dir, "files/filelater/opt/x"), "a file\n")
		write(t, filepath.Join(dir, "elements/dirfirst.bst"), "kind: import\nsources:\n- kind: local\n  path: files/dirfirst\n")
		write(t, filepath.Join(dir, "elements/filelater.bst"), "kind: import\nsources:\n- kind: local\n  path: files/filelater\n")
		write(t, filepath.Join(dir, "elements/ignoring.bst"), "kind: compose\nbuild-depends:\n- dirfirst.bst\n- filelater.bst\n")
		// A merged /usr: lib is a link to usr/lib, and a later artifact
		// has files under lib/.
		write(t, filepath.Join(dir, "files/merged/usr/lib/libc.so"), "libc\n")
		os.Symlink("usr/lib", filepath.Join(dir, "files/merged/lib"))
		write(t, filepath.Join(dir, "files/libfile/lib/libfoo.so"), "foo\n")
		write(t, filepath.Join(dir, "elements/merged.bst"), "kind: import\nsources:\n- kind: local\n  path: files/merged\n")
		write(t, filepath.Join(dir, "elements/libfile.bst"), "kind: import\nsources:\n- kind: local\n  path: files/libfile\n")
		write(t, filepath.Join(dir, "elements/merged-usr.bst"), "kind: compose\nbuild-depends:\n- merged.bst\n- libfile.bst\n")
	}
	env16 := func(home string) []string {
		return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + home + "/cache",
			"XDG_CONFIG_HOME=" + home + "/config", "XDG_DATA_HOME=" + home + "/data", "LC_ALL=C.UTF-8"}
	}
	run16 := func(dir, home string, args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(bs, append([]string{"--no-colors", "--no-interactive"}, args...)...)
		cmd.Dir = dir
		cmd.Env = env16(home)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		return stderr.String(), err
	}

	ours, theirs := filepath.Join(root, "ours"), filepath.Join(root, "theirs")
	mk(ours, "")
	mk(theirs, "")
	home := filepath.Join(root, "bs-home")
	targets := []string{"whole.bst", "runtime.bst", "plain.bst", "overlapping.bst", "merged-usr.bst", "ignoring.bst"}
	bsOut, err := run16(theirs, home, append([]string{"build"}, targets...)...)
	if err != nil {
		t.Fatalf("BuildStream 1.6.8 build: %v\n%s", err, bsOut)
	}
	res := testbst.Run(t, ours, nil, append([]string{"--no-colors", "build"}, targets...)...)
	res.AssertSuccess(t)
	for _, el := range targets {
		want := filepath.Join(root, "co-theirs", el)
		got := filepath.Join(root, "co-ours", el)
		if out, err := run16(theirs, home, "checkout", "--deps", "none", el, want); err != nil {
			t.Fatalf("BuildStream 1.6.8 checkout %s: %v\n%s", el, err, out)
		}
		testbst.Run(t, ours, nil, "--no-colors", "checkout", "--deps", "none", el, got).AssertSuccess(t)
		a, b := tree(t, got), tree(t, want)
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("%s: checked-out trees differ:\nbst:\n  %s\nBuildStream 1.6.8:\n  %s", el,
				strings.Join(a, "\n  "), strings.Join(b, "\n  "))
		}
	}
	// Checkouts with the runtime dependencies integrate them (each with
	// its own environment), unless --no-integrate.
	for _, mode := range [][]string{nil, {"--no-integrate"}} {
		name := "lib-run" + strings.Join(mode, "")
		want := filepath.Join(root, "co-theirs", name)
		got := filepath.Join(root, "co-ours", name)
		args := append(append([]string{"checkout"}, mode...), "lib.bst")
		if out, err := run16(theirs, home, append(args, want)...); err != nil {
			t.Fatalf("BuildStream 1.6.8 %v: %v\n%s", args, err, out)
		}
		testbst.Run(t, ours, nil, append(append([]string{"--no-colors"}, args...), got)...).AssertSuccess(t)
		if a, b := tree(t, got), tree(t, want); strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("checkout %v: trees differ:\nbst:\n  %s\nBuildStream 1.6.8:\n  %s", args,
				strings.Join(a, "\n  "), strings.Join(b, "\n  "))
		}
	}
	// A tarball holds the same tree.
	tarball := filepath.Join(root, "lib.tar.gz")
	testbst.Run(t, ours, nil, "--no-colors", "artifact", "checkout", "--tar", tarball, "lib.bst").AssertSuccess(t)
	untar := filepath.Join(root, "untar")
	os.MkdirAll(untar, 0o755)
	if out, err := exec.Command("tar", "-xzf", tarball, "-C", untar).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	if a, b := tree(t, untar), tree(t, filepath.Join(root, "co-theirs", "lib-run")); strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("the tarball differs from BuildStream's checkout:\n  %s", strings.Join(a, "\n  "))
	}

	// The overlap of b.bst over a.bst is reported the same way; c.bst's
	// whitelisted overlap is allowed.
	for _, line := range []string{
		"[overlaps]: Non-whitelisted overlaps detected",
		"/etc/thing: b.bst is not permitted to overlap other elements, order b.bst above a.bst",
		"Ignored files",
		"From filelater.bst:\n      /opt/x",
	} {
		if !strings.Contains(bsOut, line) {
			t.Errorf("BuildStream 1.6.8 does not say %q:\n%s", line, bsOut)
		}
		if !strings.Contains(res.Stderr, line) {
			t.Errorf("bst does not say %q:\n%s", line, res.Stderr)
		}
	}
	for name, out := range map[string]string{"BuildStream 1.6.8": bsOut, "bst": res.Stderr} {
		if strings.Contains(out, "/etc/other: c.bst") {
			t.Errorf("%s reports c.bst's whitelisted overlap:\n%s", name, out)
		}
	}

	// With fatal-warnings: [overlaps] both fail the build.
	ours, theirs = filepath.Join(root, "ours-fatal"), filepath.Join(root, "theirs-fatal")
	mk(ours, "fatal-warnings:\n- overlaps\n")
	mk(theirs, "fatal-warnings:\n- overlaps\n")
	if out, err := run16(theirs, filepath.Join(root, "bs-home-fatal"), "build", "overlapping.bst"); err == nil {
		t.Errorf("BuildStream 1.6.8 built overlapping.bst despite fatal overlaps:\n%s", out)
	}
	fatal := testbst.Run(t, ours, nil, "--no-colors", "build", "overlapping.bst")
	fatal.AssertMainError(t, "PLUGIN", "overlaps")
	if !strings.Contains(fatal.Stderr, "/etc/thing: b.bst is not permitted to overlap other elements") {
		t.Errorf("the fatal overlap does not name the file:\n%s", fatal.Stderr)
	}
}
