package expect

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ParseStdoutYAML parses bst's stdout as one YAML document into a tree of
// map[string]any, []any and string, treating every scalar as a string (as
// PyYAML's BaseLoader and BuildStream do: "True", "1" and "~" stay strings).
// Empty output is an error: a YAML check needs something to check.
func ParseStdoutYAML(stdout string) (any, error) {
	dec := yaml.NewDecoder(strings.NewReader(stdout))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("stdout is empty, expected YAML")
		}
		return nil, fmt.Errorf("stdout is not YAML: %v", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("stdout is not a single YAML document")
	}
	return Tree(&doc), nil
}

// Tree converts a YAML node into map[string]any / []any / string, every
// scalar (keys too) as its source text. Aliases are followed; a later
// duplicate key wins, as in PyYAML.
func Tree(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return Tree(n.Content[0])
	case yaml.AliasNode:
		return Tree(n.Alias)
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, Tree(c))
		}
		return l
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.AliasNode {
				k = k.Alias
			}
			m[k.Value] = Tree(n.Content[i+1])
		}
		return m
	default:
		return n.Value
	}
}

// Subset reports where got (a Tree) fails to contain want (an expectation
// node), one reason per mismatch, or nil if it contains it:
//   - a mapping matches a mapping that has each of its keys, recursively;
//   - a sequence matches a sequence that starts with matching items (prefix);
//   - a scalar matches the same string;
//   - {__bool__: X} matches a string that equals X ignoring case
//     ("True"/"true" for true), as BuildStream's get_bool reads it;
//   - {__len__: N, __index__: {I: V}} matches a sequence of length N (if
//     given) whose item I matches V.
func Subset(want *yaml.Node, got any) []string {
	var why []string
	subset(want, got, "$", &why)
	return why
}

func subset(want *yaml.Node, got any, path string, why *[]string) {
	if want.Kind == yaml.AliasNode {
		want = want.Alias
	}
	mismatch := func(format string, args ...any) {
		*why = append(*why, path+": "+fmt.Sprintf(format, args...))
	}
	switch want.Kind {
	case yaml.MappingNode:
		if b := mapValue(want, "__bool__"); b != nil {
			s, ok := got.(string)
			if !ok || !strings.EqualFold(s, b.Value) {
				mismatch("%s, expected boolean %s", describe(got), b.Value)
			}
			return
		}
		if mapValue(want, "__len__") != nil || mapValue(want, "__index__") != nil {
			listChecks(want, got, path, why)
			return
		}
		m, ok := got.(map[string]any)
		if !ok {
			mismatch("%s, expected a mapping", describe(got))
			return
		}
		for i := 0; i+1 < len(want.Content); i += 2 {
			k := want.Content[i].Value
			v, ok := m[k]
			if !ok {
				mismatch("missing key %q", k)
				continue
			}
			subset(want.Content[i+1], v, path+"."+k, why)
		}
	case yaml.SequenceNode:
		l, ok := got.([]any)
		if !ok {
			mismatch("%s, expected a list", describe(got))
			return
		}
		if len(l) < len(want.Content) {
			mismatch("list of %d items, expected at least %d", len(l), len(want.Content))
			return
		}
		for i, w := range want.Content {
			subset(w, l[i], fmt.Sprintf("%s[%d]", path, i), why)
		}
	default:
		s, ok := got.(string)
		if !ok || s != want.Value {
			mismatch("%s, expected %q", describe(got), want.Value)
		}
	}
}

// listChecks applies {__len__, __index__} to got.
func listChecks(want *yaml.Node, got any, path string, why *[]string) {
	l, ok := got.([]any)
	if !ok {
		*why = append(*why, fmt.Sprintf("%s: %s, expected a list", path, describe(got)))
		return
	}
	if n := mapValue(want, "__len__"); n != nil {
		if want, err := strconv.Atoi(n.Value); err != nil || len(l) != want {
			*why = append(*why, fmt.Sprintf("%s: list of %d items, expected %s", path, len(l), n.Value))
		}
	}
	idx := mapValue(want, "__index__")
	if idx == nil {
		return
	}
	for i := 0; i+1 < len(idx.Content); i += 2 {
		k := idx.Content[i].Value
		j, err := strconv.Atoi(k)
		if err != nil || j < 0 || j >= len(l) {
			*why = append(*why, fmt.Sprintf("%s: no item %s in a list of %d", path, k, len(l)))
			continue
		}
		subset(idx.Content[i+1], l[j], fmt.Sprintf("%s[%d]", path, j), why)
	}
}

// mapValue returns the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func describe(got any) string {
	if s, ok := got.(string); ok {
		return strconv.Quote(clipString(s))
	}
	return kindOf(got)
}

func kindOf(got any) string {
	switch got.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", got)
}
