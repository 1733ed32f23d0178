package options

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// BuildStream evaluates an expression by rendering this template.
const (
	templatePrefix = "{% if "
	templateSuffix = " %} True {% else %} False {% endif %}"
)

// Token types, named as jinja2 names them (describeToken relies on it).
const (
	tokName     = "name"
	tokString   = "string"
	tokInteger  = "integer"
	tokFloat    = "float"
	tokBlockEnd = "block_end"
	tokEOF      = "eof"
)

// operators maps operator text to jinja2's token type.
var operators = map[string]string{
	"+": "add", "-": "sub", "/": "div", "//": "floordiv", "*": "mul", "%": "mod",
	"**": "pow", "~": "tilde", "[": "lbracket", "]": "rbracket", "(": "lparen",
	")": "rparen", "{": "lbrace", "}": "rbrace", "==": "eq", "!=": "ne", ">": "gt",
	">=": "gteq", "<": "lt", "<=": "lteq", "=": "assign", ".": "dot", ":": "colon",
	"|": "pipe", ",": "comma", ";": "semicolon",
}

// operatorText is the reverse of operators.
var operatorText = func() map[string]string {
	m := make(map[string]string, len(operators))
	for k, v := range operators {
		m[v] = k
	}
	return m
}()

type token struct {
	typ  string
	val  string // name, operator text, or decoded string literal
	num  value  // integer and float literals
	line int
	// limit is set on an integer literal bst cannot represent; it is
	// reported once the expression has parsed.
	limit error
}

// describeToken is jinja2's describe_token.
func describeToken(t token) string {
	if t.typ == tokName {
		return t.val
	}
	return describeTokenType(t.typ)
}

func describeTokenType(typ string) string {
	if op, ok := operatorText[typ]; ok {
		return op
	}
	switch typ {
	case tokBlockEnd:
		return "end of statement block"
	case tokEOF:
		return "end of template"
	}
	return typ
}

// lexer tokenizes the template BuildStream builds around an expression,
// starting inside the "{% if" block, the way jinja2's lexer does: lazily,
// stopping at the first "%}" met outside brackets.
type lexer struct {
	src     string // the whole template, newlines normalized
	exprEnd int    // byte offset of the end of the expression in src
	pos     int
	line    int
	balance []byte // expected closing brackets
	done    bool
	// blockEnd is the byte range of the "%}" that ended the if tag, once seen.
	blockEndStart, blockEndStop int
}

func newLexer(expr string) *lexer {
	expr = normalizeNewlines(expr)
	src := templatePrefix + expr + templateSuffix
	return &lexer{src: src, exprEnd: len(templatePrefix) + len(expr), pos: len(templatePrefix), line: 1}
}

func normalizeNewlines(s string) string {
	if !strings.ContainsRune(s, '\r') {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// earlyEnd reports whether the if tag was closed inside the expression.
func (lx *lexer) earlyEnd() bool { return lx.blockEndStart < lx.exprEnd }

// next returns the next token.
func (lx *lexer) next() (token, error) {
	for {
		if lx.done || lx.pos >= len(lx.src) {
			lx.done = true
			return token{typ: tokEOF, line: lx.line}, nil
		}
		if len(lx.balance) == 0 {
			if n := lx.matchBlockEnd(); n > 0 {
				lx.blockEndStart, lx.blockEndStop = lx.pos, lx.pos+n
				lx.done = true
				t := token{typ: tokBlockEnd, line: lx.line}
				lx.advance(n)
				return t, nil
			}
		}
		if n := lx.matchSpace(lx.pos); n > 0 {
			lx.advance(n)
			continue
		}
		return lx.scanToken()
	}
}

func (lx *lexer) advance(n int) {
	lx.line += strings.Count(lx.src[lx.pos:lx.pos+n], "\n")
	lx.pos += n
}

func (lx *lexer) scanToken() (token, error) {
	start, line := lx.pos, lx.line
	if lx.pos == 0 || lx.src[lx.pos-1] != '.' {
		if n := lx.matchFloat(); n > 0 {
			text := strings.ReplaceAll(lx.src[start:start+n], "_", "")
			f, err := strconv.ParseFloat(text, 64)
			if err != nil && !isRangeErr(err) {
				return token{}, templateErr("invalid float literal %s", text)
			}
			lx.advance(n)
			return token{typ: tokFloat, num: floatValue(f), line: line}, nil
		}
	}
	if n := lx.matchInteger(); n > 0 {
		text := strings.ReplaceAll(lx.src[start:start+n], "_", "")
		i, err := strconv.ParseInt(text, 0, 64)
		lx.advance(n)
		t := token{typ: tokInteger, num: intValue(i), line: line}
		if err != nil {
			t.limit = &evalError{msg: "integer literal " + text + " too large (bst limits integers to 64 bits)", limit: true}
		}
		return t, nil
	}
	if n := lx.matchName(); n > 0 {
		name := lx.src[start : start+n]
		if !isIdentifier(name) {
			return token{}, templateErr("Invalid character in identifier")
		}
		lx.advance(n)
		return token{typ: tokName, val: name, line: line}, nil
	}
	if n := lx.matchString(); n > 0 {
		s, err := unescapeString(lx.src[start+1 : start+n-1])
		if err != nil {
			return token{}, err
		}
		lx.advance(n)
		return token{typ: tokString, val: s, line: line}, nil
	}
	if op := lx.matchOperator(); op != "" {
		if err := lx.balanceBrackets(op); err != nil {
			return token{}, err
		}
		lx.advance(len(op))
		return token{typ: operators[op], val: op, line: line}, nil
	}
	r, _ := utf8.DecodeRuneInString(lx.src[lx.pos:])
	return token{}, templateErr("unexpected char %s at %d", pyStrRepr(string(r)), utf8.RuneCountInString(lx.src[:lx.pos]))
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func (lx *lexer) balanceBrackets(op string) error {
	switch op {
	case "{":
		lx.balance = append(lx.balance, '}')
	case "(":
		lx.balance = append(lx.balance, ')')
	case "[":
		lx.balance = append(lx.balance, ']')
	case "}", ")", "]":
		if len(lx.balance) == 0 {
			return templateErr("unexpected '%s'", op)
		}
		want := lx.balance[len(lx.balance)-1]
		lx.balance = lx.balance[:len(lx.balance)-1]
		if want != op[0] {
			return templateErr("unexpected '%s', expected '%c'", op, want)
		}
	}
	return nil
}

// matchBlockEnd matches "+%}", "-%}" followed by whitespace, or "%}".
func (lx *lexer) matchBlockEnd() int {
	s := lx.src[lx.pos:]
	switch {
	case strings.HasPrefix(s, "+%}"):
		return 3
	case strings.HasPrefix(s, "-%}"):
		return 3 + lx.matchSpace(lx.pos+3)
	case strings.HasPrefix(s, "%}"):
		return 2
	}
	return 0
}

// matchSpace matches Python's \s+ at pos.
func (lx *lexer) matchSpace(pos int) int {
	i := pos
	for i < len(lx.src) {
		r, n := utf8.DecodeRuneInString(lx.src[i:])
		if !isPySpace(r) {
			break
		}
		i += n
	}
	return i - pos
}

func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// matchDigits matches (\d+_)*\d+ at i and returns the end, or -1.
func (lx *lexer) matchDigits(i int) int {
	if i >= len(lx.src) || !isDigit(lx.src[i]) {
		return -1
	}
	for {
		for i < len(lx.src) && isDigit(lx.src[i]) {
			i++
		}
		if i+1 < len(lx.src) && lx.src[i] == '_' && isDigit(lx.src[i+1]) {
			i++
			continue
		}
		return i
	}
}

// matchFloat matches jinja2's float_re.
func (lx *lexer) matchFloat() int {
	end := lx.matchDigits(lx.pos)
	if end < 0 {
		return 0
	}
	// Alternative 1: optional fraction, then a required exponent.
	i := end
	if i < len(lx.src) && lx.src[i] == '.' {
		if e := lx.matchDigits(i + 1); e >= 0 {
			i = e
		}
	}
	if e := lx.matchExponent(i); e >= 0 {
		return e - lx.pos
	}
	if e := lx.matchExponent(end); e >= 0 {
		return e - lx.pos
	}
	// Alternative 2: a required fraction.
	if end < len(lx.src) && lx.src[end] == '.' {
		if e := lx.matchDigits(end + 1); e >= 0 {
			return e - lx.pos
		}
	}
	return 0
}

func (lx *lexer) matchExponent(i int) int {
	if i >= len(lx.src) || (lx.src[i] != 'e' && lx.src[i] != 'E') {
		return -1
	}
	i++
	if i < len(lx.src) && (lx.src[i] == '+' || lx.src[i] == '-') {
		i++
	}
	return lx.matchDigits(i)
}

// matchInteger matches jinja2's integer_re.
func (lx *lexer) matchInteger() int {
	s := lx.src[lx.pos:]
	if len(s) == 0 || !isDigit(s[0]) {
		return 0
	}
	if len(s) > 1 && s[0] == '0' {
		var ok func(byte) bool
		switch s[1] {
		case 'b', 'B':
			ok = func(c byte) bool { return c == '0' || c == '1' }
		case 'o', 'O':
			ok = func(c byte) bool { return c >= '0' && c <= '7' }
		case 'x', 'X':
			ok = func(c byte) bool {
				return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
			}
		}
		if ok != nil {
			if n := matchUnderscored(s, 2, ok); n > 2 {
				return n
			}
		}
	}
	if s[0] != '0' {
		return matchUnderscored(s, 1, isDigit)
	}
	return matchUnderscored(s, 1, func(c byte) bool { return c == '0' })
}

// matchUnderscored matches (_?[ok])* in s from i and returns the end.
func matchUnderscored(s string, i int, ok func(byte) bool) int {
	for i < len(s) {
		switch {
		case ok(s[i]):
			i++
		case s[i] == '_' && i+1 < len(s) && ok(s[i+1]):
			i += 2
		default:
			return i
		}
	}
	return i
}

// matchName matches jinja2's name_re: a run of word characters (Python's
// \w, plus combining marks and connectors).
func (lx *lexer) matchName() int {
	i := lx.pos
	for i < len(lx.src) {
		r, n := utf8.DecodeRuneInString(lx.src[i:])
		if !isWordRune(r) {
			break
		}
		i += n
	}
	return i - lx.pos
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) ||
		unicode.In(r, unicode.Mn, unicode.Mc, unicode.Pc) || isOtherIDStart(r) || isOtherIDContinue(r)
}

func isOtherIDStart(r rune) bool {
	return r == '\u2118' || r == '\u212e' || r == '\u309b' || r == '\u309c'
}

func isOtherIDContinue(r rune) bool {
	return r == '\u00b7' || r == '\u0387' || (r >= '\u1369' && r <= '\u1371') || r == '\u19da'
}

// isIdentifier approximates Python's str.isidentifier.
func isIdentifier(s string) bool {
	for i, r := range s {
		start := r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || isOtherIDStart(r)
		if i == 0 && !start {
			return false
		}
		if !start && !unicode.In(r, unicode.Nd, unicode.Mn, unicode.Mc, unicode.Pc) && !isOtherIDContinue(r) {
			return false
		}
	}
	return s != ""
}

// matchString matches a single- or double-quoted string with backslash
// escapes, which may span lines.
func (lx *lexer) matchString() int {
	s := lx.src[lx.pos:]
	if len(s) == 0 || (s[0] != '\'' && s[0] != '"') {
		return 0
	}
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return 0
			}
			_, n := utf8.DecodeRuneInString(s[i+1:])
			i += n
		case q:
			return i + 1
		}
	}
	return 0
}

func (lx *lexer) matchOperator() string {
	s := lx.src[lx.pos:]
	if len(s) >= 2 {
		if _, ok := operators[s[:2]]; ok {
			return s[:2]
		}
	}
	if len(s) >= 1 {
		if _, ok := operators[s[:1]]; ok {
			return s[:1]
		}
	}
	return ""
}

// unescapeString decodes a string literal body as jinja2 does:
// .encode("ascii", "backslashreplace").decode("unicode-escape").
func unescapeString(body string) (string, error) {
	if !strings.ContainsRune(body, '\\') {
		return body, nil
	}
	var ascii strings.Builder
	for _, r := range body {
		switch {
		case r < 0x80:
			ascii.WriteRune(r)
		case r <= 0xff:
			ascii.WriteString(`\x` + hex2(int(r)))
		case r <= 0xffff:
			ascii.WriteString(`\u` + leftPad(strconv.FormatInt(int64(r), 16), 4))
		default:
			ascii.WriteString(`\U` + leftPad(strconv.FormatInt(int64(r), 16), 8))
		}
	}
	return decodeUnicodeEscape(ascii.String())
}

func decodeUnicodeEscape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			if c == '\\' {
				return "", templateErr("\\ at end of string")
			}
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte(11)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n := 0
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				n = n*8 + int(s[j]-'0')
				j++
			}
			b.WriteRune(rune(n))
			i = j - 1
		case 'x', 'u', 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			names := map[byte]string{'x': `\xXX`, 'u': `\uXXXX`, 'U': `\UXXXXXXXX`}
			if i+1+width > len(s) {
				return "", templateErr("truncated %s escape", names[e])
			}
			hexs := s[i+1 : i+1+width]
			n, err := strconv.ParseUint(hexs, 16, 32)
			if err != nil || strings.ContainsAny(hexs, "+-_") {
				return "", templateErr("truncated %s escape", names[e])
			}
			if n > unicode.MaxRune {
				return "", templateErr("illegal Unicode character")
			}
			b.WriteRune(rune(n))
			i += width
		case 'N':
			return "", templateErr("unknown Unicode character name")
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), nil
}
