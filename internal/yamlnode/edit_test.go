package yamlnode

import "testing"

func TestSetKey(t *testing.T) {
	src := "kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: 0123\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\ndepends:\n- base.bst\n"
	tests := []struct {
		name      string
		line, col int32
		key       string
		value     any
		want      string
	}{
		{"replace plain", 4, 2, "ref", "abcd",
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: abcd\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\ndepends:\n- base.bst\n"},
		{"insert", 7, 2, "ref", "f00d",
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: 0123\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\n  ref: f00d\ndepends:\n- base.bst\n"},
		{"replace quoted keeps comment", 7, 2, "url", "https://z",
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: 0123\n- kind: git\n  url: https://z\n  track: master\ndepends:\n- base.bst\n"},
		{"insert list", 4, 2, "extra", []any{map[string]any{"name": "a", "sha": "1"}},
			"kind: autotools\n# a comment\nsources:\n- kind: tar\n  url: upstream:foo-1.0.tar.gz   # trailing comment\n  ref: 0123\n  extra:\n    - name: a\n      sha: \"1\"\n- kind: git\n  url: \"https://x/y.git\"\n  track: master\ndepends:\n- base.bst\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SetKey([]byte(src), "a.bst", tt.line, tt.col, tt.key, tt.value)
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
