package expect

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Module is one expectations.yaml file: the cases of one upstream test module.
type Module struct {
	Set    string `yaml:"-"` // "bst-1.6" or "bst-2", from the directory name
	Dir    string `yaml:"-"` // the module directory holding the fixture projects
	Module string `yaml:"module"`
	Note   string `yaml:"note"`
	Cases  []Case `yaml:"cases"`
}

// Case is one CLI case of a module.
type Case struct {
	ID         string    `yaml:"id"`
	Project    string    `yaml:"project"` // relative to the module dir
	Args       []string  `yaml:"args"`    // exact argv after `bst`
	Options    yaml.Node `yaml:"options"` // convenience copy of the -o pairs; unused
	Setup      []SetupOp `yaml:"setup"`
	UserConfig yaml.Node `yaml:"user_config"` // written as YAML and passed with --config; Kind 0 if absent
	Host       Host      `yaml:"host"`
	Cwd        string    `yaml:"cwd"` // relative to the project
	Expect     Expect    `yaml:"expect"`
	Steps      []Step    `yaml:"steps"`
	Note       string    `yaml:"note"`
	Impossible string    `yaml:"impossible"` // non-empty: runners skip the case, with this reason
	// Observed is what BuildStream 1.6.8 did (bst-1.6 only): exit, stdout,
	// first_error_line, error_message, steps. Informational; Expect is primary.
	// (yaml.Node fields are values: yaml.v3 leaves a *yaml.Node field empty.)
	Observed     yaml.Node `yaml:"observed_bst_1_6_8"` // Kind 0 if absent
	Agrees       *bool     `yaml:"agrees"`
	Disagreement []string  `yaml:"disagreement"`
}

// Name is the case's ratchet name, "<set>/<module>/<id>".
func (c *Case) Name(m *Module) string {
	return m.Set + "/" + m.Module + "/" + c.ID
}

// Step is a follow-up command run with the same project and configuration.
type Step struct {
	Args   []string `yaml:"args"`
	Expect Expect   `yaml:"expect"`
}

// SetupOp is one entry of a case's setup list: a single-key mapping such as
// {write: {path, text}}. Op is the key, Value the raw value node; the runner
// interprets it (see the data's README for the list of ops).
type SetupOp struct {
	Op    string
	Value *yaml.Node
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *SetupOp) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return fmt.Errorf("line %d: a setup op is a mapping with one key", n.Line)
	}
	s.Op, s.Value = n.Content[0].Value, n.Content[1]
	return nil
}

// Host is a case's precondition on the machine (upstream monkeypatched uname).
type Host struct {
	UnameMachine string `yaml:"uname_machine"` // default x86_64
	UnameSystem  string `yaml:"uname_system"`  // default Linux
}

// Holds reports whether the precondition holds on a machine whose uname
// reports machine and system; if not, why says so.
func (h Host) Holds(machine, system string) (ok bool, why string) {
	wantM, wantS := h.UnameMachine, h.UnameSystem
	if wantM == "" {
		wantM = "x86_64"
	}
	if wantS == "" {
		wantS = "Linux"
	}
	if wantM == machine && wantS == system {
		return true, ""
	}
	return false, fmt.Sprintf("host precondition uname %s %s not met (host is %s %s)", wantS, wantM, system, machine)
}

// LoadModule reads one expectations.yaml. set is the set name ("bst-2").
func LoadModule(path, set string) (*Module, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Module
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.Set, m.Dir = set, filepath.Dir(path)
	return &m, nil
}

// Sets are the format sets a harness runs, in order.
var Sets = []string{"bst-1.6", "bst-2"}

// LoadFormat loads every format/<set>/<module>/expectations.yaml under the
// conformance directory root, sorted by set then module.
func LoadFormat(root string, sets ...string) ([]*Module, error) {
	var mods []*Module
	for _, set := range sets {
		paths, err := filepath.Glob(filepath.Join(root, "format", set, "*", "expectations.yaml"))
		if err != nil {
			return nil, err
		}
		sort.Strings(paths)
		for _, p := range paths {
			m, err := LoadModule(p, set)
			if err != nil {
				return nil, err
			}
			mods = append(mods, m)
		}
	}
	return mods, nil
}

// SetupOps lists the setup operations of the data's README, all of which the
// conformance runner implements.
var SetupOps = []string{
	"overlay", "write", "mkdir", "remove", "copy", "fresh_project", "symlink_project",
	"symlink", "mkfifo", "socket", "bst", "generate_junction",
}
