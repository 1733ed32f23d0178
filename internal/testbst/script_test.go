package testbst

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"example.org/bst/internal/cli"
)

// knownFailures are the scripts (without .txtar) that assert BuildStream
// 1.6.8's behaviour where bst disagrees today, with the disagreement. Each
// starts with a `skip` line giving the reason: delete that line and the
// entry here once the bug is fixed. TestScriptKnownFailures keeps the two
// in step.
var knownFailures = map[string]string{
	"error_provenance_plugin_defaults": "lines in kind defaults and projectconfig.yaml are those of bst's reformatted copies",
	"error_yaml_position":              "YAML syntax errors have no column, and sometimes another line",
	"show_format_yaml_1x":              "%{env}, %{config} and %{public} are not dumped as 1.6.8 dumps them",
}

// TestMain lets the test binary act as bst when a script runs `exec bst`.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"bst": func() {
			os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
		},
	})
}

// TestScript runs testdata/script/*.txtar, the CLI tests: `exec bst` runs
// cli.Main in a subprocess of this test binary, with its own working
// directory and environment as a real bst run has.
//
// Scripts on BuildStream 1.x projects assert BuildStream 1.6.8's output,
// recorded by running /usr/bin/bst on the same files (see each script's
// comment); scripts on 2.x projects record bst's own output, since no
// BuildStream 2 is at hand to compare with. Cache keys are Linux/x86_64's.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Setup:               setupScriptEnv,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"cachekey-verify": cmdCachekeyVerify,
		},
	})
}

// setupScriptEnv isolates each script: HOME and the XDG directories are
// in $WORK/.home, never the real user's.
func setupScriptEnv(env *testscript.Env) error {
	home := filepath.Join(env.WorkDir, ".home")
	dirs := map[string]string{
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_CACHE_HOME":  filepath.Join(home, ".cache"),
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
	}
	env.Setenv("HOME", home)
	for k, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		env.Setenv(k, d)
	}
	// Under -race, every bst run would otherwise sleep a second at exit.
	if race := os.Getenv("GORACE"); !strings.Contains(race, "atexit_sleep_ms") {
		env.Setenv("GORACE", strings.TrimSpace(race+" atexit_sleep_ms=0"))
	}
	for _, k := range []string{"BST_DEBUG", "BST_TIMING", "BST_CPUPROFILE", "BST_MEMPROFILE", "GOGC", "GOMEMLIMIT"} {
		env.Setenv(k, "")
	}
	return nil
}

// cmdCachekeyVerify checks BST_DEBUG=cachekey output in a file (usually
// stderr): every line is `cachekey KEY ["NAME" ]ENCODING` with KEY the
// SHA-256 of ENCODING, and there is at least one such line.
//
//	cachekey-verify stderr
func cmdCachekeyVerify(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: cachekey-verify file")
	}
	data := ts.ReadFile(args[0]) // "stdout" and "stderr" are the last command's
	n := 0
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if err := checkCachekeyLine(line); err != nil {
			ts.Fatalf("%v in line %q", err, line)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		ts.Fatalf("reading %s: %v", args[0], err)
	}
	if n == 0 {
		ts.Fatalf("no cachekey lines in %s", args[0])
	}
	ts.Logf("%d cachekey lines verified", n)
}

func checkCachekeyLine(line string) error {
	rest, ok := strings.CutPrefix(line, "cachekey ")
	if !ok || len(rest) < 65 || rest[64] != ' ' {
		return fmt.Errorf("not a cachekey line")
	}
	key, enc := rest[:64], rest[65:]
	if strings.HasPrefix(enc, `"`) {
		if name, err := strconv.QuotedPrefix(enc); err == nil && strings.HasPrefix(enc[len(name):], " ") {
			enc = enc[len(name)+1:]
		}
	}
	sum := sha256.Sum256([]byte(enc))
	if got := hex.EncodeToString(sum[:]); got != key {
		return fmt.Errorf("key %s, but the encoding hashes to %s", key, got)
	}
	return nil
}

// TestScriptKnownFailures checks that exactly the scripts in knownFailures
// start with a skip line, so a fixed bug is not left skipped and a new
// skip is not left unlisted.
func TestScriptKnownFailures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "script", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	var skipped []string
	for _, f := range files {
		a, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if firstCommand(a.Comment) == "skip" {
			skipped = append(skipped, strings.TrimSuffix(filepath.Base(f), ".txtar"))
		}
	}
	want := slices.Sorted(maps.Keys(knownFailures))
	if !slices.Equal(skipped, want) {
		t.Errorf("scripts starting with skip: %v\nknownFailures: %v", skipped, want)
	}
}

// firstCommand is the first word of the first line of a script that is
// neither blank nor a comment.
func firstCommand(script []byte) string {
	for line := range bytes.Lines(script) {
		s := strings.TrimSpace(string(line))
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		return strings.Fields(s)[0]
	}
	return ""
}
