package sourcekey

import (
	"context"
	"reflect"
	"testing"

	"example.org/bst/internal/yamlnode"
)

func parse(t *testing.T, text string) *yamlnode.Mapping {
	t.Helper()
	m, err := yamlnode.Parse([]byte(text), "test.bst")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestKeys checks source keys against the shapes of the upstream plugins'
// get_unique_key() (BuildStream 1.6, bst-external, buildstream-plugins).
func TestKeys(t *testing.T) {
	const sha = "6c9f6f68a131ec6381da82f2bff978083ed7f4f7991d931bfa767b7965ebc94b"
	aliases := map[string]string{"up": "https://up.stream.org/files/"}
	tests := []struct {
		name   string
		gen    int
		kind   string
		config string
		want   any // nil: the source has no reference (no key)
	}{
		{"git tag ref keeps the commit after the last -g", 2, "git",
			"url: u\nref: v1.0-go-12-gabc123\n", []any{"u", "abc123"}},
		{"git tags, submodules, version", 2, "git",
			"url: u\nref: abc\ncheckout-submodules: false\ntags:\n- {tag: v1, commit: c1, annotated: true}\n" +
				"submodules:\n  a: {url: x, checkout: false}\n  b: {}\nversion: '1.0'\n",
			[]any{"u", "abc", map[string]any{"tags": map[string]any{"v1": []any{"c1", true}}},
				map[string]any{"checkout_submodules": false}, map[string]any{"a": "x", "b": nil},
				map[string]any{"submodule_checkout_overrides": map[string]any{"a": false}}, "1.0"}},
		{"git tags: the last entry of a tag wins, as in a dict; 1 and 0 are booleans", 2, "git",
			"url: u\nref: abc\ntags:\n- {tag: v1, commit: c1, annotated: 'False'}\n- {tag: v2, commit: c2, annotated: '0'}\n" +
				"- {tag: v1, commit: c3, annotated: '1'}\n",
			[]any{"u", "abc", map[string]any{"tags": map[string]any{"v1": []any{"c3", true}, "v2": []any{"c2", false}}}}},
		{"git 1.x keeps the whole ref", 1, "git", "url: u\nref: v1-3-gabc\n", []any{"u", "v1-3-gabc"}},
		{"bzr 2.x appends version", 2, "bzr", "url: u\ntrack: trunk\nref: '12'\nversion: '3'\n",
			[]any{"u", "trunk", "12", "3"}},
		{"bzr 1.x has no version", 1, "bzr", "url: u\ntrack: trunk\nref: '12'\n", []any{"u", "trunk", "12"}},
		{"bzr without ref", 2, "bzr", "url: u\ntrack: trunk\n", nil},
		{"cargo", 2, "cargo", "ref:\n- {name: foo, version: '1.0', sha: s}\n",
			[]any{"https://static.crates.io/crates", "Cargo.lock", "crates",
				[]any{map[string]any{"name": "foo", "version": "1.0", "sha": "s"}}}},
		{"cargo without crates is unresolved", 2, "cargo", "url: u\n", nil},
		{"cargo with an empty ref is unresolved", 2, "cargo", "url: u\nref: []\n", nil},
		{"cargo with a crate lacking its sha is unresolved", 2, "cargo", "ref:\n- {name: foo, version: '1'}\n", nil},
		{"docker image", 2, "docker", "image: i\nref: d\n",
			[]any{"https://registry.hub.docker.com", "i", "sha256:d"}},
		{"docker url and version", 2, "docker", "url: up:i\nref: d\nversion: '2'\n", []any{"up:i", "sha256:d", "2"}},
		{"docker without ref is unresolved", 2, "docker", "image: i\n", nil},
		{"pip", 2, "pip", "packages: [a]\nref: a==1\n", []any{"https://pypi.org/simple/", "a==1"}},
		{"tar 2.x version", 2, "tar", "url: up:a.tgz\nref: " + sha + "\nversion: '1'\n",
			[]any{"up:a.tgz", sha, "1", "*"}},
		{"tar 2.x guess pattern", 2, "tar", "url: up:a.tgz\nref: " + sha + "\nversion-guess-pattern: 'x'\nbase-dir: ''\n",
			[]any{"up:a.tgz", sha, "x", ""}},
		{"tar 1.x empty base-dir is null", 1, "tar", "url: up:a.tgz\nref: " + sha + "\nbase-dir: ''\n",
			[]any{"up:a.tgz", sha, nil}},
		{"remote filename is the basename of the translated url", 2, "remote", "url: up:foo.bar\nref: " + sha + "\n",
			[]any{"up:foo.bar", sha, "foo.bar", false}},
		{"remote 1.x", 1, "remote", "url: up:sub/foo.bar\nref: " + sha + "\n", []any{"up:sub/foo.bar", sha, "foo.bar"}},
		{"remote undefined alias", 2, "remote", "url: none:foo.bar\nref: " + sha + "\nexecutable: true\n",
			[]any{"none:foo.bar", sha, "none:foo.bar", true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Gen: tc.gen, Kind: tc.kind, Config: parse(t, tc.config),
				Alias: func(n string) (string, bool) { v, ok := aliases[n]; return v, ok }}
			got, err := Key(context.Background(), in)
			if tc.want == nil {
				if !IsNoRef(err) {
					t.Fatalf("got %#v, %v; want no reference", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestGoModuleKey(t *testing.T) {
	got, err := Key(context.Background(), Input{Gen: 2, Kind: "go_module", Config: parse(t,
		"url: github:a/b.git\nmodule: github.com/a/b/v2\nref:\n  go-version: v2.1.0\n"+
			"  git-ref: v2.1.0-0-g4c9b\n  explicit: True\n  subdirectory: sub\n")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"module": "github.com/a/b/v2", "bugfix": 1, "ref": map[string]any{
		"go-version": "v2.1.0", "git-ref": "v2.1.0-0-g4c9b", "explicit": true, "subdirectory": "sub"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	if _, err := Key(context.Background(), Input{Gen: 2, Kind: "go_module", Config: parse(t, "url: u\nmodule: m\n")}); !IsNoRef(err) {
		t.Errorf("go_module without ref: %v, want no reference", err)
	}
}

// TestGit2TagErrors: buildstream-plugins reads each tag with get_str and
// get_bool without defaults, so a missing key or a value as_bool refuses
// is an error, not a key.
func TestGit2TagErrors(t *testing.T) {
	for _, tags := range []string{
		"- {tag: v1, commit: c1}\n",
		"- {tag: v1, annotated: true}\n",
		"- {commit: c1, annotated: true}\n",
		"- {tag: v1, commit: c1, annotated: yes}\n",
		"- v1\n",
	} {
		_, err := Key(context.Background(), Input{Gen: 2, Kind: "git", Config: parse(t, "url: u\nref: abc\ntags:\n"+tags)})
		if err == nil || IsNoRef(err) {
			t.Errorf("tags %q: %v, want an error", tags, err)
		}
	}
}
