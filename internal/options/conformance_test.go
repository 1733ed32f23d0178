package options

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// The conformance fixtures of the option modules, replayed at the level of
// this package: project.conf declarations, -o pairs and user configuration
// values go through a Pool, project.conf and the target element go through
// Process, and the expected error reason (and, for 1.6, BuildStream's exact
// first error line) or the expected variables/public data are checked.

const conformanceRoot = "../../../shared/conformance/format"

var optionModules = []string{
	"options", "optionarch", "optionbool", "optioneltmask", "optionenum", "optionexports",
	"optionflags", "optionoverrides", "option-list-directive", "optionos", "optionprojectroot",
}

type expectations struct {
	Cases []conformanceCase `yaml:"cases"`
}

type conformanceCase struct {
	ID         string              `yaml:"id"`
	Project    string              `yaml:"project"`
	Args       []string            `yaml:"args"`
	Options    []map[string]string `yaml:"options"`
	UserConfig map[string]any      `yaml:"user_config"`
	Host       map[string]string   `yaml:"host"`
	Expect     struct {
		Exit  any `yaml:"exit"`
		Error *struct {
			Domain string  `yaml:"domain"`
			Reason *string `yaml:"reason"`
		} `yaml:"error"`
		Subset         map[string]any `yaml:"stdout_yaml_subset"`
		StderrContains []string       `yaml:"stderr_contains"`
	} `yaml:"expect"`
	Observed *struct {
		FirstErrorLine string `yaml:"first_error_line"`
	} `yaml:"observed_bst_1_6_8"`
}

func TestConformance(t *testing.T) {
	if _, err := os.Stat(conformanceRoot); err != nil {
		t.Skipf("conformance data not available: %v", err)
	}
	total := 0
	for _, ver := range []string{"bst-1.6", "bst-2"} {
		gen := Gen1
		if ver == "bst-2" {
			gen = Gen2
		}
		for _, mod := range optionModules {
			dir := filepath.Join(conformanceRoot, ver, mod)
			data, err := os.ReadFile(filepath.Join(dir, "expectations.yaml"))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			var exp expectations
			if err := yaml.Unmarshal(data, &exp); err != nil {
				t.Fatalf("%s: %v", dir, err)
			}
			for _, c := range exp.Cases {
				total++
				t.Run(ver+"/"+mod+"/"+c.ID, func(t *testing.T) { runConformanceCase(t, gen, dir, c) })
			}
		}
	}
	if total < 200 {
		t.Errorf("only %d conformance cases found", total)
	}
}

func runConformanceCase(t *testing.T, gen Generation, dir string, c conformanceCase) {
	out, err := replayCase(t, gen, dir, c)
	want := c.Expect.Error
	if want != nil {
		if err == nil {
			t.Fatalf("no error, want %s %v", want.Domain, want.Reason)
		}
		if got := string(bsterr.DomainOf(err)); got != want.Domain {
			t.Errorf("domain %s, want %s (%v)", got, want.Domain, err)
		}
		if want.Reason != nil {
			if got := string(bsterr.ReasonOf(err)); got != *want.Reason {
				t.Errorf("reason %s, want %s (%v)", got, *want.Reason, err)
			}
		}
		for _, s := range c.Expect.StderrContains {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q does not contain %q", err.Error(), s)
			}
		}
		if c.Observed != nil {
			if line, ok := strings.CutPrefix(c.Observed.FirstErrorLine, "Error loading project: "); ok {
				// first_error_line is the first line of a message that may
				// go on ("Valid values: ...").
				first, _, _ := strings.Cut(err.Error(), "\n")
				if first != line {
					t.Errorf("error\n  %s\nwant BuildStream's\n  %s", first, line)
				}
			}
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if c.Expect.Subset != nil {
		if msg := subsetMismatch(c.Expect.Subset, out, ""); msg != "" {
			t.Errorf("%s\noutput: %v", msg, out)
		}
	}
}

// builtinVariables stands in for the builtin project configuration, which
// this package does not load.
var builtinVariables = map[string]string{"prefix": "/usr"}

// replayCase runs the case through a Pool and returns what `bst show
// --format` would print (%{vars} or %{public}) as plain data.
func replayCase(t *testing.T, gen Generation, dir string, c conformanceCase) (map[string]any, error) {
	projDir := filepath.Join(dir, c.Project)
	conf, err := yamlnode.LoadFile(filepath.Join(projDir, "project.conf"), "<tmp>/m/"+c.Project+"/project.conf")
	if err != nil {
		t.Fatal(err)
	}
	host := Host{Arch: "x86_64", OS: "Linux"}
	if m := c.Host["uname_machine"]; m != "" {
		host.Arch = m
	}
	if s := c.Host["uname_system"]; s != "" {
		host.OS = s
	}
	pool := NewPool(gen, host)
	pool.SetElementPath(projDir)
	decls, err := conf.MappingAt("options")
	if err != nil {
		return nil, err
	}
	if err := pool.Load(decls); err != nil {
		return nil, err
	}
	if c.UserConfig != nil {
		user := writeUserConfig(t, c.UserConfig)
		if projects, _ := user.MappingAt("projects"); projects != nil {
			if proj, _ := projects.MappingAt("test"); proj != nil {
				values, err := proj.MappingAt("options")
				if err != nil {
					return nil, err
				}
				if err := pool.LoadYAMLValues(values, nil); err != nil {
					return nil, err
				}
			}
		}
	}
	var pairs [][2]string
	for _, kv := range c.Options {
		for k, v := range kv {
			pairs = append(pairs, [2]string{k, v})
		}
	}
	if err := pool.LoadCLIValues(pairs, false); err != nil {
		return nil, err
	}
	if err := pool.Resolve(); err != nil {
		return nil, err
	}
	if err := pool.Process(conf, RestrictedProjectKeys(gen)...); err != nil {
		return nil, err
	}
	if err := yamlnode.FinalAssertions(conf); err != nil {
		return nil, err
	}
	return showElement(t, pool, conf, projDir, c.Args)
}

// showElement composes the variables or public data of the target element
// from the processed project configuration.
func showElement(t *testing.T, pool *Pool, conf *yamlnode.Mapping, projDir string, args []string) (map[string]any, error) {
	if len(args) == 0 || args[len(args)-1] == "build" {
		return nil, nil
	}
	target := args[len(args)-1]
	format := ""
	for i, a := range args {
		if a == "--format" && i+1 < len(args) {
			format = args[i+1]
		}
	}
	elem, err := yamlnode.LoadFile(filepath.Join(projDir, target), target)
	if err != nil {
		t.Fatal(err)
	}
	if err := pool.Process(elem); err != nil {
		return nil, err
	}
	kind, _, _ := elem.String("kind")
	switch format {
	case "%{vars}":
		vars := yamlnode.NewMapping(bsterr.Provenance{})
		for k, v := range builtinVariables {
			vars.Set(k, &yamlnode.Scalar{Value: v})
		}
		if pv, _ := conf.MappingAt("variables"); pv != nil {
			if err := yamlnode.Composite(vars, pv); err != nil {
				return nil, err
			}
		}
		pool.ExportVariables(vars)
		if elements, _ := conf.MappingAt("elements"); elements != nil {
			if ko, _ := elements.MappingAt(kind); ko != nil {
				if kv, _ := ko.MappingAt("variables"); kv != nil {
					if err := yamlnode.Composite(vars, kv); err != nil {
						return nil, err
					}
				}
			}
		}
		if ev, _ := elem.MappingAt("variables"); ev != nil {
			if err := yamlnode.Composite(vars, ev); err != nil {
				return nil, err
			}
		}
		return yamlnode.Plain(vars, true).(map[string]any), nil
	case "%{public}":
		pub, _ := elem.MappingAt("public")
		if pub == nil {
			return map[string]any{}, nil
		}
		return yamlnode.Plain(pub, true).(map[string]any), nil
	}
	return nil, nil
}

// subsetMismatch checks want ⊆ got the way the expectations define it:
// mappings recursively, lists by prefix, scalars as strings.
func subsetMismatch(want, got any, path string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %T, want a mapping", path, got)
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("%s.%s: missing", path, k)
			}
			if msg := subsetMismatch(w[k], gv, path+"."+k); msg != "" {
				return msg
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) < len(w) {
			return fmt.Sprintf("%s: got %v, want a list starting with %v", path, got, w)
		}
		for i := range w {
			if msg := subsetMismatch(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); msg != "" {
				return msg
			}
		}
	default:
		ws := fmt.Sprint(want)
		if b, ok := want.(bool); ok {
			ws = map[bool]string{true: "True", false: "False"}[b]
		}
		if !reflect.DeepEqual(ws, got) {
			return fmt.Sprintf("%s: got %v, want %s", path, got, ws)
		}
	}
	return ""
}

// writeUserConfig writes the user configuration as PyYAML's safe_dump lays
// it out (so that provenance matches BuildStream's messages) and loads it.
func writeUserConfig(t *testing.T, cfg map[string]any) *yamlnode.Mapping {
	var b strings.Builder
	dumpPyYAML(&b, cfg, 0)
	path := filepath.Join(t.TempDir(), "buildstream.conf")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := yamlnode.LoadFile(path, "<tmp>/buildstream.conf")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func dumpPyYAML(b *strings.Builder, v any, indent int) {
	pad := strings.Repeat(" ", indent)
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch cv := t[k].(type) {
			case map[string]any:
				b.WriteString(pad + k + ":\n")
				dumpPyYAML(b, cv, indent+2)
			case []any:
				b.WriteString(pad + k + ":\n")
				dumpPyYAML(b, cv, indent)
			default:
				b.WriteString(pad + k + ": " + pyScalar(cv) + "\n")
			}
		}
	case []any:
		for _, it := range t {
			b.WriteString(pad + "- " + pyScalar(it) + "\n")
		}
	}
}

func pyScalar(v any) string {
	switch t := v.(type) {
	case bool:
		if t {
			return "true"
		}
		return "false"
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// TestConformanceHarness guards the helpers above.
func TestConformanceHarness(t *testing.T) {
	var b strings.Builder
	dumpPyYAML(&b, map[string]any{"projects": map[string]any{"test": map[string]any{"options": map[string]any{"pony": []any{"its", "a"}}}}}, 0)
	want := "projects:\n  test:\n    options:\n      pony:\n      - its\n      - a\n"
	if b.String() != want {
		t.Errorf("dump:\n%s\nwant:\n%s", b.String(), want)
	}
	if msg := subsetMismatch(map[string]any{"a": []any{"x"}}, map[string]any{"a": []any{"x", "y"}}, ""); msg != "" {
		t.Error(msg)
	}
	if msg := subsetMismatch(map[string]any{"a": "1"}, map[string]any{"a": "2"}, ""); msg == "" {
		t.Error("mismatch not detected")
	}
	var e *bsterr.Error
	if errors.As(fmt.Errorf("x: %w", bsterr.Load(bsterr.InvalidData, nil, "y")), &e) == false {
		t.Error("errors.As")
	}
}
