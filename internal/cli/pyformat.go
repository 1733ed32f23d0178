package cli

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pyFormat applies a Python format spec (the part after ':' in
// "{name: >20}") to a string: [[fill]align][width][.precision][s].
func pyFormat(value, spec string) string {
	if spec == "" {
		return value
	}
	fill, align := " ", byte(0)
	rs := []rune(spec)
	if len(rs) >= 2 && strings.ContainsRune("<>^=", rs[1]) {
		fill, align = string(rs[0]), byte(rs[1])
		rs = rs[2:]
	} else if len(rs) >= 1 && strings.ContainsRune("<>^=", rs[0]) {
		align = byte(rs[0])
		rs = rs[1:]
	}
	rest := string(rs)
	if strings.HasPrefix(rest, "0") && align == 0 {
		fill, align = "0", '='
		rest = rest[1:]
	}
	rest = strings.TrimSuffix(rest, "s")
	width, prec := 0, -1
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		prec, _ = strconv.Atoi(rest[i+1:])
		rest = rest[:i]
	}
	width, _ = strconv.Atoi(strings.TrimSpace(rest))
	if prec >= 0 && utf8.RuneCountInString(value) > prec {
		value = string([]rune(value)[:prec])
	}
	n := utf8.RuneCountInString(value)
	if n >= width {
		return value
	}
	pad := width - n
	switch align {
	case '>', '=':
		return strings.Repeat(fill, pad) + value
	case '^':
		left := pad / 2
		return strings.Repeat(fill, left) + value + strings.Repeat(fill, pad-left)
	default:
		return value + strings.Repeat(fill, pad)
	}
}

// substRe matches "%{name...}" for a given symbol, as BuildStream's
// Profile.fmt_subst does.
func substRe(name string, lazy bool) *regexp.Regexp {
	q := "*"
	if lazy {
		q = "*?"
	}
	return regexp.MustCompile(`%\{(` + regexp.QuoteMeta(name) + `)([^%]` + q + `)\}`)
}

// formatter substitutes %{symbol[:spec]} in a format string.
type formatter struct {
	res map[string]*regexp.Regexp
}

// newFormatter prepares the symbols; lazy selects BuildStream 2's
// non-greedy match of the format spec (1.6 matches greedily).
func newFormatter(symbols []string, lazy bool) *formatter {
	f := &formatter{res: map[string]*regexp.Regexp{}}
	for _, s := range symbols {
		f.res[s] = substRe(s, lazy)
	}
	return f
}

// subst replaces every occurrence of symbol in text with value, applying
// the format spec written after the name.
func (f *formatter) subst(text, symbol, value string) string {
	re := f.res[symbol]
	if !strings.Contains(text, "%{"+symbol) {
		return text
	}
	return re.ReplaceAllStringFunc(text, func(m string) string {
		sub := re.FindStringSubmatch(m)
		spec := sub[2]
		if spec == "" {
			return value
		}
		if spec[0] != ':' {
			// Not a format spec ("%{names}"): leave it alone.
			return m
		}
		return pyFormat(value, spec[1:])
	})
}

// template is a format string compiled once: literal text and symbol
// slots with their format specs.
type template struct {
	parts   []templatePart
	symbols []string // symbols used, in BuildStream's substitution order
}

type templatePart struct {
	text   string
	symbol string // "" for literal text
	spec   string
}

// compile runs BuildStream's sequential substitution once on format with
// placeholders, which is what every element gets as long as no value
// itself contains "%{".
func (f *formatter) compile(format string) *template {
	t := &template{}
	var slots []templatePart
	line := format
	for _, sym := range showSymbols {
		re := f.res[sym]
		if re == nil || !strings.Contains(line, "%{"+sym) {
			continue
		}
		used := false
		line = re.ReplaceAllStringFunc(line, func(m string) string {
			sub := re.FindStringSubmatch(m)
			spec := sub[2]
			if spec != "" && spec[0] != ':' {
				return m
			}
			used = true
			slots = append(slots, templatePart{symbol: sym, spec: strings.TrimPrefix(spec, ":")})
			return "\x00" + strconv.Itoa(len(slots)-1) + "\x00"
		})
		if used {
			t.symbols = append(t.symbols, sym)
		}
	}
	for {
		i := strings.IndexByte(line, 0)
		if i < 0 {
			break
		}
		j := strings.IndexByte(line[i+1:], 0)
		if j < 0 {
			break
		}
		n, err := strconv.Atoi(line[i+1 : i+1+j])
		if err != nil || n >= len(slots) {
			break
		}
		if i > 0 {
			t.parts = append(t.parts, templatePart{text: line[:i]})
		}
		t.parts = append(t.parts, slots[n])
		line = line[i+2+j:]
	}
	if line != "" {
		t.parts = append(t.parts, templatePart{text: line})
	}
	return t
}

func (t *template) render(b *strings.Builder, values map[string]string) {
	for _, p := range t.parts {
		if p.symbol == "" {
			b.WriteString(p.text)
			continue
		}
		b.WriteString(pyFormat(values[p.symbol], p.spec))
	}
}
