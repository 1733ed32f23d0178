package yamlnode

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Quoting is how SetKey and DumpBlock write scalars.
type Quoting int

const (
	// QuoteTyped quotes a scalar that YAML would otherwise read as
	// something other than a string (a number, a boolean, null), as
	// BuildStream 1's dumper does.
	QuoteTyped Quoting = iota
	// QuotePlain writes a scalar plain wherever the plain form reads back
	// as the same text, as BuildStream 2's dumper does (it resolves every
	// scalar as a string): `annotated: False`, `version: 1.0`.
	QuotePlain
)

// ordered is a mapping value in key order, as the block writer sees it.
type ordered struct {
	keys []string
	vals []any
}

// normalize turns a value given to SetKey or DumpBlock into the writer's
// tree: string, nil (null), []any and ordered. Nodes keep their key order;
// map[string]any is written with its keys sorted.
func normalize(v any) any {
	switch t := v.(type) {
	case nil, string:
		return t
	case bool:
		if t {
			return "True"
		}
		return "False"
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, it := range t {
			out[i] = normalize(it)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := ordered{keys: keys}
		for _, k := range keys {
			o.vals = append(o.vals, normalize(t[k]))
		}
		return o
	case ordered:
		return t
	case *Scalar:
		if t.Null {
			return nil
		}
		return t.Value
	case *Sequence:
		out := make([]any, len(t.Items))
		for i, it := range t.Items {
			out[i] = normalize(it)
		}
		return out
	case *Mapping:
		o := ordered{keys: append([]string{}, t.Keys...)}
		for _, it := range t.Vals {
			o.vals = append(o.vals, normalize(it))
		}
		return o
	}
	return nil
}

// DumpBlock renders m as a YAML document in the layout BuildStream's
// dumper (ruamel.yaml) gives new content: keys in m's order, nested
// mappings indented by two, the dashes of a sequence at the column of its
// key.
func DumpBlock(m *Mapping, q Quoting) string {
	if m.Len() == 0 {
		return "{}\n"
	}
	var lines []string
	for i, k := range m.Keys {
		lines = append(lines, renderEntry(k, normalize(m.Vals[i]), 0, q)...)
	}
	return strings.Join(lines, "\n") + "\n"
}

// renderEntry renders `key: value` at column col (v normalized): a scalar
// or an empty collection on the key's line, a mapping's entries below it
// indented by two, a sequence's items below it with their dashes at col.
func renderEntry(key string, v any, col int, q Quoting) []string {
	head := strings.Repeat(" ", col) + renderKey(key) + ":"
	switch t := v.(type) {
	case ordered:
		if len(t.keys) == 0 {
			return []string{head + " {}"}
		}
		out := []string{head}
		for i, k := range t.keys {
			out = append(out, renderEntry(k, t.vals[i], col+2, q)...)
		}
		return out
	case []any:
		if len(t) == 0 {
			return []string{head + " []"}
		}
		return append([]string{head}, renderItems(t, col, q)...)
	}
	return []string{head + " " + renderScalar(v, q)}
}

// renderItems renders sequence items with their dashes at column col; a
// collection item starts on its dash's line.
func renderItems(items []any, col int, q Quoting) []string {
	pad := strings.Repeat(" ", col)
	var out []string
	for _, it := range items {
		var sub []string
		switch t := it.(type) {
		case ordered:
			if len(t.keys) == 0 {
				out = append(out, pad+"- {}")
				continue
			}
			for i, k := range t.keys {
				sub = append(sub, renderEntry(k, t.vals[i], col+2, q)...)
			}
		case []any:
			if len(t) == 0 {
				out = append(out, pad+"- []")
				continue
			}
			sub = renderItems(t, col+2, q)
		default:
			out = append(out, pad+"- "+renderScalar(it, q))
			continue
		}
		sub[0] = pad + "- " + sub[0][col+2:]
		out = append(out, sub...)
	}
	return out
}

func renderKey(k string) string {
	if plainSafe(k) {
		return k
	}
	return quoteScalar(k)
}

// renderScalar renders one scalar on one line.
func renderScalar(v any, q Quoting) string {
	s, ok := v.(string)
	if !ok {
		return "''"
	}
	if q == QuotePlain {
		if plainSafe(s) {
			return s
		}
		return quoteScalar(s)
	}
	if !utf8.ValidString(s) {
		return strconv.Quote(s) // does not read back: SetKey refuses it
	}
	out := strings.TrimSuffix(Dump(s), "\n")
	if strings.Contains(out, "\n") {
		return strconv.Quote(s)
	}
	return out
}

// quoteScalar quotes s: single quotes for printable text on one line (as
// ruamel.yaml does), double quotes with escapes otherwise.
func quoteScalar(s string) string {
	for _, r := range s {
		if r < ' ' || r == 0x7f || !strconv.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// plainSafe reports whether s written plain reads back as s.
func plainSafe(s string) bool {
	if s == "" || s != strings.TrimSpace(s) || strings.ContainsAny(s, "\n\r\t") {
		return false
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+s+"\n"), &doc); err != nil {
		return false
	}
	if len(doc.Content) != 1 || len(doc.Content[0].Content) != 2 {
		return false
	}
	v := doc.Content[0].Content[1]
	return v.Kind == yaml.ScalarNode && v.Style == 0 && v.Value == s
}

// sameValue reports whether the YAML node n holds v (normalized), every
// scalar read as a string.
func sameValue(n *yaml.Node, v any) bool {
	switch t := v.(type) {
	case nil:
		return n.Kind == yaml.ScalarNode && n.Value == ""
	case string:
		return n.Kind == yaml.ScalarNode && n.Value == t
	case []any:
		if n.Kind != yaml.SequenceNode || len(n.Content) != len(t) {
			return false
		}
		for i, it := range t {
			if !sameValue(n.Content[i], it) {
				return false
			}
		}
		return true
	case ordered:
		if n.Kind != yaml.MappingNode || len(n.Content) != 2*len(t.keys) {
			return false
		}
		for i, k := range t.keys {
			if n.Content[2*i].Value != k || !sameValue(n.Content[2*i+1], t.vals[i]) {
				return false
			}
		}
		return true
	}
	return false
}
