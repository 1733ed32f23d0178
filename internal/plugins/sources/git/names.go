package git

import (
	"regexp"
	"strings"

	"example.org/bst/internal/plugins/sources/download"
)

// URLDirectoryName maps a URL to a directory name as BuildStream's
// utils.url_directory_name does: every character other than an ASCII
// letter, digit, '%' or '_' becomes '_' (one '_' per character, not per
// byte).
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

// describeRE matches `git describe --long` output: tag, distance, commit.
var describeRE = regexp.MustCompile(`^(.+)-([0-9]+)-g([0-9a-f]+)$`)

// gitRepoRefRE is the community git_repo plugin's ref pattern (matched at
// the start only, as Python's re.match does).
var gitRepoRefRE = regexp.MustCompile(`^(?:(.*)(?:-(\d+)-g))?([0-9a-f]{40})`)

// refInfo is what a reference string says about the objects it needs.
type refInfo struct {
	raw  string
	obj  string // full object id ("" when the ref does not contain one)
	tag  string // tag of a describe-format ref
	dist int    // commits past tag; -1 when unknown
}

// isObjectID reports whether s is a full SHA-1 or SHA-256 hex object id.
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// parseRef splits a reference: a bare object id, or `tag-N-gSHA`.
func parseRef(ref string) refInfo {
	ri := refInfo{raw: ref, dist: -1}
	if isObjectID(ref) {
		ri.obj = ref
		return ri
	}
	m := describeRE.FindStringSubmatch(ref)
	if m == nil {
		return ri
	}
	ri.tag = m[1]
	n := 0
	for _, c := range m[2] {
		n = n*10 + int(c-'0')
		if n > 1<<30 {
			n = -1
			break
		}
	}
	ri.dist = n
	if isObjectID(m[3]) {
		ri.obj = m[3]
	}
	return ri
}

// stripDescribe returns the part of a ref after its last "-g", as
// buildstream-plugins' git does for its key and its commit.
func stripDescribe(ref string) string {
	if i := strings.LastIndex(ref, "-g"); i >= 0 {
		return ref[i+2:]
	}
	return ref
}

// refPattern compiles a git_repo track or exclude pattern: a glob over
// full ref names when it starts with "refs/", else over refs/heads/ and
// refs/tags/ names.
func refPattern(pat string) (*regexp.Regexp, error) {
	src := download.FnmatchRegexp(pat)
	if !strings.HasPrefix(pat, "refs/") {
		src = "refs/(heads|tags)/" + src
	}
	return regexp.Compile(`^(?s:` + src + `)$`)
}

// versionKeyRE splits a name into runs of letters and runs of digits.
var versionKeyRE = regexp.MustCompile(`[a-zA-Z]+|[0-9]+`)

// compareVersions orders ref names as the community git plugins'
// version_sort_key does: runs of letters sort before runs of digits,
// digits compare as numbers, separators are ignored.
func compareVersions(a, b string) int {
	pa, pb := versionKeyRE.FindAllString(a, -1), versionKeyRE.FindAllString(b, -1)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if c := comparePart(pa[i], pb[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(pa) < len(pb):
		return -1
	case len(pa) > len(pb):
		return 1
	}
	return 0
}

func comparePart(a, b string) int {
	da, db := a[0] >= '0' && a[0] <= '9', b[0] >= '0' && b[0] <= '9'
	switch {
	case !da && db:
		return -1
	case da && !db:
		return 1
	case !da:
		return strings.Compare(a, b)
	}
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// joinSubmoduleURL resolves a relative submodule URL ("./x", "../x")
// against the URL of its superproject, as a directory; other URLs are
// returned as they are.
func joinSubmoduleURL(base, rel string) string {
	if !strings.HasPrefix(rel, "./") && !strings.HasPrefix(rel, "../") {
		return rel
	}
	prefix, p := "", base
	if i := strings.Index(base, "://"); i >= 0 {
		rest := base[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			j = len(rest)
		}
		prefix, p = base[:i+3]+rest[:j], rest[j:]
	} else if i := strings.IndexByte(base, ':'); i >= 0 {
		prefix, p = base[:i+1], base[i+1:]
	}
	abs := strings.HasPrefix(p, "/")
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) == 1 && parts[0] == "" {
		parts = nil
	}
	for _, seg := range strings.Split(rel, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, seg)
		}
	}
	out := strings.Join(parts, "/")
	if abs {
		out = "/" + out
	}
	return prefix + out
}
