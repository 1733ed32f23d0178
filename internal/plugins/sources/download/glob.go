package download

import (
	"regexp"
	"sort"
	"strings"
)

// Glob compiles a pattern with the semantics of BuildStream's utils.glob:
// '*' matches within one path component, '**' across components, '?' one
// character other than '/', and [abc], [a-z], [!abc] character classes;
// there is no escaping. Patterns and paths match regardless of a leading
// '/'. The match is anchored at both ends.
func Glob(pattern string) (*regexp.Regexp, error) {
	if !strings.HasPrefix(pattern, "/") {
		pattern = "/" + pattern
	}
	return regexp.Compile(`\A` + globToRegexp(pattern))
}

// globToRegexp follows utils._glob2re.
func globToRegexp(pat string) string {
	var b strings.Builder
	i, n := 0, len(pat)
	for i < n {
		c := pat[i]
		i++
		switch c {
		case '*':
			if i < n && pat[i] == '*' {
				b.WriteString(`(?s:.*)`)
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
			stuff := strings.ReplaceAll(pat[i:j], `\`, `\\`)
			i = j + 1
			switch stuff[0] {
			case '!':
				stuff = "^" + stuff[1:]
			case '^':
				stuff = `\` + stuff
			}
			b.WriteString("[" + stuff + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String() + `\z`
}

// FindBaseDir returns the base directory a base-dir pattern selects among
// paths, as the tar and zip plugins' _find_base_dir: the first match in
// sorted order. ok is false when nothing matches.
func FindBaseDir(re *regexp.Regexp, paths []string) (dir string, ok bool) {
	var matches []string
	for _, p := range paths {
		try := p
		if !strings.HasPrefix(try, "/") {
			try = "/" + try
		}
		if re.MatchString(try) {
			matches = append(matches, p)
		}
	}
	if len(matches) == 0 {
		return "", false
	}
	sort.Strings(matches)
	return matches[0], true
}
