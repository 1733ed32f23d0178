package download

import "testing"

func TestFnmatch(t *testing.T) {
	for _, c := range []struct {
		pattern, name string
		want          bool
	}{
		{"freedesktop-sdk-*", "freedesktop-sdk-20.08beta-x86_64", true},
		{"freedesktop-sdk-*", "runtime/freedesktop-sdk-1", false},
		{"*", "runtime/org.freedesktop.Platform/x86_64/1.6", true}, // '*' crosses '/'
		{"runtime/*/x86_64/?.6", "runtime/org.x/x86_64/1.6", true},
		{"[!a]*", "abc", false},
		{"[!a]*", "bcd", true},
		{"a.b", "axb", false},
		{"a[b", "a[b", true},
		{"x", "X", false}, // fnmatch on POSIX is case-sensitive
	} {
		got, err := Fnmatch(c.name, c.pattern)
		if err != nil || got != c.want {
			t.Errorf("Fnmatch(%q, %q) = %v, %v; want %v", c.name, c.pattern, got, err, c.want)
		}
	}
}
