package yamlnode

import (
	"bytes"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"example.org/bst/internal/bsterr"
)

// SetKey edits YAML text in place: in the mapping that starts at line,col
// (provenance coordinates: 1-based line, 0-based column), key is set to
// value. An existing value is replaced where it stands; a missing key is
// added after the mapping's last entry, at the mapping's indentation.
// Every other byte of the file (comments, order, quoting) is kept, which
// is what `bst source track` needs to write refs.
func SetKey(text []byte, file string, line, col int32, key string, value any) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, malformed(file, err)
	}
	m := findMapping(&doc, int(line), int(col)+1)
	if m == nil {
		return nil, bsterr.Load(bsterr.InvalidData, &bsterr.Provenance{File: file, Line: line, Col: col},
			"cannot find the mapping to write '%s' into", key)
	}
	lines := splitLines(text)
	indent := m.Column - 1
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Value != key {
			continue
		}
		rendered := renderValue(value, indent+2)
		if v.Kind == yaml.ScalarNode && v.Line == k.Line && !strings.Contains(rendered, "\n") && (v.Style&(yaml.LiteralStyle|yaml.FoldedStyle)) == 0 {
			l := lines[v.Line-1]
			start := v.Column - 1
			end := scalarEnd(l, start, v.Style)
			lines[v.Line-1] = l[:start] + rendered + l[end:]
			return joinLines(lines), nil
		}
		// Replace the key's whole entry.
		first, last := k.Line-1, entryEnd(lines, k.Line-1, indent)
		entry := strings.Repeat(" ", indent) + key + ":" + sep(rendered) + rendered
		out := append(append(append([]string{}, lines[:first]...), strings.Split(entry, "\n")...), lines[last+1:]...)
		return joinLines(out), nil
	}
	// Append after the last entry.
	lastKey := m.Content[len(m.Content)-2]
	last := entryEnd(lines, lastKey.Line-1, indent)
	rendered := renderValue(value, indent+2)
	entry := strings.Repeat(" ", indent) + key + ":" + sep(rendered) + rendered
	out := append(append(append([]string{}, lines[:last+1]...), strings.Split(entry, "\n")...), lines[last+1:]...)
	return joinLines(out), nil
}

func sep(rendered string) string {
	if strings.HasPrefix(rendered, "\n") {
		return ""
	}
	return " "
}

func findMapping(n *yaml.Node, line, col int) *yaml.Node {
	if n.Kind == yaml.MappingNode && n.Line == line && n.Column == col {
		return n
	}
	for _, c := range n.Content {
		if f := findMapping(c, line, col); f != nil {
			return f
		}
	}
	return nil
}

// entryEnd returns the index of the last line of the entry starting at
// line first: following lines indented deeper than indent (or blank)
// belong to it, except trailing blank and comment lines.
func entryEnd(lines []string, first, indent int) int {
	last := first
	for i := first + 1; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimLeft(l, " ")
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if len(l)-len(t) <= indent {
			break
		}
		last = i
	}
	return last
}

// scalarEnd finds where a single-line scalar starting at start ends.
func scalarEnd(l string, start int, style yaml.Style) int {
	switch {
	case style&yaml.DoubleQuotedStyle != 0:
		for i := start + 1; i < len(l); i++ {
			if l[i] == '\\' {
				i++
				continue
			}
			if l[i] == '"' {
				return i + 1
			}
		}
	case style&yaml.SingleQuotedStyle != 0:
		for i := start + 1; i < len(l); i++ {
			if l[i] == '\'' {
				if i+1 < len(l) && l[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
	default:
		end := len(l)
		if i := strings.Index(l[start:], " #"); i >= 0 {
			end = start + i
		}
		return start + len(strings.TrimRight(l[start:end], " \t"))
	}
	return len(l)
}

// renderValue renders a ref value: plain values inline, lists and mappings
// as an indented block starting on the next line.
func renderValue(v any, indent int) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSuffix(Dump(t), "\n")
	case nil:
		return "''"
	}
	out := Dump(v)
	var b bytes.Buffer
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", indent))
		b.WriteString(l)
	}
	return b.String()
}

func splitLines(text []byte) []string {
	s := string(text)
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

func joinLines(lines []string) []byte {
	return []byte(strings.Join(lines, "\n") + "\n")
}

// DeleteKey removes key (and its value's lines) from the mapping at
// line,col, keeping every other byte; a missing key is not an error.
func DeleteKey(text []byte, file string, line, col int32, key string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, malformed(file, err)
	}
	m := findMapping(&doc, int(line), int(col)+1)
	if m == nil {
		return nil, bsterr.Load(bsterr.InvalidData, &bsterr.Provenance{File: file, Line: line, Col: col},
			"cannot find the mapping to remove '%s' from", key)
	}
	lines := splitLines(text)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Value != key {
			continue
		}
		if i == 0 {
			// The first key shares its line with "- " in a sequence item:
			// keep the structure simple by refusing.
			return nil, bsterr.Load(bsterr.InvalidData, &bsterr.Provenance{File: file, Line: int32(k.Line), Col: int32(k.Column - 1)},
				"cannot remove '%s': it is the mapping's first key", key)
		}
		first, last := k.Line-1, entryEnd(lines, k.Line-1, m.Column-1)
		out := append(append([]string{}, lines[:first]...), lines[last+1:]...)
		return joinLines(out), nil
	}
	return text, nil
}
