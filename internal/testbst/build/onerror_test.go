package build

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/cli"
	"example.org/bst/internal/testbst"
)

// failingProject writes a project (1.x or 2.x) with a busybox base, an
// element that fails (a-bad.bst), an independent one that builds
// (z-good.bst) and a stack of both; a-bad.bst comes first in staging order.
func failingProject(t *testing.T, gen int) string {
	t.Helper()
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("busybox is not installed (apt-get install busybox-static)")
	}
	if err := exec.Command("bwrap", "--bind", "/", "/", "true").Run(); err != nil {
		t.Skipf("bubblewrap cannot run here: %v", err)
	}
	proj := t.TempDir()
	version := "min-version: 2.0"
	if gen == 1 {
		version = "format-version: 18"
	}
	write(t, filepath.Join(proj, "project.conf"), "name: oe\n"+version+"\nelement-path: elements\n")
	data, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(proj, "files/base/bin"), 0o755)
	if err := os.WriteFile(filepath.Join(proj, "files/base/bin/busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"sh", "echo", "mkdir", "false", "test", "sleep"} {
		os.Symlink("busybox", filepath.Join(proj, "files/base/bin", tool))
	}
	write(t, filepath.Join(proj, "elements/base.bst"), "kind: import\nsources:\n- kind: local\n  path: files/base\n")
	write(t, filepath.Join(proj, "elements/a-bad.bst"), `kind: manual
build-depends:
- base.bst
config:
  build-commands:
  - echo "the build tree" > left-behind
  - echo "about to fail"
  - test -e /tmp/never-there
`)
	write(t, filepath.Join(proj, "elements/z-good.bst"), `kind: manual
build-depends:
- base.bst
config:
  install-commands:
  - mkdir -p %{install-root}/good && echo yes > %{install-root}/good/built
`)
	write(t, filepath.Join(proj, "elements/all.bst"), "kind: stack\ndepends:\n- a-bad.bst\n- z-good.bst\n")
	return proj
}

func states(t *testing.T, proj string, env map[string]string) map[string]string {
	t.Helper()
	res := testbst.Run(t, proj, env, "--no-colors", "show", "--format", "%{name} %{state}", "all.bst")
	res.AssertSuccess(t)
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(res.Stdout), "\n") {
		name, state, _ := strings.Cut(l, " ")
		out[name] = state
	}
	return out
}

func TestOnErrorQuitStopsNewBuilds(t *testing.T) {
	proj := failingProject(t, 2)
	res := testbst.Run(t, proj, nil, "--no-colors", "--builders", "1", "build", "all.bst")
	if res.Err == nil {
		t.Fatalf("the build succeeded:\n%s", res.Stderr)
	}
	if !hasMessage(res.Stderr, "build", "a-bad.bst", "FAILURE") {
		t.Errorf("no FAILURE line for a-bad.bst:\n%s", res.Stderr)
	}
	if hasMessage(res.Stderr, "build", "z-good.bst", "START") {
		t.Errorf("on-error quit started a new build after the failure:\n%s", res.Stderr)
	}
	st := states(t, proj, nil)
	if st["a-bad.bst"] != "failed" || st["z-good.bst"] != "buildable" || st["all.bst"] != "waiting" {
		t.Errorf("states after the failed build: %v", st)
	}
}

func TestOnErrorContinueBuildsTheRest(t *testing.T) {
	proj := failingProject(t, 2)
	for _, how := range [][]string{{"--on-error", "continue"}} {
		args := append(append([]string{"--no-colors", "--builders", "1"}, how...), "build", "all.bst")
		res := testbst.Run(t, proj, nil, args...)
		if res.Err == nil {
			t.Fatalf("the build succeeded:\n%s", res.Stderr)
		}
		if !hasMessage(res.Stderr, "build", "z-good.bst", "SUCCESS") {
			t.Errorf("on-error continue did not build z-good.bst:\n%s", res.Stderr)
		}
		if hasMessage(res.Stderr, "build", "all.bst", "START") {
			t.Errorf("all.bst was built although a dependency failed:\n%s", res.Stderr)
		}
		// BuildStream's heading, the failed job's log tail and the
		// summaries.
		for _, want := range []string{
			"[--:--:--][][] START   Build\n",
			"\nPipeline\n   buildable ",
			" a-bad.bst \n",
			"Printing the last 20 lines from log file:",
			"about to fail",
			"[00:00:00][][] FAILURE Build\n",
			"\nFailure Summary\n  a-bad.bst:\n    [",
			"\nPipeline Summary\n  Total:       4\n  Session:     4\n  Fetch Queue: processed 0, skipped 4, failed 0 \n  Build Queue: processed 2, skipped 0, failed 1 \n",
		} {
			if !strings.Contains(res.Stderr, want) {
				t.Errorf("the output lacks %q:\n%s", want, res.Stderr)
			}
		}
	}
	st := states(t, proj, nil)
	if st["a-bad.bst"] != "failed" || st["z-good.bst"] != "cached" || st["all.bst"] != "waiting" {
		t.Errorf("states: %v", st)
	}
	bad := testbst.Run(t, proj, nil, "--no-colors", "--on-error", "sometimes", "build", "all.bst")
	var ue *cli.UsageError
	if !errors.As(bad.Err, &ue) || !strings.Contains(bad.Stderr, "'sometimes' is not one of") {
		t.Errorf("--on-error sometimes: %v, %s", bad.Err, bad.Stderr)
	}
}

func TestOnErrorFromUserConfig(t *testing.T) {
	proj := failingProject(t, 2)
	conf := filepath.Join(t.TempDir(), "bst.conf")
	write(t, conf, "scheduler:\n  on-error: continue\n  builders: 1\n")
	res := testbst.Run(t, proj, nil, "--no-colors", "--config", conf, "build", "all.bst")
	if !hasMessage(res.Stderr, "build", "z-good.bst", "SUCCESS") {
		t.Errorf("scheduler.on-error: continue did not build z-good.bst:\n%s", res.Stderr)
	}
}

func TestFailedBuildIsCached(t *testing.T) {
	proj := failingProject(t, 2)
	first := testbst.Run(t, proj, nil, "--no-colors", "build", "a-bad.bst")
	if first.Err == nil {
		t.Fatal("the build succeeded")
	}
	// The failure is an artifact with its log and build tree.
	show := testbst.Run(t, proj, nil, "--no-colors", "artifact", "show", "a-bad.bst")
	show.AssertSuccess(t)
	if !strings.Contains(show.Stdout, "failed") {
		t.Errorf("artifact show: %s", show.Stdout)
	}
	log := testbst.Run(t, proj, nil, "--no-colors", "artifact", "log", "a-bad.bst")
	log.AssertSuccess(t)
	if !strings.Contains(log.Stdout, "about to fail") {
		t.Errorf("the cached log lacks the build's output:\n%s", log.Stdout)
	}
	// Building again reports the cached failure without running anything.
	again := testbst.Run(t, proj, nil, "--no-colors", "build", "a-bad.bst")
	again.AssertMainError(t, bsterr.DomainElement, "cached-failure")
	if !strings.Contains(again.Stderr, "--retry-failed") {
		t.Errorf("the cached failure does not say how to retry:\n%s", again.Stderr)
	}
	// --retry-failed builds it again: the new log has the output again.
	retry := testbst.Run(t, proj, nil, "--no-colors", "build", "--retry-failed", "a-bad.bst")
	retry.AssertMainError(t, bsterr.DomainElement, "command-failed")
}

func TestFailedBuildIsRetriedIn1x(t *testing.T) {
	proj := failingProject(t, 1)
	testbst.Run(t, proj, nil, "--no-colors", "build", "a-bad.bst")
	// BuildStream 1 has no failed state and builds the element again.
	if st := states(t, proj, nil); st["a-bad.bst"] != "buildable" {
		t.Errorf("1.x state after a failure: %v", st)
	}
	again := testbst.Run(t, proj, nil, "--no-colors", "build", "a-bad.bst")
	again.AssertMainError(t, bsterr.DomainElement, "command-failed")
}

// hasMessage reports whether out has a message line of BuildStream's
// shape, [elapsed][key][action:element   ] KIND, for the element.
func hasMessage(out, action, element, kind string) bool {
	re := regexp.MustCompile(`\]\[\s*` + regexp.QuoteMeta(action+":"+element) + `\s*\] ` + kind + `\b`)
	return re.MatchString(out)
}

// TestBuildDepsNoneBuildsWhatItNeeds: --deps none still builds the build
// dependencies a target needs (BuildStream's plan), and a checkout of the
// build dependencies of an element that has none is empty, not a crash.
func TestBuildDepsNoneBuildsWhatItNeeds(t *testing.T) {
	proj := failingProject(t, 2)
	res := testbst.Run(t, proj, nil, "--no-colors", "build", "--deps", "none", "z-good.bst")
	res.AssertSuccess(t)
	if !hasMessage(res.Stderr, "build", "base.bst", "SUCCESS") {
		t.Errorf("base.bst was not built for z-good.bst:\n%s", res.Stderr)
	}
	co := filepath.Join(t.TempDir(), "co")
	testbst.Run(t, proj, nil, "--no-colors", "artifact", "checkout", "--deps", "build", "--directory", co, "base.bst").AssertSuccess(t)
	if ents, err := os.ReadDir(co); err != nil || len(ents) != 0 {
		t.Errorf("checkout of base.bst's build dependencies: %v %v", ents, err)
	}
}

// TestBatchIgnoresElementIFS: an element that sets IFS in its environment
// still runs its command batch (the runner's words are never split).
func TestBatchIgnoresElementIFS(t *testing.T) {
	proj := failingProject(t, 2)
	write(t, filepath.Join(proj, "elements/ifs.bst"), `kind: manual
build-depends:
- base.bst
environment:
  IFS: "x"
config:
  install-commands:
  - mkdir -p %{install-root}/ifs
  - echo ok > %{install-root}/ifs/done
`)
	testbst.Run(t, proj, nil, "--no-colors", "build", "ifs.bst").AssertSuccess(t)
}
