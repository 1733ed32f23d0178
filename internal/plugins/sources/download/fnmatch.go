package download

import (
	"regexp"
	"strings"
)

// FnmatchRegexp translates a shell glob as Python's fnmatch.translate
// does ('*' and '?' match '/' too; "[!...]" negates) into an unanchored
// regexp source.
func FnmatchRegexp(pat string) string {
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := i + 1
			if j < len(pat) && pat[j] == '!' {
				j++
			}
			if j < len(pat) && pat[j] == ']' {
				j++
			}
			for j < len(pat) && pat[j] != ']' {
				j++
			}
			if j >= len(pat) {
				b.WriteString(`\[`)
				continue
			}
			class := pat[i+1 : j]
			i = j
			var cb strings.Builder
			cb.WriteByte('[')
			if strings.HasPrefix(class, "!") {
				cb.WriteByte('^')
				class = class[1:]
			} else if strings.HasPrefix(class, "^") {
				cb.WriteByte('\\')
			}
			cb.WriteString(strings.ReplaceAll(class, `\`, `\\`))
			cb.WriteByte(']')
			b.WriteString(cb.String())
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}

// Fnmatch reports whether name matches pattern as Python's
// fnmatch.fnmatchcase does (on POSIX, fnmatch.fnmatch is the same).
func Fnmatch(name, pattern string) (bool, error) {
	re, err := regexp.Compile(`^(?s:` + FnmatchRegexp(pattern) + `)$`)
	if err != nil {
		return false, err
	}
	return re.MatchString(name), nil
}
