package yamlnode

import (
	"unicode/utf8"

	"example.org/bst/internal/bsterr"
)

// fastParser reads the simple subset of YAML that BuildStream projects are
// written in (block mappings and sequences, one-line plain and quoted
// scalars, literal and folded block scalars, one-line flow collections of
// scalars, comments) straight into nodes, without yaml.v3's token and event
// layers.
//
// It never reports errors: whenever it meets something it does not handle
// exactly as yaml.v3 and the converter would (anchors, tags, multi-line
// plain or quoted scalars, tabs in indentation, duplicate keys, anything
// malformed), it gives up and Parse takes the yaml.v3 path, which keeps
// every behaviour and message. What it returns is deeply equal to what the
// yaml.v3 path returns, provenance included; the differential tests and
// FuzzFastParse check that.
//
// Every node method starts at the first character of the node and ends on
// the first content character of the next significant line (not blank, not
// only a comment), or at the end of the input.
type fastParser struct {
	s         string
	file      string
	pos       int // current offset in s
	line      int // 1-based line of pos
	lineStart int // offset of the start of that line
	depth     int
	keys      []string // keys of the mappings being parsed
	vals      []Node   // values and items of the collections being parsed
	buf       []byte   // scratch for scalars that need unescaping

	// Slabs the nodes and their key and value slices are cut from, a
	// few hundred at a time rather than one by one, as the converter's
	// scalars.
	scalars   []Scalar
	mappings  []Mapping
	sequences []Sequence
	keySlab   []string
	valSlab   []Node
}

// fastMark is a position saved to locate a node later.
type fastMark struct{ pos, line, lineStart int }

// maxFastDepth bounds nesting; deeper documents take the yaml.v3 path,
// which reports the converter's "nesting too deep".
const maxFastDepth = 200

// fastParse parses data as Parse would, or reports false when the
// document is outside the subset it handles with certainty.
func fastParse(data []byte, file string) (*Mapping, bool) {
	p := fastParser{file: file, line: 1}
	return p.parse(data)
}

func (p *fastParser) parse(data []byte) (*Mapping, bool) {
	if !fastPlainText(data) {
		return nil, false
	}
	p.s = string(data)
	if !p.nextSignificant() {
		return nil, false
	}
	if p.eof() {
		return NewMapping(bsterr.Provenance{File: p.file, Line: 1}), true
	}
	if _, _, st := p.scanKey(p.pos); st != keyFound {
		return nil, false
	}
	m, ok := p.blockMapping(p.col())
	if !ok || !p.eof() {
		return nil, false
	}
	return m.(*Mapping), true
}

// fastPlainText reports whether data is UTF-8 without a byte order mark,
// carriage returns, other line breaks than \n (NEL, LS, PS) or characters
// YAML does not allow, so that lines and columns are simple to count.
func fastPlainText(data []byte) bool {
	ascii := true
	for _, b := range data {
		if b < 0x20 && b != '\n' && b != '\t' || b == 0x7f {
			return false
		}
		if b >= 0x80 {
			ascii = false
		}
	}
	if ascii {
		return true
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return false
		}
		if r >= 0x80 && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size
	}
	return true
}

func (p *fastParser) eof() bool { return p.pos >= len(p.s) }

// col is the column of pos; only used at the start of a line's content,
// where everything before it is spaces (or "- " indicators).
func (p *fastParser) col() int { return p.pos - p.lineStart }

func (p *fastParser) mark() fastMark { return fastMark{p.pos, p.line, p.lineStart} }

// prov locates m as the converter does: 1-based line, column in
// characters from the start of the line.
func (p *fastParser) prov(m fastMark) bsterr.Provenance {
	col := m.pos - m.lineStart
	for i := m.lineStart; i < m.pos; i++ {
		if p.s[i] >= 0x80 {
			col = utf8.RuneCountInString(p.s[m.lineStart:m.pos])
			break
		}
	}
	return bsterr.Provenance{File: p.file, Line: int32(m.line), Col: int32(col)}
}

func (p *fastParser) newScalar(v string, null bool, m fastMark) *Scalar {
	if len(p.scalars) == cap(p.scalars) {
		p.scalars = make([]Scalar, 0, slabSize(cap(p.scalars)))
	}
	p.scalars = p.scalars[:len(p.scalars)+1]
	s := &p.scalars[len(p.scalars)-1]
	s.Value, s.Null, s.P = v, null, p.prov(m)
	return s
}

// slabSize is the size of the next slab after one of size prev: they
// double from 16 to 512, so that small files allocate little and large
// ones few times.
func slabSize(prev int) int {
	return min(max(2*prev, 16), 512)
}

func (p *fastParser) newMapping(m fastMark) *Mapping {
	if len(p.mappings) == cap(p.mappings) {
		p.mappings = make([]Mapping, 0, slabSize(cap(p.mappings)))
	}
	p.mappings = p.mappings[:len(p.mappings)+1]
	n := &p.mappings[len(p.mappings)-1]
	n.P = p.prov(m)
	return n
}

func (p *fastParser) newSequence(m fastMark) *Sequence {
	if len(p.sequences) == cap(p.sequences) {
		p.sequences = make([]Sequence, 0, slabSize(cap(p.sequences)))
	}
	p.sequences = p.sequences[:len(p.sequences)+1]
	n := &p.sequences[len(p.sequences)-1]
	n.P = p.prov(m)
	return n
}

// takeKeys moves the keys stacked since base to a slice of the key slab
// (never nil, and full, so that appending to it copies).
func (p *fastParser) takeKeys(base int) []string {
	n := len(p.keys) - base
	if p.keySlab == nil || cap(p.keySlab)-len(p.keySlab) < n {
		p.keySlab = make([]string, 0, max(n, slabSize(cap(p.keySlab))))
	}
	l := len(p.keySlab)
	p.keySlab = append(p.keySlab, p.keys[base:]...)
	p.keys = p.keys[:base]
	return p.keySlab[l : l+n : l+n]
}

// takeVals does for the stacked values what takeKeys does for keys.
func (p *fastParser) takeVals(base int) []Node {
	n := len(p.vals) - base
	if p.valSlab == nil || cap(p.valSlab)-len(p.valSlab) < n {
		p.valSlab = make([]Node, 0, max(n, slabSize(cap(p.valSlab))))
	}
	l := len(p.valSlab)
	p.valSlab = append(p.valSlab, p.vals[base:]...)
	clear(p.vals[base:])
	p.vals = p.vals[:base]
	return p.valSlab[l : l+n : l+n]
}

// at returns the byte at i, or 0 past the end.
func (p *fastParser) at(i int) byte {
	if i < len(p.s) {
		return p.s[i]
	}
	return 0
}

// blankz reports whether the byte at i ends a token in block context: a
// space, tab, line break or the end of the input.
func (p *fastParser) blankz(i int) bool {
	c := p.at(i)
	return c == ' ' || c == '\t' || c == '\n' || c == 0
}

// newLine moves to the start of the line after the line break at pos.
func (p *fastParser) newLine() {
	p.pos++
	p.line++
	p.lineStart = p.pos
}

// nextSignificant moves from the start of a line to the first content
// character of the next line that is neither blank nor only a comment.
// It refuses tabs in indentation and document markers.
func (p *fastParser) nextSignificant() bool {
	for p.pos < len(p.s) {
		for p.pos < len(p.s) && p.s[p.pos] == ' ' {
			p.pos++
		}
		switch p.at(p.pos) {
		case '\n':
			p.newLine()
			continue
		case 0:
			return true
		case '\t':
			return false
		case '#':
			p.skipComment()
			continue
		case '-', '.':
			if p.pos == p.lineStart && p.isDocumentMarker() {
				return false
			}
		}
		return true
	}
	return true
}

func (p *fastParser) isDocumentMarker() bool {
	c := p.at(p.pos)
	return p.at(p.pos+1) == c && p.at(p.pos+2) == c && p.blankz(p.pos+3)
}

// skipComment skips to the start of the next line.
func (p *fastParser) skipComment() {
	for p.pos < len(p.s) && p.s[p.pos] != '\n' {
		p.pos++
	}
	if p.pos < len(p.s) {
		p.newLine()
	}
}

// finishLine accepts only spaces and a comment after a node's last
// character, then moves to the next significant line.
func (p *fastParser) finishLine() bool {
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
	switch p.at(p.pos) {
	case '\n':
		p.newLine()
	case 0:
	case '#':
		if p.pos == start {
			return false
		}
		p.skipComment()
	default:
		return false
	}
	return p.nextSignificant()
}

func (p *fastParser) enter() bool {
	p.depth++
	return p.depth <= maxFastDepth
}

// isEntry reports whether pos is a block sequence entry indicator.
func (p *fastParser) isEntry() bool { return p.at(p.pos) == '-' && p.blankz(p.pos+1) }

// node parses the node whose first character is at pos, in column col of
// its line, inside a collection at indentation n (n < col).
func (p *fastParser) node(n int) (Node, bool) {
	if p.isEntry() {
		return p.blockSequence(p.col(), false)
	}
	switch _, _, st := p.scanKey(p.pos); st {
	case keyFound:
		return p.blockMapping(p.col())
	case keyBad:
		return nil, false
	}
	return p.scalar(n)
}

// blockMapping parses a block mapping whose first key is at pos, in
// column col.
func (p *fastParser) blockMapping(col int) (Node, bool) {
	if !p.enter() {
		return nil, false
	}
	defer func() { p.depth-- }()
	m := p.newMapping(p.mark())
	base, vbase := len(p.keys), len(p.vals)
	for {
		key, after, st := p.scanKey(p.pos)
		if st != keyFound || key == "<<" {
			return nil, false
		}
		for _, k := range p.keys[base:] {
			if k == key {
				return nil, false
			}
		}
		p.pos = after
		v, ok := p.mappingValue(col)
		if !ok {
			return nil, false
		}
		p.keys = append(p.keys, key)
		p.vals = append(p.vals, v)
		if p.eof() || p.col() < col {
			break
		}
		if p.col() > col {
			return nil, false
		}
	}
	m.Keys, m.Vals = p.takeKeys(base), p.takeVals(vbase)
	return m, true
}

// mappingValue parses the value after a key's ':' (at pos) in a mapping
// at column col.
func (p *fastParser) mappingValue(col int) (Node, bool) {
	colon := p.mark()
	for p.at(p.pos) == ' ' {
		p.pos++
	}
	switch c := p.at(p.pos); {
	case c == '\n' || c == 0 || c == '#':
		p.pos = colon.pos
		if !p.finishLine() {
			return nil, false
		}
		switch {
		case p.eof() || p.col() < col:
		case p.col() > col:
			return p.node(col)
		case p.isEntry():
			return p.blockSequence(col, true)
		}
		return p.newScalar("", true, colon), true
	case c == '-' && p.blankz(p.pos+1):
		return nil, false
	}
	return p.scalar(col)
}

// blockSequence parses a block sequence whose first '-' is at pos, in
// column col; indentless is a sequence at its parent key's indentation.
func (p *fastParser) blockSequence(col int, indentless bool) (Node, bool) {
	if !p.enter() {
		return nil, false
	}
	defer func() { p.depth-- }()
	seq := p.newSequence(p.mark())
	base := len(p.vals)
	for {
		p.pos++
		dashEnd := p.mark()
		for p.at(p.pos) == ' ' {
			p.pos++
		}
		var item Node
		if c := p.at(p.pos); c == '\n' || c == 0 || c == '#' {
			p.pos = dashEnd.pos
			if !p.finishLine() {
				return nil, false
			}
			if !p.eof() && p.col() > col {
				var ok bool
				if item, ok = p.node(col); !ok {
					return nil, false
				}
			} else {
				item = p.newScalar("", true, dashEnd)
			}
		} else {
			var ok bool
			if item, ok = p.node(col); !ok {
				return nil, false
			}
		}
		p.vals = append(p.vals, item)
		if p.eof() || p.col() < col {
			break
		}
		if p.col() > col {
			return nil, false
		}
		if !p.isEntry() {
			if indentless {
				break
			}
			return nil, false
		}
	}
	seq.Items = p.takeVals(base)
	return seq, true
}

// scalar parses a scalar or a one-line flow collection at pos, in a
// collection at indentation n, and moves to the next significant line.
func (p *fastParser) scalar(n int) (Node, bool) {
	start := p.mark()
	var v string
	var ok bool
	switch c := p.at(p.pos); c {
	case '|', '>':
		return p.blockScalar(n)
	case '[', '{':
		var node Node
		if node, ok = p.flow(); !ok || !p.finishLine() {
			return nil, false
		}
		return node, true
	case '\'':
		v, p.pos, ok = p.singleQuoted(p.pos)
	case '"':
		v, p.pos, ok = p.doubleQuoted(p.pos)
	default:
		if !p.plainStart(p.pos) {
			return nil, false
		}
		if v, ok = p.plain(n); v == "<<" {
			return nil, false
		}
	}
	if !ok || !p.finishLine() {
		return nil, false
	}
	return p.newScalar(v, false, start), true
}

// plain reads a plain scalar at pos in block context, inside a
// collection at indentation n, and leaves pos after its last non-blank
// character. Lines indented deeper than n continue it, folded as yaml.v3
// folds them: a space between two lines, a line break for each blank line.
func (p *fastParser) plain(n int) (string, bool) {
	end, colon := p.scanPlain(p.pos)
	if colon >= 0 {
		return "", false
	}
	v := p.s[p.pos:end]
	p.pos = end
	var b []byte
	folded := false
	for {
		i := p.pos
		for p.at(i) == ' ' {
			i++
		}
		if p.at(i) != '\n' {
			break // a comment or the end of the input ends the scalar
		}
		ls, line, breaks := i+1, p.line+1, 0
		k := ls
		for {
			for p.at(k) == ' ' {
				k++
			}
			if p.at(k) != '\n' {
				break
			}
			breaks++
			k++
			ls, line = k, line+1
		}
		if c := p.at(k); c == '\t' {
			return "", false
		} else if c == 0 || c == '#' || k-ls <= n {
			break
		}
		e, colon := p.scanPlain(k)
		if colon >= 0 {
			return "", false
		}
		if !folded {
			b, folded = append(p.buf[:0], v...), true
		}
		if breaks == 0 {
			b = append(b, ' ')
		} else {
			b = appendBreaks(b, breaks)
		}
		b = append(b, p.s[k:e]...)
		p.pos, p.line, p.lineStart = e, line, ls
	}
	if folded {
		p.buf = b
		v = string(b)
	}
	return v, true
}

// plainStart reports whether a plain scalar may start at i in block
// context: not an indicator, except '-' before a non-blank.
func (p *fastParser) plainStart(i int) bool {
	switch c := p.at(i); c {
	case '-':
		return !p.blankz(i + 1)
	case 0, ' ', '\t', '\n', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	return true
}

// scanPlain scans a one-line plain scalar in block context starting at i.
// It returns the end of its last non-blank character and, when a ':'
// followed by a blank ends it, the offset of that ':' (else -1). A tab
// makes it return colon = i, so that callers give up.
func (p *fastParser) scanPlain(i int) (end, colon int) {
	end = i
	for i < len(p.s) {
		switch p.s[i] {
		case '\n':
			return end, -1
		case '\t':
			return end, i
		case ' ':
			j := i
			for j < len(p.s) && p.s[j] == ' ' {
				j++
			}
			if j == len(p.s) || p.s[j] == '\n' || p.s[j] == '#' {
				return end, -1
			}
			i = j
			continue
		case ':':
			if p.blankz(i + 1) {
				return end, i
			}
		}
		i++
		end = i
	}
	return end, -1
}

// Results of scanKey.
const (
	keyNone  = iota // not a simple key: a scalar, or something else
	keyFound        // a key and its ':'
	keyBad          // something to leave to yaml.v3
)

// scanKey looks for a simple key at i followed by ':' and a blank on the
// same line; it returns the key and the offset just after the ':'.
func (p *fastParser) scanKey(i int) (key string, after int, status int) {
	start := i
	switch p.at(i) {
	case '\'', '"':
		var ok bool
		if p.at(i) == '\'' {
			key, i, ok = p.singleQuoted(i)
		} else {
			key, i, ok = p.doubleQuoted(i)
		}
		if !ok {
			return "", 0, keyBad
		}
		for p.at(i) == ' ' {
			i++
		}
		if p.at(i) != ':' {
			return "", 0, keyNone
		}
		if !p.blankz(i + 1) {
			return "", 0, keyBad
		}
	default:
		if !p.plainStart(i) {
			return "", 0, keyNone
		}
		var end int
		end, i = p.scanPlain(i)
		if i < 0 {
			return "", 0, keyNone
		}
		if p.at(i) != ':' {
			return "", 0, keyBad
		}
		key = p.s[start:end]
	}
	if p.at(i+1) == '\t' || i-start > 1000 {
		// yaml.v3 gives up on simple keys longer than 1024 characters.
		return "", 0, keyBad
	}
	return key, i + 1, keyFound
}
