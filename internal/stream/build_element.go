package stream

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/project"
	"example.org/bst/internal/sandbox"
	"example.org/bst/internal/sandbox/bwrap"
	"example.org/bst/internal/yamlnode"
)

// buildSteps are a BuildElement's command lists, in the order they run.
var buildSteps = []string{"configure-commands", "build-commands", "install-commands", "strip-commands"}

// assembleBuildElement builds a BuildElement kind (manual, autotools,
// cmake, make, meson, ...) as BuildStream does: the build dependencies'
// artifacts are staged as the sandbox root, their integration commands
// run, the sources are staged at %{build-root}, each command runs as
// `sh -c -e "<command>\n"` with the root read-only and the build and
// install roots writable, and %{install-root} is the output.
func (s *Session) assembleBuildElement(ctx context.Context, e *element.Element, files string, log io.Writer) error {
	v := func(name string) string { x, _, _ := e.Vars.Get(name); return x }
	buildRoot, installRoot := v("build-root"), v("install-root")
	root, err := s.jobSysroot(ctx, e, buildRoot)
	if err != nil {
		return err
	}
	// Hardlinks from the CAS are safe while the root is read-only; only
	// integration commands run with a writable root, so copy when any
	// dependency has some.
	hardlinks := true
	for _, d := range e.BuildDependencies() {
		if cmds, _ := integrationCommands(d); len(cmds) > 0 {
			hardlinks = false
			break
		}
	}
	if err := s.stageDependencies(ctx, e, root, hardlinks); err != nil {
		return err
	}
	cfg := sandbox.Config{BuildUID: e.Sandbox.BuildUID, BuildGID: e.Sandbox.BuildGID,
		BuildOS: e.Sandbox.BuildOS, BuildArch: e.Sandbox.BuildArch}
	opts, err := s.sandboxOptions(ctx, log)
	if err != nil {
		return err
	}
	opts.KeepMountPoints = true // the root is thrown away; only the install root is collected
	sb, err := bwrap.New(ctx, root, cfg, opts)
	if err != nil {
		return err
	}
	defer sb.Close()
	env := make([]string, 0, len(e.Env))
	for _, kv := range e.Env {
		env = append(env, kv.Name+"="+kv.Value)
	}
	// Integration commands of the dependencies, in staging order.
	integration, shown, err := integrationBatch(e.BuildDependencies(), env)
	if err != nil {
		return err
	}
	if err := runBatch(ctx, sb, e, integration, shown, []string{"sh", "-e", "-c"}, "", "/", env, 0, log); err != nil {
		return err
	}
	srcs, err := s.sources(e)
	if err != nil {
		return err
	}
	if err := s.stageCached(ctx, e, srcs, s.sourceEnv(e, io.Discard), filepath.Join(root, strings.TrimPrefix(buildRoot, "/"))); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(root, strings.TrimPrefix(installRoot, "/")), 0o755); err != nil {
		return bsterr.Element(bsterr.Unknown, nil, "%s: cannot create the install root: %v", e.FullName, err)
	}
	sb.MarkDirectory(buildRoot)
	sb.MarkDirectory(installRoot)
	cwd := buildRoot
	if sub := v("command-subdir"); sub != "" {
		cwd = filepath.Join(buildRoot, sub)
	}
	var all []string
	for _, step := range buildSteps {
		cmds, err := commandList(e, step)
		if err != nil {
			return err
		}
		for _, c := range cmds {
			fmt.Fprintf(log, "Running %s: %s\n", step, c)
		}
		all = append(all, cmds...)
	}
	if err := runBatch(ctx, sb, e, all, nil, []string{"sh", "-c", "-e"}, "\n", cwd, env, sandbox.RootReadOnly, log); err != nil {
		return err
	}
	return moveTree(filepath.Join(root, strings.TrimPrefix(installRoot, "/")), files)
}

// commandList returns a command list of the element's configuration,
// with variables expanded (1.x: stripped, then substituted).
func commandList(e *element.Element, step string) ([]string, error) {
	seq, err := e.Config.SequenceAt(step)
	if err != nil || seq == nil {
		return nil, err
	}
	out := make([]string, 0, len(seq.Items))
	for i, it := range seq.Items {
		sc, ok := it.(*yamlnode.Scalar)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of '%s[%d]' is not of the expected type 'str'", step, i)
		}
		c := sc.Value
		if e.Project.Gen == project.Gen1 {
			if c, err = e.Vars.Expand(sc.Str(), sc.P); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func runIn(ctx context.Context, sb *bwrap.Sandbox, e *element.Element, argv []string, cwd string, env []string, flags sandbox.Flags, log io.Writer) error {
	return runOne(ctx, sb, e, argv, strings.TrimSpace(argv[len(argv)-1]), cwd, env, flags, log)
}

// runOne runs argv; a failure names the command as shown.
func runOne(ctx context.Context, sb *bwrap.Sandbox, e *element.Element, argv []string, shown, cwd string, env []string, flags sandbox.Flags, log io.Writer) error {
	code, err := sb.Run(ctx, sandbox.Command{Argv: argv, Cwd: cwd, Env: env, Flags: flags, Stdout: log, Stderr: log})
	if err != nil {
		return err
	}
	if code != 0 {
		return bsterr.Element(bsterr.Reason("command-failed"), nil, "%s: Command '%s' failed with exitcode %d",
			e.FullName, shown, code)
	}
	return nil
}

// stageDependencies checks out the artifacts of e's build dependencies
// (their runtime closures, in staging order) into root.
func (s *Session) stageDependencies(ctx context.Context, e *element.Element, root string, hardlinks bool) error {
	ac, err := s.artifacts()
	if err != nil {
		return err
	}
	ov := newOverlaps()
	for _, d := range e.BuildDependencies() {
		a, ok, err := s.lookupArtifact(ctx, ac, d)
		if err != nil {
			return err
		}
		if !ok {
			return bsterr.Element(bsterr.Reason("missing-dependency-artifact"), nil, "%s: the artifact of %s is missing", e.FullName, d.FullName)
		}
		if err := ac.Stage(ctx, a, root, hardlinks, ov.ignore(d)); err != nil {
			return err
		}
		files, err := s.artifactFiles(ctx, ac, a)
		if err != nil {
			return err
		}
		ov.staged(d, files)
	}
	return ov.report(e, s, jobLog(ctx))
}

// assembleScript builds a script element as BuildStream's ScriptElement:
// the build dependencies are staged at / (1.x `layout` entries stage an
// element and its runtime dependencies at a destination instead) and
// integrated, then each command runs with cwd %{cwd}, the install root
// writable and the root read-only when `root-read-only` is set.
func (s *Session) assembleScript(ctx context.Context, e *element.Element, files string, log io.Writer) error {
	v := func(name string) string { x, _, _ := e.Vars.Get(name); return x }
	installRoot := v("install-root")
	if installRoot == "" {
		installRoot = "/"
	}
	cwd := v("cwd")
	if cwd == "" {
		cwd = "/"
	}
	ro, err := e.Config.Bool("root-read-only", false)
	if err != nil {
		return err
	}
	root, err := s.jobSysroot(ctx, e, "")
	if err != nil {
		return err
	}
	ac, err := s.artifacts()
	if err != nil {
		return err
	}
	type placement struct {
		elems []*element.Element
		dest  string
	}
	var places []placement
	layout, err := e.Config.SequenceAt("layout")
	if err != nil {
		return err
	}
	if e.Project.Gen == project.Gen1 && layout != nil && len(layout.Items) > 0 {
		for _, it := range layout.Items {
			m, ok := it.(*yamlnode.Mapping)
			if !ok {
				return bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'layout' is not of the expected type 'dict'")
			}
			dest, err := m.RequiredString("destination")
			if err != nil {
				return err
			}
			if dest, err = e.Vars.Expand(dest, *m.Pos()); err != nil {
				return err
			}
			name, ok, err := m.String("element")
			if err != nil {
				return err
			}
			if !ok {
				if err := os.MkdirAll(filepath.Join(root, strings.TrimPrefix(dest, "/")), 0o755); err != nil {
					return bsterr.Element(bsterr.Unknown, nil, "%s: %v", e.FullName, err)
				}
				continue
			}
			if name, err = e.Vars.Expand(name, *m.Pos()); err != nil {
				return err
			}
			var found *element.Element
			for _, d := range e.BuildDependencies() {
				if d.Name == name || d.FullName == name {
					found = d
				}
			}
			if found == nil {
				return bsterr.Element(bsterr.Reason("script-bad-layout"), m.Pos(), "%s: layout element '%s' is not a build dependency", e.FullName, name)
			}
			places = append(places, placement{element.Dependencies([]*element.Element{found}, element.ScopeRun), dest})
		}
	} else {
		places = append(places, placement{e.BuildDependencies(), "/"})
	}
	for _, p := range places {
		for _, d := range p.elems {
			a, ok, err := s.lookupArtifact(ctx, ac, d)
			if err != nil {
				return err
			}
			if !ok {
				return bsterr.Element(bsterr.Reason("missing-dependency-artifact"), nil, "%s: the artifact of %s is missing", e.FullName, d.FullName)
			}
			if err := ac.Checkout(ctx, a, filepath.Join(root, strings.TrimPrefix(p.dest, "/")), false); err != nil {
				return err
			}
		}
	}
	cfg := sandbox.Config{BuildUID: e.Sandbox.BuildUID, BuildGID: e.Sandbox.BuildGID, BuildOS: e.Sandbox.BuildOS, BuildArch: e.Sandbox.BuildArch}
	opts, err := s.sandboxOptions(ctx, log)
	if err != nil {
		return err
	}
	// The root is thrown away, unless it is what the script collects.
	opts.KeepMountPoints = strings.Trim(installRoot, "/") != ""
	sb, err := bwrap.New(ctx, root, cfg, opts)
	if err != nil {
		return err
	}
	defer sb.Close()
	env := make([]string, 0, len(e.Env))
	for _, kv := range e.Env {
		env = append(env, kv.Name+"="+kv.Value)
	}
	for _, p := range places {
		if p.dest != "/" {
			continue // BuildStream integrates only what is staged at /
		}
		cmds, shown, err := integrationBatch(p.elems, env)
		if err != nil {
			return err
		}
		if err := runBatch(ctx, sb, e, cmds, shown, []string{"sh", "-e", "-c"}, "", "/", env, 0, log); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(root, strings.TrimPrefix(installRoot, "/")), 0o755); err != nil {
		return bsterr.Element(bsterr.Unknown, nil, "%s: cannot create the install root: %v", e.FullName, err)
	}
	sb.MarkDirectory(installRoot)
	var flags sandbox.Flags
	if ro {
		flags = sandbox.RootReadOnly
	}
	cmds, err := commandList(e, "commands")
	if err != nil {
		return err
	}
	for _, c := range cmds {
		fmt.Fprintf(log, "Running commands: %s\n", c)
		if err := runIn(ctx, sb, e, []string{"sh", "-c", "-e", c + "\n"}, cwd, env, flags, log); err != nil {
			return err
		}
	}
	return moveTree(filepath.Join(root, strings.TrimPrefix(installRoot, "/")), files)
}

// integrationBatch returns the integration commands of deps, in order,
// with 1.x variables substituted, as commands to run in one sandbox whose
// environment is env (NAME=value), and the commands as written (for
// messages). BuildStream runs each dependency's commands with that
// dependency's own environment: where it differs from env, the command is
// prefixed with the unset and export builtins that make it so.
func integrationBatch(deps []*element.Element, env []string) (run, shown []string, err error) {
	have := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		have[k] = v
	}
	for _, d := range deps {
		cmds, err := integrationCommands(d)
		if err != nil {
			return nil, nil, err
		}
		if len(cmds) == 0 {
			continue
		}
		prefix := envPrefix(have, d.Env)
		for _, c := range cmds {
			if d.Project.Gen == project.Gen1 {
				if c, err = d.Vars.Expand(c, d.Load.Prov); err != nil {
					return nil, nil, err
				}
			}
			run = append(run, prefix+c)
			shown = append(shown, c)
		}
	}
	return run, shown, nil
}

// envPrefix returns shell builtins that turn the environment have into
// want ("" when they are equal).
func envPrefix(have map[string]string, want []element.KV) string {
	var unset, export []string
	wanted := make(map[string]bool, len(want))
	for _, kv := range want {
		wanted[kv.Name] = true
		if !shellName(kv.Name) {
			continue // the sandbox's value (if any) stays: sh cannot name it
		}
		if v, ok := have[kv.Name]; !ok || v != kv.Value {
			export = append(export, kv.Name+"="+shellQuote(kv.Value))
		}
	}
	for k := range have {
		if !wanted[k] && shellName(k) {
			unset = append(unset, k)
		}
	}
	if len(unset) == 0 && len(export) == 0 {
		return ""
	}
	sort.Strings(unset)
	var b strings.Builder
	if len(unset) > 0 {
		b.WriteString("unset " + strings.Join(unset, " ") + "\n")
	}
	if len(export) > 0 {
		b.WriteString("export " + strings.Join(export, " ") + "\n")
	}
	return b.String()
}

// shellName reports whether name is a shell variable name.
func shellName(name string) bool {
	for i, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return name != ""
}

// batchScript runs each of its arguments as `<runner> "<command><suffix>"`
// (runBatch puts the runner's words in place of BST_RUNNER)
// in turn, as BuildStream runs each command in its own sandbox, stopping
// at the first failure with that command's exit status after naming it on
// stderr. One sandbox start per batch, as BuildStream 2 batches commands.
const batchScript = `i=0
for c in "$@"; do
  i=$((i+1))
  BST_RUNNER "$c$BST_SUFFIX" || { rc=$?; echo "bst: command $i failed with exitcode $rc" >&2; exit $rc; }
done`

// runBatch runs commands with one sandbox start; runner is the argv
// prefix of each command (["sh", "-c", "-e"]), suffix is appended to each.
func runBatch(ctx context.Context, sb *bwrap.Sandbox, e *element.Element, cmds, shown, runner []string, suffix, cwd string, env []string, flags sandbox.Flags, log io.Writer) error {
	if len(cmds) == 0 {
		return nil
	}
	if shown == nil {
		shown = cmds
	}
	if len(cmds) == 1 {
		return runOne(ctx, sb, e, append(append([]string(nil), runner...), cmds[0]+suffix), strings.TrimSpace(shown[0]), cwd, env, flags, log)
	}
	// The runner is written into the script as quoted words (no field
	// splitting, whatever IFS the environment sets); the suffix travels
	// in a variable of the batch shell only.
	words := make([]string, len(runner))
	for i, w := range runner {
		words[i] = shellQuote(w)
	}
	script := "BST_SUFFIX=" + shellQuote(suffix) + "\n" + strings.Replace(batchScript, "BST_RUNNER", strings.Join(words, " "), 1)
	argv := append([]string{"sh", "-c", script, "sh"}, cmds...)
	var tail tailWriter
	w := io.MultiWriter(log, &tail)
	code, err := sb.Run(ctx, sandbox.Command{Argv: argv, Cwd: cwd, Env: env, Flags: flags, Stdout: log, Stderr: w})
	if err != nil {
		return err
	}
	if code != 0 {
		failed := "?"
		if i := strings.LastIndex(tail.String(), "bst: command "); i >= 0 {
			var n int
			if _, err := fmt.Sscanf(tail.String()[i:], "bst: command %d failed", &n); err == nil && n >= 1 && n <= len(cmds) {
				failed = strings.TrimSpace(shown[n-1])
			}
		}
		return bsterr.Element(bsterr.Reason("command-failed"), nil, "%s: Command '%s' failed with exitcode %d", e.FullName, failed, code)
	}
	return nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// tailWriter keeps the last few kilobytes written to it.
type tailWriter struct{ b []byte }

func (t *tailWriter) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 8192 {
		t.b = t.b[len(t.b)-8192:]
	}
	return len(p), nil
}

func (t *tailWriter) String() string { return string(t.b) }
