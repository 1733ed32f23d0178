package yamlnode_test

import (
	"testing"

	"example.org/bst/internal/yamlnode"
)

// fastCases are tricky documents and whether the fast path should read
// them itself (true) or leave them to yaml.v3 (false). Either way the
// result must be yaml.v3's.
var fastCases = []struct {
	name string
	doc  string
	fast bool
}{
	{"empty", "", true},
	{"blank lines only", "\n\n   \n", true},
	{"comments only", "# a\n  # b\n", true},
	{"comment after value", "a: b # c\nd: 'e' # f\n", true},
	{"hash inside plain", "a: b#c\nd: e #f\n", true},
	{"hash inside quotes", "a: '# not a comment'\nb: \"x # y\"\n", true},
	{"trailing spaces", "a: b   \nc:   \nd: 'e'  \n", true},
	{"plain with colon", "a: b:c\nurl: https://x.org/a:b\n", true},
	{"colon key", "a:b: c\n", true},
	{"quoted key with colon space", "'a: b': c\n\"d: e\" : f\n", true},
	{"key with nested block", "a:\n  b: c\n  d:\n    e: f\ng: h\n", true},
	{"null values", "a:\nb: ~\nc: null\nd: ''\ne: # comment\n", true},
	{"null at end", "a: b\nc:", true},
	{"sequence under key, same indent", "a:\n- b\n- c\nd: e\n", true},
	{"sequence under key, indented", "a:\n  - b\n  - c\nd: e\n", true},
	{"nested sequences", "a:\n- - b\n  - c\n- - - d\n", true},
	{"compact mappings", "a:\n- b: c\n  d: e\n- f: g\n  h:\n  - i\n", true},
	{"empty items", "a:\n-\n- \n- # c\n-\n  b: c\n", true},
	{"item on next line", "a:\n-\n  b\n- c\n", true},
	{"value on next line", "a:\n  b\nc: d\n", true},
	{"single quotes", "a: 'it''s'\nb: ''\nc: ''''\n", true},
	{"double quotes", "a: \"x\\ty\\n\\\\\\\"\"\nb: \"\\u00e9\\x41\\U0001F600\"\n", true},
	{"bad escape", "a: \"\\q\"\n", false},
	{"escaped surrogate", "a: \"\\ud800\"\n", false},
	{"escaped line break", "a: \"x\\\n  y\"\n", false},
	{"multi-line single quotes", "a: 'x\n  y'\n", false},
	{"multi-line plain", "a: x\n  y\n", true},
	{"multi-line plain in sequence", "a:\n- x\n  y\n- z\n", true},
	{"multi-line plain with blank lines", "a: x  \n\n  y\n   \n\n     z # c\nb:\n  c\n   d\n", true},
	{"multi-line plain with indicators", "a: x\n  - y\n  [z] 'w' &v *u !t %s |r >q\n", true},
	{"multi-line plain with colon", "a: x\n  y: z\n", false},
	{"multi-line plain then comment", "a: x\n  # y\n  z\n", false},
	{"multi-line plain key", "a\n b: c\n", false},
	{"literal", "a: |\n  x\n   y\n\n  z\n\nb: c\n", true},
	{"literal strip", "a: |-\n  x\n\n\nb: c\n", true},
	{"literal keep", "a: |+\n  x\n\n\nb: c\n", true},
	{"literal keep at end", "a: |+\n  x\n\n", true},
	{"literal no final newline", "a: |\n  x", true},
	{"literal empty", "a: |\nb: c\n", true},
	{"literal with comment", "a: | # c\n  x\n", true},
	{"literal with hash lines", "a: |\n  # x\n  y\n# z\n", true},
	{"literal more indented blank line", "a: |\n    \n  x\n", false},
	{"literal more indented blank line, then key", "a: |\n    \nb: x\n", true},
	{"literal in sequence", "a:\n- |\n  x\n- >-\n    y\n    z\n", true},
	{"folded", "a: >\n  x\n  y\n\n  z\n    w\n  v\n", true},
	{"folded keep", "a: >+\n  x\n  y\n\n", true},
	{"explicit indentation", "a: |2\n   x\n", false},
	{"tab in block scalar", "a: |\n  x\ty\n  \tz\n", true},
	{"tab indenting block scalar", "a: |\n\tx\n", false},
	{"flow", "a: []\nb: {}\nc: [x, 'y', \"z\"]\nd: {e: f, 'g': h}\n", true},
	{"flow nested", "a: [[b]]\n", false},
	{"flow trailing comma", "a: [b,]\n", false},
	{"flow multi-line", "a: [b,\n  c]\n", false},
	{"flow spaces in plain", "a: [b c]\n", false},
	{"flow duplicate key", "a: {b: c, b: d}\n", false},
	{"flow in sequence", "a:\n- [b]\n- {c: d}\n", true},
	{"anchor and alias", "a: &x b\nc: *x\n", false},
	{"tag", "a: !!str b\n", false},
	{"merge key", "a: {b: c}\nd:\n  <<: {e: f}\n", false},
	{"directive", "%YAML 1.2\n---\na: b\n", false},
	{"document start", "---\na: b\n", false},
	{"document end", "a: b\n...\n", false},
	{"two documents", "a: b\n---\nc: d\n", false},
	{"complex key", "? a\n: b\n", false},
	{"duplicate key", "a: b\na: c\n", false},
	{"duplicate quoted key", "a: b\n'a': c\n", false},
	{"tab indentation", "a:\n\tb: c\n", false},
	{"tab after colon", "a:\tb\n", false},
	{"CRLF", "a: b\r\nc: d\r\n", false},
	{"BOM", "\ufeffa: b\n", false},
	{"NEL", "a: b\u0085c\n", false},
	{"invalid UTF-8", "a: \xff\n", false},
	{"non-ASCII in flow plain", "ключ: значение\nk: 'é' # c\nl: ['é', ü]\n", false},
	{"non-ASCII columns", "ключ: значение\nk: 'é' # c\nl: ['é', u]\nm:\n- ü: [x]\n", true},
	{"top-level sequence", "- a\n", false},
	{"top-level scalar", "a\n", false},
	{"top-level indented mapping", "  a: b\n  c: d\n", true},
	{"mapping value on key line", "a: b: c\n", false},
	{"bad indentation", "a:\n    b: c\n  d: e\n", false},
	{"deeper line after scalar", "a: 'b'\n  c: d\n", false},
	{"dash value", "a: -b\nc: - d\n", false},
	{"dash plain", "a: -b\nc: --d\n", true},
	{"list directives", "a:\n  (>):\n  - b\n  (<): [c]\n(?):\n- x == 'y':\n    z: w\n", true},
	{"question mark value", "a: ?b\n", false},
	{"percent value", "a: %{b}\n", false},
	{"long flow key", "a:\n- {" + repeat("k", 1100) + ": b}\n", false},
	{"long key", "a" + string(make([]byte, 0)) + repeat("k", 1100) + ": b\n", false},
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

// fastTableDocs returns the documents of fastCases, as fuzz seeds.
func fastTableDocs() []string {
	docs := make([]string, len(fastCases))
	for i, c := range fastCases {
		docs[i] = c.doc
	}
	return docs
}

func TestFastParseCases(t *testing.T) {
	for _, c := range fastCases {
		t.Run(c.name, func(t *testing.T) {
			got := checkFast(t, []byte(c.doc), "case.yaml")
			if got != c.fast {
				t.Errorf("fast path handled %q: %v, want %v", c.doc, got, c.fast)
			}
			// Parse answers as the yaml.v3 path does, error or not.
			m, err := yamlnode.Parse([]byte(c.doc), "case.yaml")
			sm, serr := yamlnode.ParseYAML([]byte(c.doc), "case.yaml")
			if (err == nil) != (serr == nil) || err != nil && err.Error() != serr.Error() {
				t.Fatalf("Parse error %v, yaml.v3 path %v", err, serr)
			}
			if err == nil && snapshot(m) != snapshot(sm) {
				t.Fatalf("Parse:\n%s\nyaml.v3 path:\n%s", snapshot(m), snapshot(sm))
			}
		})
	}
}
