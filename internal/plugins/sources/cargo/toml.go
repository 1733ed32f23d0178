package cargo

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// table is a TOML table that keeps its keys in the order they were
// defined. Values are string, rawValue (numbers, booleans and dates,
// kept as written), []any (arrays; arrays of tables hold *table values)
// or *table.
type table struct {
	keys   []string
	vals   map[string]any
	inline bool // an inline table, or defined only by dotted keys
	array  bool // an array-of-tables element
	header bool // defined by a [header]
}

// rawValue is a TOML number, boolean or date-time as written.
type rawValue string

func newTable() *table { return &table{vals: map[string]any{}} }

func (t *table) get(key string) (any, bool) {
	if t == nil {
		return nil, false
	}
	v, ok := t.vals[key]
	return v, ok
}

func (t *table) set(key string, v any) {
	if _, ok := t.vals[key]; !ok {
		t.keys = append(t.keys, key)
	}
	t.vals[key] = v
}

func (t *table) remove(key string) {
	if _, ok := t.vals[key]; !ok {
		return
	}
	delete(t.vals, key)
	for i, k := range t.keys {
		if k == key {
			t.keys = append(t.keys[:i], t.keys[i+1:]...)
			break
		}
	}
}

// str returns a string value, "" when absent or of another type.
func (t *table) str(key string) string {
	if t == nil {
		return ""
	}
	s, _ := t.vals[key].(string)
	return s
}

// sub returns a sub-table, nil when absent or of another type.
func (t *table) sub(key string) *table {
	if t == nil {
		return nil
	}
	s, _ := t.vals[key].(*table)
	return s
}

// tomlError is a syntax error at a line.
type tomlError struct {
	line int
	msg  string
}

func (e *tomlError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

type tomlParser struct {
	src  string
	pos  int
	line int
}

// parseTOML parses a TOML document (the subset Cargo.toml and Cargo.lock
// files use, which is nearly all of TOML 1.0).
func parseTOML(src string) (*table, error) {
	p := &tomlParser{src: src, line: 1}
	root := newTable()
	cur := root
	for {
		p.skipBlank()
		if p.eof() {
			return root, nil
		}
		switch p.peek() {
		case '[':
			t, err := p.header(root)
			if err != nil {
				return nil, err
			}
			cur = t
		default:
			if err := p.keyValue(cur); err != nil {
				return nil, err
			}
		}
		if err := p.endOfLine(); err != nil {
			return nil, err
		}
	}
}

func (p *tomlParser) errorf(format string, args ...any) error {
	return &tomlError{line: p.line, msg: fmt.Sprintf(format, args...)}
}

func (p *tomlParser) eof() bool  { return p.pos >= len(p.src) }
func (p *tomlParser) peek() byte { return p.src[p.pos] }

// skipSpace skips spaces and tabs.
func (p *tomlParser) skipSpace() {
	for !p.eof() && (p.peek() == ' ' || p.peek() == '\t') {
		p.pos++
	}
}

// skipBlank skips whitespace, newlines and comments.
func (p *tomlParser) skipBlank() {
	for !p.eof() {
		switch c := p.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			p.pos++
		case c == '\n':
			p.pos++
			p.line++
		case c == '#':
			for !p.eof() && p.peek() != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

// endOfLine expects only a comment before the next newline.
func (p *tomlParser) endOfLine() error {
	p.skipSpace()
	if !p.eof() && p.peek() == '#' {
		for !p.eof() && p.peek() != '\n' {
			p.pos++
		}
	}
	if !p.eof() && p.peek() == '\r' {
		p.pos++
	}
	if p.eof() {
		return nil
	}
	if p.peek() != '\n' {
		return p.errorf("expected the end of the line, found %q", p.peek())
	}
	p.pos++
	p.line++
	return nil
}

// header reads [a.b] or [[a.b]] and returns the table it opens.
func (p *tomlParser) header(root *table) (*table, error) {
	p.pos++
	array := !p.eof() && p.peek() == '['
	if array {
		p.pos++
	}
	p.skipSpace()
	path, err := p.key()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	closing := "]"
	if array {
		closing = "]]"
	}
	if !strings.HasPrefix(p.src[p.pos:], closing) {
		return nil, p.errorf("expected %s", closing)
	}
	p.pos += len(closing)
	t := root
	for i, k := range path {
		last := i == len(path)-1
		v, ok := t.get(k)
		switch {
		case last && array:
			arr, _ := v.([]any)
			if ok && (arr == nil || !isTableArray(arr)) {
				return nil, p.errorf("%s is not an array of tables", strings.Join(path, "."))
			}
			nt := newTable()
			nt.array, nt.header = true, true
			t.set(k, append(arr, nt))
			return nt, nil
		case !ok:
			nt := newTable()
			nt.header = last
			t.set(k, nt)
			t = nt
		default:
			switch x := v.(type) {
			case *table:
				if last {
					x.header = true
				}
				t = x
			case []any:
				if !isTableArray(x) || len(x) == 0 {
					return nil, p.errorf("%s is not a table", strings.Join(path[:i+1], "."))
				}
				t = x[len(x)-1].(*table)
			default:
				return nil, p.errorf("%s is not a table", strings.Join(path[:i+1], "."))
			}
		}
	}
	return t, nil
}

func isTableArray(a []any) bool {
	for _, v := range a {
		if t, ok := v.(*table); !ok || !t.array {
			return false
		}
	}
	return true
}

// keyValue reads key = value into t.
func (p *tomlParser) keyValue(t *table) error {
	path, err := p.key()
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.eof() || p.peek() != '=' {
		return p.errorf("expected '=' after key %s", strings.Join(path, "."))
	}
	p.pos++
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return err
	}
	for _, k := range path[:len(path)-1] {
		sub, ok := t.get(k)
		if !ok {
			nt := newTable()
			nt.inline = true // defined by dotted keys
			t.set(k, nt)
			t = nt
			continue
		}
		st, ok := sub.(*table)
		if !ok {
			return p.errorf("%s is not a table", k)
		}
		t = st
	}
	last := path[len(path)-1]
	if _, dup := t.get(last); dup {
		return p.errorf("duplicate key %s", strings.Join(path, "."))
	}
	t.set(last, v)
	return nil
}

// key reads a possibly dotted key.
func (p *tomlParser) key() ([]string, error) {
	var path []string
	for {
		p.skipSpace()
		if p.eof() {
			return nil, p.errorf("expected a key")
		}
		var k string
		var err error
		switch p.peek() {
		case '"':
			k, err = p.basicString()
		case '\'':
			k, err = p.literalString()
		default:
			start := p.pos
			for !p.eof() && isBareKeyChar(p.peek()) {
				p.pos++
			}
			if p.pos == start {
				return nil, p.errorf("invalid key character %q", p.peek())
			}
			k = p.src[start:p.pos]
		}
		if err != nil {
			return nil, err
		}
		path = append(path, k)
		p.skipSpace()
		if p.eof() || p.peek() != '.' {
			return path, nil
		}
		p.pos++
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value reads one value.
func (p *tomlParser) value() (any, error) {
	if p.eof() {
		return nil, p.errorf("expected a value")
	}
	switch c := p.peek(); {
	case strings.HasPrefix(p.src[p.pos:], `"""`):
		return p.multilineBasic()
	case strings.HasPrefix(p.src[p.pos:], `'''`):
		return p.multilineLiteral()
	case c == '"':
		return p.basicString()
	case c == '\'':
		return p.literalString()
	case c == '[':
		return p.array()
	case c == '{':
		return p.inlineTable()
	}
	start := p.pos
	for !p.eof() {
		c := p.peek()
		if c == ',' || c == ']' || c == '}' || c == '#' || c == '\n' || c == '\r' {
			break
		}
		// A date and time may be separated by one space.
		if c == ' ' || c == '\t' {
			rest := p.src[p.pos+1:]
			if c == ' ' && len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9' && looksLikeDate(p.src[start:p.pos]) {
				p.pos++
				continue
			}
			break
		}
		p.pos++
	}
	raw := p.src[start:p.pos]
	if raw == "" {
		return nil, p.errorf("expected a value")
	}
	return rawValue(raw), nil
}

func looksLikeDate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-'
}

func (p *tomlParser) array() (any, error) {
	p.pos++ // [
	out := []any{}
	for {
		p.skipBlank()
		if p.eof() {
			return nil, p.errorf("unterminated array")
		}
		if p.peek() == ']' {
			p.pos++
			return out, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if t, ok := v.(*table); ok {
			t.array = false
		}
		out = append(out, v)
		p.skipBlank()
		if p.eof() {
			return nil, p.errorf("unterminated array")
		}
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
		default:
			return nil, p.errorf("expected ',' or ']' in an array, found %q", p.peek())
		}
	}
}

func (p *tomlParser) inlineTable() (any, error) {
	p.pos++ // {
	t := newTable()
	t.inline = true
	p.skipSpace()
	if !p.eof() && p.peek() == '}' {
		p.pos++
		return t, nil
	}
	for {
		p.skipSpace()
		if err := p.keyValue(t); err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.eof() {
			return nil, p.errorf("unterminated inline table")
		}
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return t, nil
		default:
			return nil, p.errorf("expected ',' or '}' in an inline table, found %q", p.peek())
		}
	}
}

func (p *tomlParser) basicString() (string, error) {
	p.pos++ // "
	var b strings.Builder
	for {
		if p.eof() || p.peek() == '\n' {
			return "", p.errorf("unterminated string")
		}
		c := p.peek()
		if c == '"' {
			p.pos++
			return b.String(), nil
		}
		if c == '\\' {
			if err := p.escape(&b); err != nil {
				return "", err
			}
			continue
		}
		b.WriteByte(c)
		p.pos++
	}
}

func (p *tomlParser) escape(b *strings.Builder) error {
	p.pos++ // backslash
	if p.eof() {
		return p.errorf("unterminated escape")
	}
	c := p.peek()
	p.pos++
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case 'e':
		b.WriteByte(0x1b)
	case '"':
		b.WriteByte('"')
	case '\\':
		b.WriteByte('\\')
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if p.pos+n > len(p.src) {
			return p.errorf("short unicode escape")
		}
		v, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
		if err != nil || !utf8.ValidRune(rune(v)) {
			return p.errorf("invalid unicode escape")
		}
		b.WriteRune(rune(v))
		p.pos += n
	default:
		return p.errorf("invalid escape \\%c", c)
	}
	return nil
}

func (p *tomlParser) literalString() (string, error) {
	p.pos++ // '
	start := p.pos
	for {
		if p.eof() || p.peek() == '\n' {
			return "", p.errorf("unterminated string")
		}
		if p.peek() == '\'' {
			s := p.src[start:p.pos]
			p.pos++
			return s, nil
		}
		p.pos++
	}
}

func (p *tomlParser) multilineBasic() (string, error) {
	p.pos += 3
	p.skipFirstNewline()
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.errorf("unterminated string")
		}
		if strings.HasPrefix(p.src[p.pos:], `"""`) {
			// Up to two quotes may end the content.
			extra := 0
			for extra < 2 && strings.HasPrefix(p.src[p.pos+3+extra:], `"`) {
				extra++
			}
			b.WriteString(strings.Repeat(`"`, extra))
			p.pos += 3 + extra
			return b.String(), nil
		}
		c := p.peek()
		if c == '\\' {
			// A line-ending backslash trims the whitespace that follows.
			j := p.pos + 1
			for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t' || p.src[j] == '\r') {
				j++
			}
			if j < len(p.src) && p.src[j] == '\n' {
				p.pos = j
				for !p.eof() && (p.peek() == ' ' || p.peek() == '\t' || p.peek() == '\r' || p.peek() == '\n') {
					if p.peek() == '\n' {
						p.line++
					}
					p.pos++
				}
				continue
			}
			if err := p.escape(&b); err != nil {
				return "", err
			}
			continue
		}
		if c == '\n' {
			p.line++
		}
		b.WriteByte(c)
		p.pos++
	}
}

func (p *tomlParser) multilineLiteral() (string, error) {
	p.pos += 3
	p.skipFirstNewline()
	start := p.pos
	i := strings.Index(p.src[p.pos:], `'''`)
	if i < 0 {
		return "", p.errorf("unterminated string")
	}
	end := p.pos + i
	// Up to two quotes may end the content.
	for extra := 0; extra < 2 && end+3 < len(p.src) && p.src[end+3] == '\''; extra++ {
		end++
	}
	s := p.src[start:end]
	p.line += strings.Count(s, "\n")
	p.pos = end + 3
	return s, nil
}

func (p *tomlParser) skipFirstNewline() {
	if strings.HasPrefix(p.src[p.pos:], "\r\n") {
		p.pos += 2
		p.line++
	} else if strings.HasPrefix(p.src[p.pos:], "\n") {
		p.pos++
		p.line++
	}
}

// formatTOML writes t as a TOML document: each table's plain values,
// then its sub-tables under [headers] and its arrays of tables under
// [[headers]]; tables inside arrays are written inline.
func formatTOML(t *table) string {
	var b strings.Builder
	writeTableBody(&b, t, nil)
	return strings.TrimPrefix(b.String(), "\n")
}

func writeTableBody(b *strings.Builder, t *table, path []string) {
	var subs []string
	for _, k := range t.keys {
		v := t.vals[k]
		if isSubTable(v) {
			subs = append(subs, k)
			continue
		}
		b.WriteString(formatKey(k))
		b.WriteString(" = ")
		b.WriteString(formatValue(v))
		b.WriteString("\n")
	}
	for _, k := range subs {
		p := append(append([]string(nil), path...), k)
		switch v := t.vals[k].(type) {
		case *table:
			// A table holding only tables needs no header of its own.
			if hasPlainValues(v) || !hasSubTables(v) {
				b.WriteString("\n[" + formatPath(p) + "]\n")
			}
			writeTableBody(b, v, p)
		case []any:
			for _, e := range v {
				b.WriteString("\n[[" + formatPath(p) + "]]\n")
				writeTableBody(b, e.(*table), p)
			}
		}
	}
}

// isSubTable reports whether v is written under a header of its own.
func isSubTable(v any) bool {
	if st, ok := v.(*table); ok {
		return !st.inline
	}
	a, ok := v.([]any)
	return ok && len(a) > 0 && isTableArray(a)
}

func hasPlainValues(t *table) bool {
	for _, k := range t.keys {
		if !isSubTable(t.vals[k]) {
			return true
		}
	}
	return false
}

func hasSubTables(t *table) bool {
	for _, k := range t.keys {
		if isSubTable(t.vals[k]) {
			return true
		}
	}
	return false
}

func formatPath(p []string) string {
	parts := make([]string, len(p))
	for i, k := range p {
		parts[i] = formatKey(k)
	}
	return strings.Join(parts, ".")
}

func formatKey(k string) string {
	if k == "" {
		return `""`
	}
	for i := 0; i < len(k); i++ {
		if !isBareKeyChar(k[i]) {
			return formatString(k)
		}
	}
	return k
}

func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return formatString(x)
	case rawValue:
		return string(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *table:
		parts := make([]string, 0, len(x.keys))
		for _, k := range x.keys {
			parts = append(parts, formatKey(k)+" = "+formatValue(x.vals[k]))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	return fmt.Sprintf("%q", fmt.Sprint(v))
}

func formatString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
