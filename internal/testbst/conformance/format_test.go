package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sys/unix"

	"example.org/bst/internal/testbst"
	"example.org/bst/internal/testbst/expect"
)

// TestFormat runs every format case as a parallel subtest, then settles the
// ratchet.
func TestFormat(t *testing.T) {
	dir, err := expect.FindDataDir(".")
	if err != nil {
		t.Skipf("conformance data missing: %v", err)
	}
	mods, err := expect.LoadFormat(dir, expect.Sets...)
	if err != nil {
		t.Fatal(err)
	}
	rat, err := readRatchet(ratchetPath)
	if err != nil {
		t.Fatal(err)
	}
	machine, system := uname(t)
	results.setModules(mods)

	// Cleanup runs once every parallel subtest has finished.
	t.Cleanup(func() { settleRatchet(t, mods, rat) })
	for _, m := range mods {
		for i := range m.Cases {
			c := &m.Cases[i]
			name := c.Name(m)
			// The name's slashes make -run match set, module and id as
			// separate levels: -run 'TestFormat/bst-2/options/'.
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				runOne(t, m, c, name, rat[name], machine, system)
			})
		}
	}
}

// runOne runs one case and records its result. Only a case listed in the
// ratchet fails the test when it fails.
func runOne(t *testing.T, m *expect.Module, c *expect.Case, name string, listed bool, machine, system string) {
	if c.Impossible != "" {
		results.add(name, m, statusSkipped, skipImpossible, c.Impossible)
		t.Skip("impossible: " + c.Impossible)
	}
	if ok, why := c.Host.Holds(machine, system); !ok {
		results.add(name, m, statusSkipped, skipHost, why)
		t.Skip(why)
	}
	r := newCaseRun(t, m, c)
	why := r.run()
	if len(why) == 0 {
		results.add(name, m, statusPassed, "", "")
		return
	}
	results.add(name, m, statusFailed, "", strings.Join(why, "; "))
	t.Log(r.transcript.String())
	if obs := observed(c); obs != "" {
		t.Logf("BuildStream 1.6.8 did:\n%s", obs)
	}
	if c.Note != "" {
		t.Logf("note: %s", c.Note)
	}
	switch {
	case listed && !*updateRatchet:
		t.Errorf("%s regressed (listed in %s):\n  %s", name, ratchetPath, strings.Join(why, "\n  "))
	case listed:
		t.Logf("%s fails; -update-ratchet drops it:\n  %s", name, strings.Join(why, "\n  "))
	default:
		t.Logf("%s fails (not in the ratchet):\n  %s", name, strings.Join(why, "\n  "))
	}
}

// caseRun is one case's temporary copy of its module and the paths it uses.
type caseRun struct {
	t          *testing.T
	c          *expect.Case
	src        string // the module directory in the conformance data
	tmp        string // the case's temporary directory
	mod        string // copy of the module directory: tmp/m
	proj       string // the project directory in it
	runProj    string // proj, or the symlink to it after symlink_project
	conf       string // user configuration file
	checkout   string // what {checkout} stands for
	transcript strings.Builder
}

func newCaseRun(t *testing.T, m *expect.Module, c *expect.Case) *caseRun {
	tmp := t.TempDir()
	mod := filepath.Join(tmp, "m")
	proj := filepath.Join(mod, filepath.FromSlash(c.Project))
	return &caseRun{
		t: t, c: c, src: m.Dir, tmp: tmp, mod: mod, proj: proj, runProj: proj,
		conf:     filepath.Join(tmp, "buildstream.conf"),
		checkout: filepath.Join(tmp, "checkout"),
	}
}

// run sets the case up, runs its command and steps, and returns why it
// failed (nil if it passed).
func (e *caseRun) run() []string {
	if err := e.prepare(); err != nil {
		return []string{"setup: " + err.Error()}
	}
	r := e.bst(e.c.Args)
	why := e.c.Expect.Check(e.outcome(r))
	for i, st := range e.c.Steps {
		r := e.bst(st.Args)
		for _, w := range st.Expect.Check(e.outcome(r)) {
			why = append(why, fmt.Sprintf("step %d (%s): %s", i+1, strings.Join(st.Args, " "), w))
		}
	}
	return why
}

// prepare copies the module, writes the user configuration and applies the
// setup ops.
func (e *caseRun) prepare() error {
	if err := copyTree(e.src, e.mod); err != nil {
		return err
	}
	conf := []byte("{}\n")
	if e.c.UserConfig.Kind != 0 {
		b, err := encodeYAML(&e.c.UserConfig)
		if err != nil {
			return err
		}
		conf = b
	}
	if err := os.WriteFile(e.conf, conf, 0o644); err != nil {
		return err
	}
	via, err := e.applySetup(e.c.Setup)
	if err != nil {
		return err
	}
	if via != "" {
		e.runProj = via
	}
	return nil
}

// bst runs bst on the case's project with the upstream harness's flags,
// from the project (or the case's cwd in it), and records the run.
func (e *caseRun) bst(args []string) testbst.Result {
	full := []string{"--no-colors", "--config", e.conf, "--directory", e.runProj}
	for _, a := range args {
		a = strings.ReplaceAll(a, "{checkout}", e.checkout)
		full = append(full, strings.ReplaceAll(a, "{project}", e.proj))
	}
	dir := e.runProj
	if e.c.Cwd != "" {
		dir = filepath.Join(e.runProj, filepath.FromSlash(e.c.Cwd))
	}
	r := testbst.Run(e.t, dir, nil, full...)
	fmt.Fprintf(&e.transcript, "$ bst %s  (in %s)\nexit %d\n", strings.Join(full, " "), dir, r.ExitCode())
	if r.Err != nil {
		d, re := r.MainError()
		fmt.Fprintf(&e.transcript, "error %s/%s (%T)\n", d, re, r.Err)
	}
	fmt.Fprintf(&e.transcript, "stdout:\n%s\nstderr:\n%s\n", clipText(r.Stdout), clipText(r.Stderr))
	return r
}

func (e *caseRun) outcome(r testbst.Result) expect.Outcome {
	return expect.Outcome{Stdout: r.Stdout, Stderr: r.Stderr, Err: r.Err, Checkout: e.checkout}
}

// observed renders what BuildStream 1.6.8 did for a bst-1.6 case, or "".
func observed(c *expect.Case) string {
	if c.Observed.Kind == 0 {
		return ""
	}
	b, err := yaml.Marshal(&c.Observed)
	if err != nil {
		return err.Error()
	}
	return clipText(string(b))
}

func clipText(s string) string {
	const max = 4000
	if len(s) > max {
		return s[:max] + "\n...<truncated>"
	}
	return s
}

// uname returns the machine and system names, for host preconditions.
func uname(t *testing.T) (machine, system string) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	return unix.ByteSliceToString(u.Machine[:]), unix.ByteSliceToString(u.Sysname[:])
}
