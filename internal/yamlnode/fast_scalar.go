package yamlnode

import (
	"strings"
	"unicode/utf8"
)

// The scalar readers of fastParser: quoted scalars on one line, block
// scalars, one-line flow collections of scalars. They follow yaml.v3's
// scanner (scannerc.go) for what they accept and give up on the rest.

// singleQuoted reads a single-quoted scalar that starts at i and ends on
// the same line; it returns the value and the offset after the quote.
func (p *fastParser) singleQuoted(i int) (string, int, bool) {
	start := i + 1
	escaped := false
	for j := start; j < len(p.s); j++ {
		switch p.s[j] {
		case '\n':
			return "", 0, false
		case '\'':
			if p.at(j+1) == '\'' {
				escaped = true
				j++
				continue
			}
			v := p.s[start:j]
			if escaped {
				v = strings.ReplaceAll(v, "''", "'")
			}
			return v, j + 1, true
		}
	}
	return "", 0, false
}

// doubleQuoted reads a double-quoted scalar that starts at i and ends on
// the same line, with yaml.v3's escapes; it returns the value and the
// offset after the quote. Escaped line breaks and invalid escapes are
// left to yaml.v3.
func (p *fastParser) doubleQuoted(i int) (string, int, bool) {
	start := i + 1
	j := start
	for ; j < len(p.s); j++ {
		c := p.s[j]
		if c == '"' {
			return p.s[start:j], j + 1, true
		}
		if c == '\n' {
			return "", 0, false
		}
		if c == '\\' {
			break
		}
	}
	if j >= len(p.s) {
		return "", 0, false
	}
	b := append(p.buf[:0], p.s[start:j]...)
	for j < len(p.s) {
		c := p.s[j]
		switch c {
		case '"':
			p.buf = b
			return string(b), j + 1, true
		case '\n':
			return "", 0, false
		case '\\':
			var ok bool
			if b, j, ok = p.escape(b, j); !ok {
				return "", 0, false
			}
			continue
		}
		b = append(b, c)
		j++
	}
	return "", 0, false
}

// escape appends the character the escape sequence at j stands for and
// returns the offset after it.
func (p *fastParser) escape(b []byte, j int) ([]byte, int, bool) {
	var r byte
	n := 0
	switch p.at(j + 1) {
	case '0':
		r = 0
	case 'a':
		r = '\a'
	case 'b':
		r = '\b'
	case 't', '\t':
		r = '\t'
	case 'n':
		r = '\n'
	case 'v':
		r = '\v'
	case 'f':
		r = '\f'
	case 'r':
		r = '\r'
	case 'e':
		r = 0x1b
	case ' ', '"', '\'', '\\':
		r = p.s[j+1]
	case 'N':
		return append(b, "\u0085"...), j + 2, true
	case '_':
		return append(b, "\u00a0"...), j + 2, true
	case 'L':
		return append(b, "\u2028"...), j + 2, true
	case 'P':
		return append(b, "\u2029"...), j + 2, true
	case 'x':
		n = 2
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return nil, 0, false
	}
	if n == 0 {
		return append(b, r), j + 2, true
	}
	v := 0
	for k := j + 2; k < j+2+n; k++ {
		c := p.at(k)
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 + int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 + int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 + int(c-'A'+10)
		default:
			return nil, 0, false
		}
	}
	if v >= 0xd800 && v <= 0xdfff || v > 0x10ffff {
		return nil, 0, false
	}
	return utf8.AppendRune(b, rune(v)), j + 2 + n, true
}

// flow reads a flow sequence or mapping of scalars ("[a, 'b']", "{}",
// "{k: v}") that ends on the same line; nested collections, empty or
// trailing entries and plain scalars with other than a few safe
// characters are left to yaml.v3.
func (p *fastParser) flow() (Node, bool) {
	if !p.enter() {
		return nil, false
	}
	defer func() { p.depth-- }()
	start := p.mark()
	closing := byte(']')
	if p.s[p.pos] == '{' {
		closing = '}'
	}
	p.pos++
	p.skipSpaces()
	kbase, vbase := len(p.keys), len(p.vals)
	if p.at(p.pos) != closing {
		for {
			if closing == '}' {
				kstart := p.pos
				k, ok := p.flowScalar()
				// yaml.v3 gives up on simple keys longer than 1024 characters.
				if !ok || k.Value == "<<" || p.at(p.pos) != ':' || p.at(p.pos+1) != ' ' || p.pos-kstart > 1000 {
					return nil, false
				}
				for _, key := range p.keys[kbase:] {
					if key == k.Value {
						return nil, false
					}
				}
				p.pos++
				p.skipSpaces()
				p.keys = append(p.keys, k.Value)
				p.scalars = p.scalars[:len(p.scalars)-1] // the key is no node
			}
			v, ok := p.flowScalar()
			if !ok {
				return nil, false
			}
			p.vals = append(p.vals, v)
			p.skipSpaces()
			if c := p.at(p.pos); c == closing {
				break
			} else if c != ',' {
				return nil, false
			}
			p.pos++
			p.skipSpaces()
			if p.at(p.pos) == closing {
				return nil, false
			}
		}
	}
	p.pos++
	if closing == ']' {
		seq := p.newSequence(start)
		seq.Items = p.takeVals(vbase)
		return seq, true
	}
	m := p.newMapping(start)
	m.Keys, m.Vals = p.takeKeys(kbase), p.takeVals(vbase)
	return m, true
}

func (p *fastParser) skipSpaces() {
	for p.at(p.pos) == ' ' {
		p.pos++
	}
}

// flowScalar reads a quoted scalar, or a plain scalar of safe characters,
// inside a flow collection.
func (p *fastParser) flowScalar() (*Scalar, bool) {
	start := p.mark()
	var v string
	var ok bool
	switch c := p.at(p.pos); {
	case c == '\'':
		v, p.pos, ok = p.singleQuoted(p.pos)
	case c == '"':
		v, p.pos, ok = p.doubleQuoted(p.pos)
	case flowSafe(c) && c != '-' && c != '%' && c != '@' || c == '-' && flowSafe(p.at(p.pos+1)):
		i := p.pos + 1
		for flowSafe(p.at(i)) {
			i++
		}
		v, p.pos, ok = p.s[p.pos:i], i, true
	}
	if !ok {
		return nil, false
	}
	return p.newScalar(v, false, start), true
}

// flowSafe reports whether c may appear in a plain scalar inside a flow
// collection without any doubt about where the scalar ends.
func flowSafe(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("_./+=~$()^%@-", c) >= 0 && c != 0
}

// blockScalar reads a literal (|) or folded (>) block scalar whose
// indicator is at pos, inside a collection at indentation n, as yaml.v3's
// yaml_parser_scan_block_scalar does; explicit indentation indicators are
// left to yaml.v3.
func (p *fastParser) blockScalar(n int) (Node, bool) {
	start := p.mark()
	literal := p.s[p.pos] == '|'
	p.pos++
	chomp := 0
	switch p.at(p.pos) {
	case '+':
		chomp = 1
		p.pos++
	case '-':
		chomp = -1
		p.pos++
	}
	if c := p.at(p.pos); c >= '0' && c <= '9' {
		return nil, false
	}
	p.skipSpaces()
	switch p.at(p.pos) {
	case '#':
		p.skipComment()
	case '\n':
		p.newLine()
	case 0:
	default:
		return nil, false
	}
	indent := 0
	b := p.buf[:0]
	leadingBreak, trailingBreaks := 0, 0
	if !p.blockBreaks(&indent, &trailingBreaks) {
		return nil, false
	}
	indent = max(indent, n+1, 1)
	leadingBlank := false
	for p.col() == indent && p.pos < len(p.s) {
		trailingBlank := p.s[p.pos] == ' ' || p.s[p.pos] == '\t'
		if !literal && !leadingBlank && !trailingBlank && leadingBreak > 0 {
			if trailingBreaks == 0 {
				b = append(b, ' ')
			}
		} else {
			b = appendBreaks(b, leadingBreak)
		}
		leadingBreak = 0
		b = appendBreaks(b, trailingBreaks)
		trailingBreaks = 0
		leadingBlank = trailingBlank
		eol := strings.IndexByte(p.s[p.pos:], '\n')
		if eol < 0 {
			b = append(b, p.s[p.pos:]...)
			p.pos = len(p.s)
		} else {
			b = append(b, p.s[p.pos:p.pos+eol]...)
			p.pos += eol
			leadingBreak = 1
			p.newLine()
		}
		if !p.blockBreaks(&indent, &trailingBreaks) {
			return nil, false
		}
	}
	if chomp != -1 {
		b = appendBreaks(b, leadingBreak)
	}
	if chomp == 1 {
		b = appendBreaks(b, trailingBreaks)
	}
	p.buf = b
	v := string(b)
	if !p.eof() {
		p.pos = p.lineStart // the line that ended the scalar
	}
	if !p.nextSignificant() {
		return nil, false
	}
	return p.newScalar(v, false, start), true
}

// blockBreaks eats indentation and empty lines in a block scalar; with
// *indent 0, it sets the longest indentation seen there (the caller
// applies the lower bounds).
func (p *fastParser) blockBreaks(indent, breaks *int) bool {
	maxIndent := 0
	for {
		for (*indent == 0 || p.col() < *indent) && p.at(p.pos) == ' ' {
			p.pos++
		}
		maxIndent = max(maxIndent, p.col())
		if (*indent == 0 || p.col() < *indent) && p.at(p.pos) == '\t' {
			return false
		}
		if p.at(p.pos) != '\n' {
			break
		}
		*breaks++
		p.newLine()
	}
	if *indent == 0 {
		*indent = maxIndent
	}
	return true
}

func appendBreaks(b []byte, n int) []byte {
	for range n {
		b = append(b, '\n')
	}
	return b
}
