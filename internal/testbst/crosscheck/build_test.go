package crosscheck

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"example.org/bst/internal/testbst"
)

// tree describes a directory for comparison: path, type, mode bits that
// matter (executable), link target or content.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		info, _ := os.Lstat(p)
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out = append(out, fmt.Sprintf("%s -> %s", rel, target))
		case info.IsDir():
			out = append(out, rel+"/")
		default:
			data, _ := os.ReadFile(p)
			exe := info.Mode()&0o100 != 0
			out = append(out, fmt.Sprintf("%s exec=%v %q", rel, exe, data))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestBuildAgreesWithBuildStream(t *testing.T) {
	bs := buildstream16(t)
	busybox := needBusyboxSandbox(t)
	root := t.TempDir()
	mk := func(dir string) {
		write(t, filepath.Join(dir, "project.conf"), "name: buildcheck\nformat-version: 18\nelement-path: elements\n")
		writeBusyboxBase(dir, busybox, "sh", "echo", "cat", "mkdir", "ln", "chmod", "wc")
		write(t, filepath.Join(dir, "files/data/etc/app.conf"), "key = value\n")
		write(t, filepath.Join(dir, "files/data/bin/tool"), "#!/bin/sh\necho tool\n")
		os.Chmod(filepath.Join(dir, "files/data/bin/tool"), 0o755)
		os.Symlink("../etc/app.conf", filepath.Join(dir, "files/data/bin/conf-link"))
		write(t, filepath.Join(dir, "elements/base.bst"), "kind: import\nsources:\n- kind: local\n  path: files/base\n")
		write(t, filepath.Join(dir, "elements/data.bst"), "kind: import\nsources:\n- kind: local\n  path: files/data\nconfig:\n  target: /opt/data\n")
		write(t, filepath.Join(dir, "elements/made.bst"), `kind: manual
build-depends:
- base.bst
- data.bst
config:
  install-commands:
  - mkdir -p %{install-root}%{bindir} %{install-root}%{datadir}/made
  - cat /opt/data/etc/app.conf > %{install-root}%{datadir}/made/copy.conf
  - echo '#!/bin/sh' > %{install-root}%{bindir}/made && chmod 755 %{install-root}%{bindir}/made
  - ln -s made %{install-root}%{bindir}/made-link
  - wc -c /opt/data/etc/app.conf > %{install-root}%{datadir}/made/size
`)
		write(t, filepath.Join(dir, "elements/scripted.bst"), `kind: script
build-depends:
- base.bst
- made.bst
config:
  commands:
  - mkdir -p %{install-root}/report
  - cat /usr/share/made/size > %{install-root}/report/size
  - echo "cwd $(pwd)" > %{install-root}/report/cwd
`)
		write(t, filepath.Join(dir, "elements/all.bst"), "kind: compose\nbuild-depends:\n- data.bst\n- made.bst\n- scripted.bst\n")
		write(t, filepath.Join(dir, "elements/runtime-only.bst"), "kind: compose\nbuild-depends:\n- made.bst\nconfig:\n  include:\n  - runtime\n  include-orphans: False\n")
		write(t, filepath.Join(dir, "elements/filtered.bst"), "kind: filter\nbuild-depends:\n- made.bst\nconfig:\n  exclude:\n  - runtime\n  include-orphans: True\n")
	}
	ours, theirs := filepath.Join(root, "ours"), filepath.Join(root, "theirs")
	mk(ours)
	mk(theirs)

	home := filepath.Join(root, "bs-home")
	run16 := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bs, append([]string{"--no-colors", "--no-interactive"}, args...)...)
		cmd.Dir = theirs
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + home + "/cache",
			"XDG_CONFIG_HOME=" + home + "/config", "XDG_DATA_HOME=" + home + "/data", "LC_ALL=C.UTF-8"}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("BuildStream 1.6.8 %v: %v\n%s", args, err, stderr.String())
		}
	}
	run16("build", "all.bst", "runtime-only.bst", "filtered.bst")
	testbst.Run(t, ours, nil, "--no-colors", "build", "all.bst", "runtime-only.bst", "filtered.bst").AssertSuccess(t)

	for _, el := range []string{"data.bst", "made.bst", "scripted.bst", "all.bst", "runtime-only.bst", "filtered.bst"} {
		want := filepath.Join(root, "co-theirs", el)
		got := filepath.Join(root, "co-ours", el)
		run16("checkout", "--deps", "none", el, want)
		testbst.Run(t, ours, nil, "--no-colors", "checkout", "--deps", "none", el, got).AssertSuccess(t)
		a, b := tree(t, got), tree(t, want)
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("%s: checked-out trees differ:\nbst:\n  %s\nBuildStream 1.6.8:\n  %s", el,
				strings.Join(a, "\n  "), strings.Join(b, "\n  "))
		}
	}
}
