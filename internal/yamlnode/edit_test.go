package yamlnode

import (
	"testing"

	"example.org/bst/internal/bsterr"
)

func TestSetKey(t *testing.T) {
	src := "kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: 0123\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\ndepends:\n- base.bst\n"
	tags := &Sequence{Items: []Node{mapping("tag", "v1.0", "commit", "c1", "annotated", "True"), mapping("tag", "1", "commit", "c2", "annotated", "False")}}
	tests := []struct {
		name      string
		line, col int32
		key       string
		value     any
		q         Quoting
		want      string
	}{
		{"replace plain", 4, 2, "ref", "abcd", QuoteTyped,
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: abcd\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\ndepends:\n- base.bst\n"},
		{"insert", 7, 2, "ref", "f00d", QuoteTyped,
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: 0123\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\n  ref: f00d\ndepends:\n- base.bst\n"},
		{"replace quoted keeps comment", 7, 2, "url", "https://z", QuoteTyped,
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: 0123\n- kind: git\n  url: https://z\n  track: master\ndepends:\n- base.bst\n"},
		{"replace keeps trailing comment", 4, 2, "url", "upstream:foo-2.0.tar.gz", QuoteTyped,
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-2.0.tar.gz   # trailing comment\n  ref: 0123\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\ndepends:\n- base.bst\n"},
		{"insert list, typed quoting", 4, 2, "extra", []any{map[string]any{"name": "a", "sha": "1"}}, QuoteTyped,
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: 0123\n  extra:\n  - name: a\n    sha: \"1\"\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\ndepends:\n- base.bst\n"},
		{"insert ordered list, plain quoting", 7, 2, "tags", tags, QuotePlain,
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: 0123\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\n  tags:\n  - tag: v1.0\n    commit: c1\n    annotated: True\n  - tag: 1\n    commit: c2\n    annotated: False\ndepends:\n- base.bst\n"},
		{"replace a list written at its key's column", 1, 0, "depends", []string{"a.bst", "b.bst"}, QuotePlain,
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: 0123\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\ndepends:\n- a.bst\n- b.bst\n"},
		{"plain quoting quotes what would not read back", 4, 2, "ref", "a: b", QuotePlain,
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: 'a: b'\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\ndepends:\n- base.bst\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SetKey([]byte(src), "a.bst", tt.line, tt.col, tt.key, tt.value, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			if _, err := Parse(got, "a.bst"); err != nil {
				t.Errorf("result does not parse: %v", err)
			}
		})
	}
}

func mapping(kv ...string) *Mapping {
	m := NewMapping(bsterr.Provenance{})
	for i := 0; i+1 < len(kv); i += 2 {
		m.Set(kv[i], NewScalar(kv[i+1], bsterr.Provenance{}))
	}
	return m
}

func TestSetKeyReplacesSequenceAtKeyColumn(t *testing.T) {
	src := "sources:\n- kind: git\n  url: u\n  ref: old\n  tags:\n  - tag: a\n    commit: c0\n    annotated: false\n  # about the next key\n  track: main\n"
	got, err := SetKey([]byte(src), "e.bst", 2, 2, "tags", &Sequence{Items: []Node{mapping("tag", "b", "commit", "c1", "annotated", "True")}}, QuotePlain)
	if err != nil {
		t.Fatal(err)
	}
	want := "sources:\n- kind: git\n  url: u\n  ref: old\n  tags:\n  - tag: b\n    commit: c1\n    annotated: True\n  # about the next key\n  track: main\n"
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestDeleteKey(t *testing.T) {
	tests := []struct {
		name, src, key, want string
	}{
		{"sequence at the key's column",
			"kind: import\nsources:\n- kind: git\n  url: u\n  tags:\n  - tag: a\n    commit: c0\n    annotated: false\n  ref: r\n",
			"tags", "kind: import\nsources:\n- kind: git\n  url: u\n  ref: r\n"},
		{"last key, indented sequence",
			"kind: import\nsources:\n- kind: git\n  url: u\n  tags:\n    - tag: a\n      commit: c0\n      annotated: false\ndepends:\n- x.bst\n",
			"tags", "kind: import\nsources:\n- kind: git\n  url: u\ndepends:\n- x.bst\n"},
		{"missing key", "kind: import\nsources:\n- kind: git\n  url: u\n", "tags", "kind: import\nsources:\n- kind: git\n  url: u\n"},
		// The next three are ruamel.yaml 0.17's round-trip output (BuildStream's
		// dumper settings) after deleting the key.
		{"trailing comments go with the entry",
			"kind: import\nsources:\n- kind: git\n  ref: x  # eol\n  tags:\n  - tag: gone\n    annotated: true   # eol2\n  # after the tags\n\n# col0\n  directory: src\n",
			"tags", "kind: import\nsources:\n- kind: git\n  ref: x  # eol\n  directory: src\n"},
		{"trailing comments of the last entry stay",
			"kind: import\nsources:\n- kind: git\n  ref: x\n  tags: []\n\n  # last\nother: 1\n",
			"tags", "kind: import\nsources:\n- kind: git\n  ref: x\n\n  # last\nother: 1\n"},
		{"end-of-line comment goes with the entry",
			"kind: import\nsources:\n- kind: git\n  tags: []   # eol\n  ref: x\n",
			"tags", "kind: import\nsources:\n- kind: git\n  ref: x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DeleteKey([]byte(tt.src), "e.bst", 3, 2, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestEditRefusals(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int32
		del       bool
		key       string
	}{
		{"flow mapping", "sources:\n- {kind: git, url: u}\n", 2, 2, false, "ref"},
		{"first key of a sequence item, block value", "list:\n- tags:\n  - a\n  other: x\n", 2, 2, false, "tags"},
		{"delete first key", "list:\n- ref: a\n  other: x\n", 2, 2, true, "ref"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.del {
				_, err = DeleteKey([]byte(tt.src), "e.bst", tt.line, tt.col, tt.key)
			} else {
				_, err = SetKey([]byte(tt.src), "e.bst", tt.line, tt.col, tt.key, []string{"x"}, QuotePlain)
			}
			if bsterr.ReasonOf(err) != CannotEditInPlace {
				t.Fatalf("got %v, want a %s error", err, CannotEditInPlace)
			}
		})
	}
}

func TestDumpBlock(t *testing.T) {
	root := NewMapping(bsterr.Provenance{})
	entry := mapping("ref", "abc")
	entry.Set("tags", &Sequence{Items: []Node{mapping("tag", "v1", "commit", "c", "annotated", "False")}})
	el := NewMapping(bsterr.Provenance{})
	el.Set("a.bst", &Sequence{Items: []Node{NewMapping(bsterr.Provenance{}), entry}})
	projects := NewMapping(bsterr.Provenance{})
	projects.Set("test", el)
	root.Set("projects", projects)
	want := "projects:\n  test:\n    a.bst:\n    - {}\n    - ref: abc\n      tags:\n      - tag: v1\n        commit: c\n        annotated: False\n"
	if got := DumpBlock(root, QuotePlain); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	want = "projects:\n  test:\n    a.bst:\n    - {}\n    - ref: abc\n      tags:\n      - tag: v1\n        commit: c\n        annotated: \"False\"\n"
	if got := DumpBlock(root, QuoteTyped); got != want {
		t.Errorf("typed quoting, got:\n%s\nwant:\n%s", got, want)
	}
}

// TestSetKeyAfterTrailingComments checks where a new key goes in a mapping
// whose last entry is followed by blank and comment lines: after them, as
// BuildStream 1.6.8's `bst track` writes a new ref (each want is its output).
func TestSetKeyAfterTrailingComments(t *testing.T) {
	head := "kind: import\nsources:\n- kind: git\n  url: r:repo\n"
	ref := "  ref: a540e01c6fb88e0188c267e16fc3fd6d0f4eecf1\n"
	tests := []struct{ name, body, tail string }{
		{"comment lines at the end of the file", "  track: master   # eol comment\n  # last comment\n", ""},
		{"blank line and comment before a key", "  track: master\n\n  # after blank\n", "variables:\n  x: y\n"},
		{"comments at any column", "  track: master\n  # indented comment\n# top comment\n", "variables:\n  x: y\n"},
		{"comment before the next sequence item", "  track: master\n  # end of first\n", "- kind: local\n  path: project.conf\n"},
		{"comments after a nested mapping", "  track: master\n  submodules:\n    foo:\n      checkout: false\n      # inner comment\n  # outer comment\n", ""},
		{"a blank line alone", "  track: master\n\n", "variables:\n  x: y\n"},
		{"comments and blank lines", "  track: master\n  # c1\n\n  # c2\n\n", "variables:\n  x: y\n"},
		{"blank lines at the end of the file", "  track: master\n  # c1\n\n\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := head + tt.body + tt.tail
			got, err := SetKey([]byte(src), "a.bst", 3, 2, "ref", "a540e01c6fb88e0188c267e16fc3fd6d0f4eecf1", QuoteTyped)
			if err != nil {
				t.Fatal(err)
			}
			if want := head + tt.body + ref + tt.tail; string(got) != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
