package download

import "testing"

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"*", "foo-1.0", true},
		{"*", "/foo-1.0", true},
		{"*", "foo/bar", false},
		{"*", "", true}, // "/" matches "/*"
		{"**", "foo/bar", true},
		{"foo/**", "foo/bar/baz", true},
		{"foo-?.0", "foo-1.0", true},
		{"foo-?.0", "foo-12.0", false},
		{"?", "/", false},
		{"[a-c]*", "beta", true},
		{"[!a-c]*", "beta", false},
		{"[!a-c]*", "delta", true},
		{"[]x]", "]", true},
		{"[^x]", "^", true}, // '^' first is literal
		{"[^x]", "y", false},
		{"a[b", "a[b", true}, // unterminated class is literal
		{"a.b", "axb", false},
		{"a+b", "a+b", true},
		{"x/*/src", "x/1.0/src", true},
		{"*\\*", "a\\b", true}, // no escaping: '\' is a literal character
		{"*\\*", "ab", false},
	} {
		re, err := Glob(c.pattern)
		if err != nil {
			t.Errorf("%q: %v", c.pattern, err)
			continue
		}
		try := c.path
		if len(try) == 0 || try[0] != '/' {
			try = "/" + try
		}
		if got := re.MatchString(try); got != c.want {
			t.Errorf("Glob(%q) on %q = %v, want %v (regexp %s)", c.pattern, c.path, got, c.want, re)
		}
	}
}

func TestFindBaseDir(t *testing.T) {
	re, _ := Glob("*")
	if d, ok := FindBaseDir(re, []string{"zlib-1.3", "b/c", "abc"}); !ok || d != "abc" {
		t.Errorf("got %q %v", d, ok)
	}
	re, _ = Glob("nothing")
	if _, ok := FindBaseDir(re, []string{"a"}); ok {
		t.Error("matched")
	}
}
