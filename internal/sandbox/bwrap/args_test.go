package bwrap

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"example.org/bst/internal/sandbox"
)

var update = flag.Bool("update", false, "rewrite testdata/args.golden")

// buildCmd is the shape of a BuildStream build command.
func buildCmd(flags sandbox.Flags) sandbox.Command {
	return sandbox.Command{
		Argv:  []string{"sh", "-c", "-e", "make install\n"},
		Cwd:   "/buildstream/proj/hello.bst",
		Env:   []string{"HOME=/tmp", "LC_ALL=C", "PATH=/usr/bin:/bin"},
		Flags: flags,
	}
}

var marked = []sandbox.Mount{
	{Path: "/buildstream/proj/hello.bst", Source: "/root/buildstream/proj/hello.bst"},
	{Path: "/buildstream-install", Source: "/root/buildstream-install"},
}

var cfg = sandbox.Config{BuildUID: 0, BuildGID: 0, BuildOS: "Linux", BuildArch: "x86_64"}

var argsCases = []struct {
	name   string
	host   Host
	marked []sandbox.Mount
	cfg    sandbox.Config
	cmd    sandbox.Command
}{
	{"build", DefaultHost, marked, cfg, buildCmd(sandbox.RootReadOnly)},
	{"build-dev-shm", DefaultHost, marked, cfg, buildCmd(sandbox.RootReadOnly | sandbox.CreateDevShm)},
	{"integration", DefaultHost, nil, cfg, sandbox.Command{
		Argv: []string{"sh", "-e", "-c", "ldconfig"}, Cwd: "/", Env: []string{"PATH=/bin"}}},
	{"writable-root-no-cwd", DefaultHost, nil, sandbox.Config{BuildUID: 1000, BuildGID: 100},
		sandbox.Command{Argv: []string{"true"}}},
	{"network-flag", DefaultHost, marked[1:], cfg, buildCmd(sandbox.RootReadOnly | sandbox.NetworkEnabled)},
	{"network-config", DefaultHost, marked[1:], sandbox.Config{Network: true}, buildCmd(0)},
	{"shell", DefaultHost, []sandbox.Mount{{Path: "/home/me/src", Source: "/home/me/src"}}, cfg, sandbox.Command{
		Argv: []string{"sh", "-i"}, Cwd: "/", Env: []string{"PS1=[hello.bst:${PWD}]$ "},
		Flags: sandbox.Interactive | sandbox.RootReadOnly | sandbox.NetworkEnabled | sandbox.InheritUID}},
	{"shell-isolate", DefaultHost, nil, cfg, sandbox.Command{
		Argv: []string{"sh", "-i"}, Flags: sandbox.Interactive | sandbox.RootReadOnly}},
	{"no-userns-old-bwrap", Host{Bwrap: "/usr/bin/bwrap"}, marked, cfg, buildCmd(sandbox.RootReadOnly)},
	{"linux32", Host{Bwrap: "/usr/bin/bwrap", Linux32: "/usr/bin/linux32", UserNS: true, DieWithParent: true},
		marked[1:], sandbox.Config{BuildUID: 0, BuildGID: 0, BuildArch: "i686"}, buildCmd(sandbox.RootReadOnly)},
}

// TestArgsBuildStream checks one command line against the list
// _sandboxbwrap.py builds for the same command (minus --unsetenv).
func TestArgsBuildStream(t *testing.T) {
	got := Args("/root", marked, cfg, buildCmd(sandbox.RootReadOnly))
	want := []string{"bwrap",
		"--setenv", "HOME", "/tmp", "--setenv", "LC_ALL", "C", "--setenv", "PATH", "/usr/bin:/bin",
		"--unshare-pid", "--die-with-parent",
		"--bind", "/root", "/",
		"--unshare-net", "--unshare-uts", "--hostname", "buildstream", "--unshare-ipc",
		"--chdir", "/buildstream/proj/hello.bst",
		"--proc", "/proc", "--tmpfs", "/tmp",
		"--dev-bind", "/dev/full", "/dev/full", "--dev-bind", "/dev/null", "/dev/null",
		"--dev-bind", "/dev/urandom", "/dev/urandom", "--dev-bind", "/dev/random", "/dev/random",
		"--dev-bind", "/dev/zero", "/dev/zero",
		"--dev-bind", "/root/buildstream/proj/hello.bst", "/buildstream/proj/hello.bst",
		"--dev-bind", "/root/buildstream-install", "/buildstream-install",
		"--remount-ro", "/",
		"--unshare-user", "--uid", "0", "--gid", "0",
		"sh", "-c", "-e", "make install\n"}
	if !slices.Equal(got, want) {
		t.Errorf("Args:\n got %q\nwant %q", got, want)
	}
}

func TestArgsGolden(t *testing.T) {
	var b strings.Builder
	for _, c := range argsCases {
		fmt.Fprintf(&b, "## %s\n", c.name)
		for _, a := range c.host.Args("/root", c.marked, c.cfg, c.cmd) {
			fmt.Fprintf(&b, "%q\n", a)
		}
		b.WriteString("\n")
	}
	path := filepath.Join("testdata", "args.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if b.String() != string(want) {
		t.Errorf("Args differ from %s (go test -update to accept):\n%s", path, lineDiff(string(want), b.String()))
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d: want %s, got %s", i+1, wl, gl)
		}
	}
	return ""
}

func TestArgsPure(t *testing.T) {
	cmd := buildCmd(sandbox.RootReadOnly)
	a := Args("/root", marked, cfg, cmd)
	t.Setenv("SOME_HOST_VAR", "x")
	b := Args("/root", marked, cfg, cmd)
	if !slices.Equal(a, b) {
		t.Errorf("Args depends on the host environment")
	}
	if slices.Contains(a, "--unsetenv") {
		t.Errorf("Args lists --unsetenv; bwrap runs with a clean environment instead")
	}
}
