package download

import "strings"

// URLDirectoryName turns a URL into a directory name as BuildStream's
// utils.url_directory_name does: every character (code point) other than
// an ASCII letter, a digit, '%' or '_' becomes '_'.
func URLDirectoryName(url string) string {
	var b strings.Builder
	b.Grow(len(url))
	for _, c := range url {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '%', c == '_':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
