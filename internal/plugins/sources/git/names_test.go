package git

import "testing"

func TestURLDirectoryName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://gitlab.com/foo/bar.git", "https___gitlab_com_foo_bar_git"},
		{"upstream:foo%20bar_x", "upstream_foo%20bar_x"},
		{"file:///tmp/a-b", "file____tmp_a_b"},
		{"gnome:glib/é", "gnome_glib__"}, // one '_' per character, not per byte
	} {
		if got := URLDirectoryName(tc.in); got != tc.want {
			t.Errorf("URLDirectoryName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseRef(t *testing.T) {
	sha := "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		in       string
		obj, tag string
		dist     int
	}{
		{sha, sha, "", -1},
		{"v1.0-3-g" + sha, sha, "v1.0", 3},
		{"release-1-2-0-g" + sha, sha, "release-1-2", 0},
		{"v1.0-3-gabc123", "", "v1.0", 3},
		{"master", "", "", -1},
	} {
		ri := parseRef(tc.in)
		if ri.obj != tc.obj || ri.tag != tc.tag || ri.dist != tc.dist {
			t.Errorf("parseRef(%q) = %+v, want obj %q tag %q dist %d", tc.in, ri, tc.obj, tc.tag, tc.dist)
		}
	}
	if got := stripDescribe("v1-gamma-2-g" + sha); got != sha {
		t.Errorf("stripDescribe = %q", got)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"refs/tags/v1.10", "refs/tags/v1.9", 1},
		{"refs/tags/1.0beta", "refs/tags/1.0.0", -1}, // letters before digits
		{"refs/tags/1.beta", "refs/tags/1~beta", 0},
		{"refs/tags/v2", "refs/tags/v2.0", -1},
		{"refs/tags/v007", "refs/tags/v7", 0},
	} {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestRefPattern(t *testing.T) {
	for _, tc := range []struct {
		pat, ref string
		want     bool
	}{
		{"release-*", "refs/tags/release-3.0", true},
		{"release-*", "refs/heads/release-3.0", true},
		{"release-*", "refs/pull/release-3.0", false},
		{"main", "refs/heads/main", true},
		{"main", "refs/heads/mainline", false},
		{"v[0-9].?", "refs/tags/v1.2", true},
		{"v[!0-9]*", "refs/tags/v1.2", false},
		{"refs/tags/*", "refs/tags/a/b", true},
	} {
		re, err := refPattern(tc.pat)
		if err != nil {
			t.Fatal(err)
		}
		if got := re.MatchString(tc.ref); got != tc.want {
			t.Errorf("%q matches %q = %v, want %v", tc.pat, tc.ref, got, tc.want)
		}
	}
}

func TestJoinSubmoduleURL(t *testing.T) {
	for _, tc := range []struct{ base, rel, want string }{
		{"https://host/a/b.git", "../c.git", "https://host/a/c.git"},
		{"https://host/a/b.git", "./c.git", "https://host/a/b.git/c.git"},
		{"upstream:a/b.git", "../c.git", "upstream:a/c.git"},
		{"file:///srv/git/up", "../sub", "file:///srv/git/sub"},
		{"https://host/a/b.git", "https://other/x.git", "https://other/x.git"},
	} {
		if got := joinSubmoduleURL(tc.base, tc.rel); got != tc.want {
			t.Errorf("joinSubmoduleURL(%q, %q) = %q, want %q", tc.base, tc.rel, got, tc.want)
		}
	}
}
