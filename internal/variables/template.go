package variables

import "strings"

// Template is a parsed value: literal text interleaved with variable
// references. Templates are immutable and shared; get them from a [Parser].
type Template struct {
	src string
	// lits has len(names)+1 entries: lits[0] names[0] lits[1] ... names[n-1] lits[n].
	// Both are nil for a template without references. All are substrings of src.
	lits   []string
	names  []string
	litLen int // total length of lits
}

// String returns the source text.
func (t *Template) String() string { return t.src }

// IsLiteral reports whether the template has no variable references.
func (t *Template) IsLiteral() bool { return len(t.names) == 0 }

// Refs returns the referenced variable names in order of appearance,
// duplicates included. The caller must not modify the result.
func (t *Template) Refs() []string { return t.names }

// Literals returns the literal pieces around the references: one more than
// len(Refs()), possibly empty strings. For a template without references it
// is the whole source. The caller must not modify the result.
func (t *Template) Literals() []string {
	if t.lits == nil {
		return []string{t.src}
	}
	return t.lits
}

// parseTemplate splits s at every match of BuildStream's
// %\{([a-zA-Z][a-zA-Z0-9_-]*)\} (leftmost, non-overlapping, as re.split).
func parseTemplate(s string) *Template {
	t := &Template{src: s}
	lit := 0 // start of the pending literal
	for i := 0; ; {
		j := strings.Index(s[i:], "%{")
		if j < 0 {
			break
		}
		start := i + j
		end := matchRef(s, start+2)
		if end < 0 {
			i = start + 1
			continue
		}
		t.lits = append(t.lits, s[lit:start])
		t.names = append(t.names, s[start+2:end])
		lit = end + 1
		i = lit
	}
	if t.names == nil {
		t.litLen = len(s)
		return t
	}
	t.lits = append(t.lits, s[lit:])
	for _, l := range t.lits {
		t.litLen += len(l)
	}
	return t
}

// matchRef returns the index of the closing brace of a name starting at i,
// or -1 if s[i:] does not start with a valid name followed by "}".
func matchRef(s string, i int) int {
	if i >= len(s) || !isLetter(s[i]) {
		return -1
	}
	for i++; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '}':
			return i
		case isLetter(c), c >= '0' && c <= '9', c == '_', c == '-':
		default:
			return -1
		}
	}
	return -1
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// expand concatenates the template with the given reference values
// (vals[i] for names[i]). It does not allocate for a lone reference.
func (t *Template) expand(vals []string) string {
	if t.names == nil {
		return t.src
	}
	if t.litLen == 0 && len(t.names) == 1 {
		return vals[0]
	}
	n := t.litLen
	for _, v := range vals {
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	for i, v := range vals {
		b.WriteString(t.lits[i])
		b.WriteString(v)
	}
	b.WriteString(t.lits[len(t.names)])
	return b.String()
}
