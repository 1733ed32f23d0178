package yamlnode

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"example.org/bst/internal/bsterr"
)

// CannotEditInPlace is the reason of SetKey's and DeleteKey's errors for
// text whose layout they cannot edit; the text itself is valid YAML.
const CannotEditInPlace bsterr.Reason = "cannot-edit-in-place"

// SetKey edits YAML text in place: in the mapping that starts at line,col
// (provenance coordinates: 1-based line, 0-based column), key is set to
// value (a string, nil, a list, a map or a Node; see DumpBlock for the
// layout and q for the quoting). An existing value is replaced where it
// stands; a missing key is added after the mapping's last entry, at the
// mapping's indentation, and after the blank and comment lines that follow
// that entry: ruamel.yaml, which BuildStream round-trips files with, holds
// those lines as the last entry's comment and writes a new key after them. Every other byte of the file (comments, order,
// quoting) is kept, which is what `bst source track` needs to write refs.
// The result is parsed again and checked to hold value at key; a mapping
// bst cannot edit this way (flow style, or key as the first key of a
// sequence item) is an error, and text is left alone.
func SetKey(text []byte, file string, line, col int32, key string, value any, q Quoting) ([]byte, error) {
	m, err := editedMapping(text, file, line, col, key)
	if err != nil {
		return nil, err
	}
	v := normalize(value)
	lines := splitLines(text)
	indent := m.Column - 1
	entry := renderEntry(key, v, indent, q)
	var out []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, old := m.Content[i], m.Content[i+1]
		if k.Value != key {
			continue
		}
		if len(entry) == 1 && old.Kind == yaml.ScalarNode && old.Line == k.Line && (old.Style&(yaml.LiteralStyle|yaml.FoldedStyle)) == 0 {
			// Replace the scalar where it stands, keeping what follows it
			// on the line (a comment).
			rendered := entry[0][indent+len(renderKey(key))+2:]
			l := lines[old.Line-1]
			start := old.Column - 1
			lines[old.Line-1] = l[:start] + rendered + l[scalarEnd(l, start, old.Style):]
			out = lines
			break
		}
		if i == 0 && strings.TrimSpace(lines[k.Line-1][:k.Column-1]) != "" {
			return nil, cannotEdit(file, k, "replace", key, "it is the first key of a sequence item")
		}
		first, last := k.Line-1, entryEnd(lines, k.Line-1, indent)
		out = append(append(append([]string{}, lines[:first]...), entry...), lines[last+1:]...)
		break
	}
	if out == nil {
		if len(m.Content) == 0 {
			return nil, cannotEdit(file, m, "add", key, "the mapping is empty")
		}
		last := trailingComments(lines, entryEnd(lines, m.Content[len(m.Content)-2].Line-1, indent))
		out = append(append(append([]string{}, lines[:last+1]...), entry...), lines[last+1:]...)
	}
	res := joinLines(out)
	if err := checkEdit(res, file, line, col, key, v, true); err != nil {
		return nil, err
	}
	return res, nil
}

// DeleteKey removes key (and its value's lines) from the mapping at
// line,col, keeping every other byte; a missing key is not an error. The
// blank and comment lines that follow the entry go with it unless it is
// the mapping's last, as BuildStream's ruamel round-trip removes them.
func DeleteKey(text []byte, file string, line, col int32, key string) ([]byte, error) {
	m, err := editedMapping(text, file, line, col, key)
	if err != nil {
		return nil, err
	}
	lines := splitLines(text)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Value != key {
			continue
		}
		if i == 0 {
			// The first key may share its line with "- " in a sequence
			// item: keep the structure simple by refusing.
			return nil, cannotEdit(file, k, "remove", key, "it is the mapping's first key")
		}
		first, last := k.Line-1, entryEnd(lines, k.Line-1, m.Column-1)
		if i+2 < len(m.Content) {
			// ruamel.yaml holds the blank and comment lines after an
			// entry as its comment, and drops them with it, except after
			// a mapping's last entry.
			last = trailingComments(lines, last)
		}
		res := joinLines(append(append([]string{}, lines[:first]...), lines[last+1:]...))
		if err := checkEdit(res, file, line, col, key, nil, false); err != nil {
			return nil, err
		}
		return res, nil
	}
	return text, nil
}

// editedMapping finds the block mapping at line,col in text.
func editedMapping(text []byte, file string, line, col int32, key string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, malformed(file, err)
	}
	m := findMapping(&doc, int(line), int(col)+1)
	if m == nil {
		return nil, bsterr.Load(bsterr.InvalidData, &bsterr.Provenance{File: file, Line: line, Col: col},
			"cannot find the mapping to write '%s' into", key)
	}
	if m.Style&yaml.FlowStyle != 0 {
		return nil, cannotEdit(file, m, "write", key, "the mapping is in flow style")
	}
	return m, nil
}

func cannotEdit(file string, n *yaml.Node, verb, key, why string) error {
	return bsterr.Load(CannotEditInPlace, &bsterr.Provenance{File: file, Line: int32(n.Line), Col: int32(n.Column - 1)},
		"cannot %s '%s' in place: %s", verb, key, why)
}

// checkEdit parses the edited text and checks that the mapping at
// line,col holds v at key (present) or lacks key (!present).
func checkEdit(text []byte, file string, line, col int32, key string, v any, present bool) error {
	var doc yaml.Node
	err := yaml.Unmarshal(text, &doc)
	var m *yaml.Node
	if err == nil {
		m = findMapping(&doc, int(line), int(col)+1)
	}
	ok := m != nil
	if ok {
		var found *yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				found = m.Content[i+1]
			}
		}
		ok = (found != nil) == present && (!present || sameValue(found, v))
	}
	if !ok {
		return bsterr.Load(CannotEditInPlace, &bsterr.Provenance{File: file, Line: line, Col: col},
			"cannot edit '%s' in place: the file's layout is not one bst can edit", key)
	}
	return nil
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
// belong to it, and so do the items of a block sequence written at the
// key's own indentation ("key:\n- item"); trailing blank and comment lines
// do not.
func entryEnd(lines []string, first, indent int) int {
	last := first
	for i := first + 1; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimLeft(l, " ")
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if n := len(l) - len(t); n < indent || (n == indent && t != "-" && !strings.HasPrefix(t, "- ")) {
			break
		}
		last = i
	}
	return last
}

// trailingComments returns the index of the last line of the blank and
// comment lines that follow line last, at any indentation, up to the next
// line with content (or the end of the text).
func trailingComments(lines []string, last int) int {
	for last+1 < len(lines) {
		t := strings.TrimLeft(lines[last+1], " \t")
		if t != "" && !strings.HasPrefix(t, "#") {
			break
		}
		last++
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

func splitLines(text []byte) []string {
	s := string(text)
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

func joinLines(lines []string) []byte {
	return []byte(strings.Join(lines, "\n") + "\n")
}
