package yamlnode_test

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// mustParse parses src as file name or fails the test.
func mustParse(t testing.TB, name, src string) *yamlnode.Mapping {
	t.Helper()
	m, err := yamlnode.Parse([]byte(src), name)
	if err != nil {
		t.Fatalf("Parse(%s): %v\n%s", name, err, src)
	}
	return m
}

// bstErr returns the *bsterr.Error in err's chain, or nil.
func bstErr(err error) *bsterr.Error {
	var e *bsterr.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// at walks a slash-separated path ("a/0/b") from n; nil if it does not exist.
func at(n yamlnode.Node, path string) yamlnode.Node {
	if path == "" {
		return n
	}
	for _, part := range strings.Split(path, "/") {
		switch t := n.(type) {
		case *yamlnode.Mapping:
			n = t.Get(part)
		case *yamlnode.Sequence:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(t.Items) {
				return nil
			}
			n = t.Items[i]
		default:
			return nil
		}
		if n == nil {
			return nil
		}
	}
	return n
}

// snapshot renders a node tree with every field that matters (key order,
// values, null flags, provenance), independently of Clone, so that tests can
// tell whether a tree was mutated.
func snapshot(n yamlnode.Node) string {
	var b strings.Builder
	var walk func(n yamlnode.Node, indent string)
	walk = func(n yamlnode.Node, indent string) {
		switch t := n.(type) {
		case *yamlnode.Scalar:
			fmt.Fprintf(&b, "%q null=%v @%s:%d:%d\n", t.Value, t.Null, t.P.File, t.P.Line, t.P.Col)
		case *yamlnode.Sequence:
			fmt.Fprintf(&b, "seq(%d) @%s:%d:%d\n", len(t.Items), t.P.File, t.P.Line, t.P.Col)
			for _, it := range t.Items {
				b.WriteString(indent + "- ")
				walk(it, indent+"  ")
			}
		case *yamlnode.Mapping:
			fmt.Fprintf(&b, "map(%d/%d) @%s:%d:%d\n", len(t.Keys), len(t.Vals), t.P.File, t.P.Line, t.P.Col)
			for i, k := range t.Keys {
				fmt.Fprintf(&b, "%s%q: ", indent, k)
				if i < len(t.Vals) {
					walk(t.Vals[i], indent+"  ")
				} else {
					b.WriteString("<missing>\n")
				}
			}
		case nil:
			b.WriteString("<nil>\n")
		default:
			fmt.Fprintf(&b, "<%T>\n", n)
		}
	}
	walk(n, "")
	return b.String()
}

// flat renders plain values (Plain's output) compactly and deterministically
// for error messages and comparisons: maps sorted, strings quoted, nil as ~.
func flat(v any) string {
	switch t := v.(type) {
	case nil:
		return "~"
	case string:
		return strconv.Quote(t)
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = flat(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + ": " + flat(t[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("<%T %v>", v, v)
}

// walkScalars calls fn for every scalar under n.
func walkScalars(n yamlnode.Node, fn func(*yamlnode.Scalar)) {
	switch t := n.(type) {
	case *yamlnode.Scalar:
		fn(t)
	case *yamlnode.Sequence:
		for _, it := range t.Items {
			walkScalars(it, fn)
		}
	case *yamlnode.Mapping:
		for _, v := range t.Vals {
			walkScalars(v, fn)
		}
	}
}

// walkNodes calls fn for every node under n, n included.
func walkNodes(n yamlnode.Node, fn func(yamlnode.Node)) {
	fn(n)
	switch t := n.(type) {
	case *yamlnode.Sequence:
		for _, it := range t.Items {
			walkNodes(it, fn)
		}
	case *yamlnode.Mapping:
		for _, v := range t.Vals {
			walkNodes(v, fn)
		}
	}
}
