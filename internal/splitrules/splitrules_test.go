package splitrules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// golden is testdata/buildstream.json, written by testdata/gen.py from the
// installed BuildStream 1.6.8.
type golden struct {
	Paths []string `json:"paths"`
	Globs []struct {
		Pattern string   `json:"pattern"`
		Glob2Re string   `json:"glob2re"`
		Regex   string   `json:"regex"`
		Error   string   `json:"error"`
		Matches []string `json:"matches"`
	} `json:"globs"`
	Domains []struct {
		Rules   []string `json:"rules"`
		Error   string   `json:"error"`
		Matches []string `json:"matches"`
	} `json:"domains"`
	Tree struct {
		Spec []struct {
			Path   string `json:"path"`
			Kind   string `json:"kind"`
			Target string `json:"target"`
		} `json:"spec"`
		Listing      []string `json:"listing"`
		EmptyListing []string `json:"empty_listing"`
	} `json:"tree"`
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "buildstream.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

func checkRules(t *testing.T, g *golden, rules []string, wantErr string, want []string) {
	t.Helper()
	re, err := Compile(rules)
	if wantErr != "" {
		if err == nil {
			t.Errorf("Compile(%q) = %s, BuildStream fails: %s", rules, re, wantErr)
		}
		return
	}
	if err != nil {
		t.Errorf("Compile(%q): %v", rules, err)
		return
	}
	var got []string
	for _, p := range g.Paths {
		if re.MatchString(p) {
			got = append(got, p)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("Compile(%q) = %s matches\n  %q\nBuildStream matches\n  %q", rules, re, got, want)
	}
}

func TestGlobsAgainstBuildStream(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Globs {
		checkRules(t, g, []string{c.Pattern}, c.Error, c.Matches)
		// Where Python's text is also valid Go, ours is the same text
		// with Go's \z: only classes and escapes are spelt differently.
		got, err := Glob2Re(c.Pattern)
		if err == nil && !strings.ContainsAny(c.Pattern, "[\\ \t#&~-") {
			if want := strings.TrimSuffix(c.Glob2Re, `\Z`) + `\z`; got != want {
				t.Errorf("Glob2Re(%q) = %q, want %q", c.Pattern, got, want)
			}
		}
	}
}

func TestDomainsAgainstBuildStream(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Domains {
		checkRules(t, g, c.Rules, c.Error, c.Matches)
	}
}

func TestListRelativePathsAgainstBuildStream(t *testing.T) {
	g := loadGolden(t)
	root := t.TempDir()
	for _, s := range g.Tree.Spec {
		full := filepath.Join(root, filepath.FromSlash(s.Path))
		var err error
		switch s.Kind {
		case "dir":
			err = os.MkdirAll(full, 0o755)
		case "file":
			if err = os.MkdirAll(filepath.Dir(full), 0o755); err == nil {
				err = os.WriteFile(full, []byte(s.Path), 0o644)
			}
		case "symlink":
			if err = os.MkdirAll(filepath.Dir(full), 0o755); err == nil {
				err = os.Symlink(s.Target, full)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := ListRelativePaths(root)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, g.Tree.Listing) {
		t.Errorf("ListRelativePaths =\n  %q\nBuildStream lists\n  %q", got, g.Tree.Listing)
	}
	got, err = ListRelativePaths(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, g.Tree.EmptyListing) {
		t.Errorf("ListRelativePaths(empty) = %q, BuildStream lists %q", got, g.Tree.EmptyListing)
	}
}

func TestGlob2ReBadRange(t *testing.T) {
	if _, err := Glob2Re("/[z-a]"); err == nil {
		t.Error("Glob2Re(/[z-a]) succeeded")
	}
	if _, err := NewDomains([]Domain{{Name: "x", Rules: []string{"/[z-a]"}}}); err == nil {
		t.Error("NewDomains with a bad range succeeded")
	}
}

func testDomains(t *testing.T) *Domains {
	t.Helper()
	d, err := NewDomains([]Domain{
		{Name: "runtime", Rules: []string{"/usr/bin/*", "/usr/lib/lib*.so*"}},
		{Name: "devel", Rules: []string{"/usr/include/**", "/usr/lib/lib*.a", "/usr/lib/lib*.so"}},
		{Name: "doc", Rules: []string{"/usr/share/doc", "/usr/share/doc/**"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var manifest = []string{
	".",
	"etc/passwd",
	"usr/bin/ls",
	"usr/include/foo.h",
	"usr/lib/libfoo.a",
	"usr/lib/libfoo.so",
	"usr/lib/libfoo.so.1",
	"usr/share/doc",
	"usr/share/empty",
}

func TestClassify(t *testing.T) {
	d := testDomains(t)
	for _, c := range []struct {
		path string
		want []string
	}{
		{"usr/bin/ls", []string{"runtime"}},
		{"/usr/bin/ls", []string{"runtime"}},
		{"usr/lib/libfoo.so", []string{"runtime", "devel"}},
		{"usr/lib/libfoo.so.1", []string{"runtime"}},
		{"usr/include/sys/x.h", []string{"devel"}},
		{"usr/share/doc", []string{"doc"}},
		{"usr/share/doc/a/b", []string{"doc"}},
		{"usr/bin/x/y", nil},
		{"etc/passwd", nil},
		{".", nil},
	} {
		if got := d.Classify(c.path); !slices.Equal(got, c.want) {
			t.Errorf("Classify(%q) = %q, want %q", c.path, got, c.want)
		}
	}
	if got := d.Names(); !slices.Equal(got, []string{"runtime", "devel", "doc"}) {
		t.Errorf("Names() = %q", got)
	}
}

func TestSelect(t *testing.T) {
	d := testDomains(t)
	orphansOnly := []string{".", "etc/passwd", "usr/share/empty"}
	for _, c := range []struct {
		name             string
		include, exclude []string
		orphans          bool
		want             []string
	}{
		{"everything", nil, nil, true, manifest},
		{"no orphans: every domain", nil, nil, false,
			[]string{"usr/bin/ls", "usr/include/foo.h", "usr/lib/libfoo.a", "usr/lib/libfoo.so", "usr/lib/libfoo.so.1", "usr/share/doc"}},
		{"include runtime", []string{"runtime"}, nil, false,
			[]string{"usr/bin/ls", "usr/lib/libfoo.so", "usr/lib/libfoo.so.1"}},
		{"include runtime with orphans", []string{"runtime"}, nil, true,
			[]string{".", "etc/passwd", "usr/bin/ls", "usr/lib/libfoo.so", "usr/lib/libfoo.so.1", "usr/share/empty"}},
		{"include runtime exclude devel", []string{"runtime"}, []string{"devel"}, false,
			[]string{"usr/bin/ls", "usr/lib/libfoo.so.1"}},
		{"exclude only, orphans", nil, []string{"devel", "doc"}, true,
			[]string{".", "etc/passwd", "usr/bin/ls", "usr/lib/libfoo.so.1", "usr/share/empty"}},
		{"exclude only, no orphans", nil, []string{"devel"}, false,
			[]string{"usr/bin/ls", "usr/lib/libfoo.so.1", "usr/share/doc"}},
		{"unknown include keeps orphans only", []string{"nope"}, nil, true, orphansOnly},
		{"unknown include, no orphans", []string{"nope"}, nil, false, []string{}},
		{"unknown exclude is ignored", nil, []string{"nope"}, true, manifest},
		{"unknown exclude, no orphans", nil, []string{"nope"}, false,
			[]string{"usr/bin/ls", "usr/include/foo.h", "usr/lib/libfoo.a", "usr/lib/libfoo.so", "usr/lib/libfoo.so.1", "usr/share/doc"}},
		{"include and exclude the same domain", []string{"doc"}, []string{"doc"}, true, orphansOnly},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := d.Select(manifest, c.include, c.exclude, c.orphans)
			if !slices.Equal(got, c.want) {
				t.Errorf("Select(include=%q, exclude=%q, orphans=%v) =\n  %q\nwant\n  %q", c.include, c.exclude, c.orphans, got, c.want)
			}
		})
	}
}

func TestSelectNoDomains(t *testing.T) {
	d, err := NewDomains(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Select(manifest, nil, nil, false); len(got) != 0 {
		t.Errorf("no domains, no orphans: %q", got)
	}
	if got := d.Select(manifest, []string{"runtime"}, nil, true); !slices.Equal(got, manifest) {
		t.Errorf("no domains, orphans: %q", got)
	}
	// Kept paths lose their leading slashes, as BuildStream's lstrip does.
	if got := d.Select([]string{"//a", "/b"}, nil, []string{"x"}, true); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("leading slashes: %q", got)
	}
}

func TestWhitelisted(t *testing.T) {
	re, err := Compile([]string{"/etc/*", "usr/lib/*.la"})
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{"etc/x": true, "/etc/x": true, "usr/lib/a.la": true, "/usr/lib/a.la": false, "etc/x/y": false} {
		if got := Whitelisted(re, p); got != want {
			t.Errorf("Whitelisted(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestDuplicateDomainName(t *testing.T) {
	d, err := NewDomains([]Domain{{"a", []string{"/x"}}, {"b", []string{"/y"}}, {"a", []string{"/z"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Names(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Names() = %q", got)
	}
	if got := d.Classify("z"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("Classify(z) = %q", got)
	}
}
