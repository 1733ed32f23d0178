package compile

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/testbst"
	"example.org/bst/internal/testbst/sysroot"
)

var update = flag.Bool("update", false, "rewrite the golden checkout listings in testdata/*.tree")

// programs are the compiled programs, the element that installs each, and
// what each prints.
// debugInfo says whether the build system compiles with -g by default:
// autotools' CFLAGS default to "-g -O2" and meson's buildtype to debug,
// while cmake without CMAKE_BUILD_TYPE passes no -g.
var programs = []struct {
	element, name, output string
	debugInfo             bool
}{
	{"greet.bst", "hello-autotools", "Hello from autotools! (libgreet 1.0)\n", true},
	{"hello-cmake.bst", "hello-cmake", "Hello from cmake 2.0: HELLO\n", false},
	{"hello-meson.bst", "hello-meson", "Hello from meson, linked with libgreet 1.0\n", true},
}

// elements of the test project, besides base.bst (the sysroot) and
// greet.bst (whose source URL is only known once the server runs).
var elements = map[string]string{
	"hello-cmake.bst": `kind: cmake
build-depends:
- base.bst
sources:
- kind: local
  path: files/cmake
`,
	"hello-meson.bst": `kind: meson
build-depends:
- base.bst
depends:
- greet.bst
sources:
- kind: local
  path: files/meson
`,
	// broken.bst does not compile.
	"broken.bst": `kind: cmake
build-depends:
- base.bst
sources:
- kind: local
  path: files/broken
`,
	// run.bst runs the installed programs in the sandbox, on the sysroot
	// with the three artifacts staged at /.
	"run.bst": `kind: manual
build-depends:
- base.bst
- greet.bst
- hello-cmake.bst
- hello-meson.bst
config:
  install-commands:
  - mkdir -p %{install-root}%{datadir}/compile-test
  - hello-autotools > %{install-root}%{datadir}/compile-test/autotools.txt
  - hello-cmake > %{install-root}%{datadir}/compile-test/cmake.txt
  - hello-meson > %{install-root}%{datadir}/compile-test/meson.txt
`,
}

// domains are BuildStream's default split domains, each collected from
// the three builds by a compose element <domain>.bst.
var domains = []string{"runtime", "devel", "debug"}

func TestCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles real projects (minutes on a cold sysroot cache)")
	}
	requireTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cacheDir, err := sysroot.DefaultCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sr, err := sysroot.Ensure(ctx, cacheDir, sysroot.Toolchain(), logWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sysroot %s: %d Debian packages, assembled now: %v, %v", sr.Root, len(sr.Debs), sr.Built, time.Since(start).Round(time.Millisecond))

	tarball := tarGz(t, filepath.Join("testdata", "autotools"), "greet-1.0")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/greet-1.0.tar.gz" {
			http.NotFound(w, r)
			return
		}
		w.Write(tarball)
	}))
	defer srv.Close()
	sum := sha256.Sum256(tarball)
	src := tarSource{url: srv.URL + "/greet-1.0.tar.gz", ref: hex.EncodeToString(sum[:])}
	proj := writeProject(t, sr.Root, src)

	// One element per invocation, so each stays within testbst.Timeout.
	order := []string{"base.bst", "greet.bst", "hello-cmake.bst", "hello-meson.bst", "run.bst"}
	for _, d := range domains {
		order = append(order, d+".bst")
	}
	for _, el := range order {
		build(t, proj, el)
	}

	// A compiler error fails the build, naming the command, and the
	// compiler's message is in the element's build log.
	res := testbst.Run(t, proj, nil, "--no-colors", "build", "broken.bst")
	res.AssertMainError(t, bsterr.DomainElement, "command-failed")
	if logs := buildLogs(t); !strings.Contains(logs, "'undeclared_variable' undeclared") {
		t.Errorf("the build log of broken.bst lacks gcc's error:\n%s", logs)
	}

	co := t.TempDir()
	// hello-meson with its runtime dependencies is greet and hello-meson.
	testbst.Run(t, proj, nil, "--no-colors", "artifact", "checkout", "--directory", filepath.Join(co, "meson-run"), "hello-meson.bst").AssertSuccess(t)
	checkGolden(t, "hello-meson-deps-run.tree", listing(t, filepath.Join(co, "meson-run")))
	for _, el := range order[1:] {
		dir := filepath.Join(co, strings.TrimSuffix(el, ".bst"))
		testbst.Run(t, proj, nil, "--no-colors", "artifact", "checkout", "--deps", "none", "--directory", dir, el).AssertSuccess(t)
		checkGolden(t, strings.TrimSuffix(el, ".bst")+".tree", listing(t, dir))
	}

	checkPrograms(t, sr.Root, co)

	t.Run("BuildStream-1.6.8", func(t *testing.T) { crossCheck(t, sr.Root, src, proj, co, order[len(order)-4:]) })
}

func requireTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not available: the toolchain sysroot is assembled from Debian packages", tool)
		}
	}
	if err := exec.Command("bwrap", "--bind", "/", "/", "true").Run(); err != nil {
		t.Skipf("bubblewrap cannot run here: %v", err)
	}
}

// build runs `bst build el` in proj, stopping the test with the build
// logs if it fails.
func build(t *testing.T, proj, el string) {
	t.Helper()
	start := time.Now()
	res := testbst.Run(t, proj, nil, "--no-colors", "build", el)
	if res.Err != nil {
		t.Fatalf("bst build %s: %v\n%s\nbuild logs:\n%s", el, res.Err, res.Stderr, buildLogs(t))
	}
	t.Logf("bst build %s: %v", el, time.Since(start).Round(time.Millisecond))
}

// checkPrograms checks the programs checked out under co (a directory per
// element): stripped as BuildStream strips them, and printing what they
// should when run in the sysroot, by the test and by run.bst.
func checkPrograms(t *testing.T, sysrootDir, co string) {
	t.Helper()
	for _, p := range programs {
		dir := filepath.Join(co, strings.TrimSuffix(p.element, ".bst"))
		checkStripped(t, dir, "usr/bin/"+p.name, p.debugInfo)
		got := runInSysroot(t, sysrootDir, filepath.Join(co, "greet", "usr/lib"), filepath.Join(dir, "usr/bin", p.name))
		if got != p.output {
			t.Errorf("%s printed %q, want %q", p.name, got, p.output)
		}
		// The same program run by bst in its build sandbox.
		out, err := os.ReadFile(filepath.Join(co, "run/usr/share/compile-test", strings.TrimPrefix(p.name, "hello-")+".txt"))
		if err != nil || string(out) != p.output {
			t.Errorf("%s in run.bst's sandbox printed %q (%v), want %q", p.name, out, err, p.output)
		}
	}
	checkStripped(t, filepath.Join(co, "greet"), "usr/lib/libgreet.so.0.0.0", true)
}

// tarSource is where greet.bst's tarball is served, and its ref.
type tarSource struct{ url, ref string }

// writeProject writes the test project into a new directory: the sysroot
// (hard-linked), the sources and the elements.
func writeProject(t *testing.T, sysrootDir string, src tarSource) string {
	t.Helper()
	proj := t.TempDir()
	start := time.Now()
	if err := sysroot.Link(sysrootDir, filepath.Join(proj, "files/sysroot")); err != nil {
		t.Fatal(err)
	}
	t.Logf("sysroot linked into the project in %v", time.Since(start).Round(time.Millisecond))
	for _, dir := range []string{"cmake", "meson", "broken"} {
		copyDir(t, filepath.Join("testdata", dir), filepath.Join(proj, "files", dir))
	}
	write(t, filepath.Join(proj, "project.conf"), "name: compile\nformat-version: 18\nelement-path: elements\n")
	write(t, filepath.Join(proj, "elements/base.bst"), "kind: import\nsources:\n- kind: local\n  path: files/sysroot\n")
	write(t, filepath.Join(proj, "elements/greet.bst"), fmt.Sprintf(`kind: autotools
build-depends:
- base.bst
sources:
- kind: tar
  url: %s
  ref: %s
`, src.url, src.ref))
	for name, content := range elements {
		write(t, filepath.Join(proj, "elements", name), content)
	}
	for _, d := range domains {
		write(t, filepath.Join(proj, "elements", d+".bst"), fmt.Sprintf(`kind: compose
build-depends:
- greet.bst
- hello-cmake.bst
- hello-meson.bst
config:
  include:
  - %s
  include-orphans: False
`, d))
	}
	return proj
}

// logWriter sends progress lines to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(to, e.Name()), string(data))
	}
}

// tarGz packs the files of dir under top/ as a release tarball does, with
// fixed times and owners so the ref is the same on every run.
func tarGz(t *testing.T, dir, top string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	mtime := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: top + "/", Mode: 0o755, ModTime: mtime})
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: top + "/" + e.Name(), Mode: 0o644, Size: int64(len(data)), ModTime: mtime})
		tw.Write(data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// nestedDebug is where a debug file of a debug file goes.
const nestedDebug = "usr/lib/debug/usr/lib/debug"

// listing describes a checked-out tree, one entry a line: directories end
// in "/", executables are marked "*", symlinks show their target.
func listing(t *testing.T, root string) string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		if rel == nestedDebug {
			// BuildStream's strip script runs under `find`, which may or
			// may not come across the debug files it has just written
			// into %{debugdir} (inside %{libdir}): a debug file named
			// *.so* is then stripped in turn, into a nested debug tree.
			// Whether it does depends on the file system's directory
			// order, so the listings leave that tree out.
			t.Logf("%s: %s is there (the strip step found its own debug files)", root, rel)
			return fs.SkipDir
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out = append(out, rel+" -> "+target)
		case info.IsDir():
			out = append(out, rel+"/")
		case info.Mode()&0o100 != 0:
			out = append(out, rel+"*")
		default:
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return strings.Join(out, "\n") + "\n"
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("checkout listing differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// runInSysroot runs program in a bubblewrap sandbox whose root is the
// sysroot, with the program's directory and libdir (for libgreet) bound
// under /tmp, and returns its standard output.
func runInSysroot(t *testing.T, root, libdir, program string) string {
	t.Helper()
	cmd := exec.Command("bwrap", "--ro-bind", root, "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
		"--ro-bind", filepath.Dir(program), "/tmp/bin", "--ro-bind", libdir, "/tmp/lib",
		"--unshare-all", "--die-with-parent", "--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
		"--setenv", "LD_LIBRARY_PATH", "/tmp/lib", "/tmp/bin/"+filepath.Base(program))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("running %s in the sysroot: %v\n%s", filepath.Base(program), err, stderr.String())
	}
	return stdout.String()
}

// buildLogs returns the tail of every build log under the test's bst home.
func buildLogs(t *testing.T) string {
	var b strings.Builder
	filepath.WalkDir(testbst.Home(t), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".log") {
			data, _ := os.ReadFile(p)
			if len(data) > 6000 {
				data = data[len(data)-6000:]
			}
			fmt.Fprintf(&b, "==> %s\n%s\n", p, data)
		}
		return nil
	})
	return b.String()
}
