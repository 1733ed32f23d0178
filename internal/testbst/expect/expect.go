package expect

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"example.org/bst/internal/bsterr"
	"go.yaml.in/yaml/v3"
)

// Expect is a case's (or step's) `expect` block. Nil slices and pointers mean
// the form is absent.
type Expect struct {
	Exit  string     // "0", "nonzero", or "" (not checked)
	Error *ErrorSpec // expected main error; nil = not checked

	StdoutYAMLSubset      *yaml.Node
	StdoutYAMLPresentKeys []string
	StdoutYAMLAbsentKeys  []string
	StdoutLines           *[]string // exact list of lines; non-nil even when empty
	StdoutLinesInclude    []string
	StdoutLinesExclude    []string
	StdoutExact           *string
	StderrContains        []string
	StderrNotContains     []string
	CheckoutHas           []string // paths that must exist in {checkout}
	CheckoutLacks         []string // paths that must not exist in {checkout}

	// Unsupported lists the keys this matcher does not know; a case with any
	// fails rather than passing on a check nobody made.
	Unsupported []string
}

// ErrorSpec is the expected error: BuildStream's ErrorDomain and reason.
type ErrorSpec struct {
	Domain string  `yaml:"domain"`
	Reason *string `yaml:"reason"` // nil (YAML null) = any reason
}

// UnmarshalYAML implements yaml.Unmarshaler, decoding each known form and
// recording unknown ones in Unsupported.
func (e *Expect) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expect must be a mapping", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		var err error
		switch k {
		case "exit":
			e.Exit = v.Value
		case "error":
			if v.Tag != "!!null" {
				e.Error = new(ErrorSpec)
				err = v.Decode(e.Error)
			}
		case "stdout_yaml_subset":
			e.StdoutYAMLSubset = v
		case "stdout_yaml_present_keys":
			err = v.Decode(&e.StdoutYAMLPresentKeys)
		case "stdout_yaml_absent_keys":
			err = v.Decode(&e.StdoutYAMLAbsentKeys)
		case "stdout_lines":
			lines := []string{}
			err = v.Decode(&lines)
			e.StdoutLines = &lines
		case "stdout_lines_include":
			err = v.Decode(&e.StdoutLinesInclude)
		case "stdout_lines_exclude":
			err = v.Decode(&e.StdoutLinesExclude)
		case "stdout_exact":
			s := v.Value
			e.StdoutExact = &s
		case "stderr_contains":
			err = v.Decode(&e.StderrContains)
		case "stderr_not_contains":
			err = v.Decode(&e.StderrNotContains)
		case "checkout_has":
			err = v.Decode(&e.CheckoutHas)
		case "checkout_lacks":
			err = v.Decode(&e.CheckoutLacks)
		default:
			e.Unsupported = append(e.Unsupported, k)
		}
		if err != nil {
			return fmt.Errorf("expect.%s: %w", k, err)
		}
	}
	return nil
}

// Outcome is what one bst invocation did.
type Outcome struct {
	Stdout   string
	Stderr   string // what bst wrote to stderr plus cli.Report of Err
	Err      error  // nil iff the exit code was 0
	Checkout string // the directory {checkout} stood for
}

// Check returns why o does not meet e, one short reason per failed check, or
// nil if it does. As in the reference runner, stdout and checkout forms are
// checked only when the command succeeded.
func (e *Expect) Check(o Outcome) []string {
	var why []string
	for _, k := range e.Unsupported {
		why = append(why, "unsupported expect form "+k)
	}
	switch {
	case e.Exit == "0" && o.Err != nil:
		why = append(why, "exit nonzero, expected 0: "+firstLine(o.Err.Error()))
	case e.Exit != "" && e.Exit != "0" && o.Err == nil:
		why = append(why, "exit 0, expected nonzero")
	}
	if e.Error != nil && o.Err != nil {
		if w := e.Error.check(o.Err); w != "" {
			why = append(why, w)
		}
	}
	if o.Err == nil {
		why = append(why, e.checkStdout(o.Stdout)...)
		why = append(why, e.checkCheckout(o.Checkout)...)
	}
	for _, s := range e.StderrContains {
		if !strings.Contains(o.Stderr, s) {
			why = append(why, fmt.Sprintf("stderr lacks %q", s))
		}
	}
	for _, s := range e.StderrNotContains {
		if strings.Contains(o.Stderr, s) {
			why = append(why, fmt.Sprintf("stderr has %q", s))
		}
	}
	return why
}

// check compares the main error (the first *bsterr.Error in err's chain, as
// bsterr.ReasonOf finds it) with the expected domain and reason.
func (s *ErrorSpec) check(err error) string {
	want := s.Domain + "/"
	if s.Reason != nil {
		want += *s.Reason
	} else {
		want += "*"
	}
	var be *bsterr.Error
	if !errors.As(err, &be) {
		return fmt.Sprintf("error is not a *bsterr.Error (%T: %s), expected %s", err, firstLine(err.Error()), want)
	}
	if string(be.Domain) != s.Domain || (s.Reason != nil && string(be.Reason) != *s.Reason) {
		return fmt.Sprintf("error %s/%s, expected %s: %s", be.Domain, be.Reason, want, firstLine(be.Error()))
	}
	return ""
}

func (e *Expect) checkStdout(stdout string) []string {
	var why []string
	if e.StdoutYAMLSubset != nil || e.StdoutYAMLPresentKeys != nil || e.StdoutYAMLAbsentKeys != nil {
		got, err := ParseStdoutYAML(stdout)
		if err != nil {
			why = append(why, err.Error())
		} else {
			if e.StdoutYAMLSubset != nil {
				why = append(why, Subset(e.StdoutYAMLSubset, got)...)
			}
			why = append(why, checkKeys(got, e.StdoutYAMLPresentKeys, e.StdoutYAMLAbsentKeys)...)
		}
	}
	lines := SplitLines(stdout)
	if e.StdoutLines != nil && !equalStrings(lines, *e.StdoutLines) {
		why = append(why, fmt.Sprintf("stdout lines %q, expected %q", clip(lines), clip(*e.StdoutLines)))
	}
	have := make(map[string]bool, len(lines))
	for _, l := range lines {
		have[l] = true
	}
	for _, l := range e.StdoutLinesInclude {
		if !have[l] {
			why = append(why, fmt.Sprintf("stdout lacks line %q", l))
		}
	}
	for _, l := range e.StdoutLinesExclude {
		if have[l] {
			why = append(why, fmt.Sprintf("stdout has line %q", l))
		}
	}
	if e.StdoutExact != nil && stdout != *e.StdoutExact {
		why = append(why, fmt.Sprintf("stdout %q, expected %q", clipString(stdout), clipString(*e.StdoutExact)))
	}
	return why
}

func checkKeys(got any, present, absent []string) []string {
	if present == nil && absent == nil {
		return nil
	}
	m, ok := got.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("stdout YAML is %s, expected a mapping", kindOf(got))}
	}
	var why []string
	for _, k := range present {
		if _, ok := m[k]; !ok {
			why = append(why, "stdout YAML lacks key "+k)
		}
	}
	for _, k := range absent {
		if _, ok := m[k]; ok {
			why = append(why, "stdout YAML has key "+k)
		}
	}
	return why
}

func (e *Expect) checkCheckout(dir string) []string {
	var why []string
	for _, p := range e.CheckoutHas {
		if _, err := os.Lstat(filepath.Join(dir, p)); err != nil {
			why = append(why, "checkout lacks "+p)
		}
	}
	for _, p := range e.CheckoutLacks {
		if _, err := os.Lstat(filepath.Join(dir, p)); err == nil {
			why = append(why, "checkout has "+p)
		}
	}
	return why
}

// SplitLines splits s into lines as Python's str.splitlines does for "\n",
// "\r\n" and "\r": no trailing empty line, and none at all for "".
func SplitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if s == "" {
		return []string{}
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return clipString(s)
}

func clipString(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

func clip(lines []string) []string {
	const max = 10
	if len(lines) > max {
		return append(lines[:max:max], fmt.Sprintf("... %d more", len(lines)-max))
	}
	return lines
}
