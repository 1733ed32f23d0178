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
