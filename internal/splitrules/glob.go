package splitrules

import (
	"fmt"
	"regexp"
	"strings"
)

// Glob2Re translates a BuildStream split-rule glob into a regular expression
// in Go syntax, anchored at its end (\z) like utils._glob2re's \Z. It
// matches exactly the strings Python's translation matches; the text differs
// only where Go's syntax does.
func Glob2Re(pattern string) (string, error) {
	pat := []rune(pattern)
	n := len(pat)
	var b strings.Builder
	for i := 0; i < n; {
		c := pat[i]
		i++
		switch c {
		case '*':
			if i < n && pat[i] == '*' {
				b.WriteString(`.*`)
				i++
			} else {
				b.WriteString(`[^/]*`)
			}
		case '?':
			b.WriteString(`[^/]`)
		case '[':
			j := i
			if j < n && pat[j] == '!' {
				j++
			}
			if j < n && pat[j] == ']' {
				j++
			}
			for j < n && pat[j] != ']' {
				j++
			}
			if j >= n {
				b.WriteString(`\[`)
				continue
			}
			class, err := charClass(pat[i:j])
			if err != nil {
				return "", fmt.Errorf("glob %q: %w", pattern, err)
			}
			b.WriteString(class)
			i = j + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	return b.String(), nil
}

// charClass translates the members between "[" and "]" (never empty) the
// way Python's parser reads what _glob2re hands it: a leading "!" negates, a
// leading "^" is a member, a "]" first (after any "!") is a member, "x-y" is
// a range unless "-" is last, and every other character, backslash
// included, stands for itself.
func charClass(stuff []rune) (string, error) {
	negate := false
	if stuff[0] == '!' {
		negate = true
		stuff = stuff[1:]
	}
	var b strings.Builder
	b.WriteByte('[')
	if negate {
		b.WriteByte('^')
	}
	for k := 0; k < len(stuff); {
		lo := stuff[k]
		k++
		if k < len(stuff) && stuff[k] == '-' {
			if k+1 == len(stuff) {
				// "a-]": both are members.
				b.WriteString(classRune(lo))
				b.WriteString(classRune('-'))
				break
			}
			hi := stuff[k+1]
			k += 2
			if hi < lo {
				return "", fmt.Errorf("bad character range %c-%c", lo, hi)
			}
			b.WriteString(classRune(lo))
			b.WriteByte('-')
			b.WriteString(classRune(hi))
			continue
		}
		b.WriteString(classRune(lo))
	}
	b.WriteByte(']')
	return b.String(), nil
}

// classRune writes r so that it is a literal inside a Go character class.
func classRune(r rune) string {
	if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '/' || r == '.') {
		return string(r)
	}
	return fmt.Sprintf(`\x{%x}`, r)
}

// Compile builds the regular expression of one split domain (or of an
// overlap whitelist) from its already-expanded rules, as
// Element.__init_splits does: "(?ms)\A(?:r1|r2|...)$". Use MatchString on
// the result to get the answer of Python's re.match.
func Compile(rules []string) (*regexp.Regexp, error) {
	parts := make([]string, len(rules))
	for i, r := range rules {
		re, err := Glob2Re(r)
		if err != nil {
			return nil, err
		}
		parts[i] = re
	}
	return regexp.Compile(`(?ms)\A(?:` + strings.Join(parts, "|") + `)$`)
}
