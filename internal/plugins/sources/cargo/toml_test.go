package cargo

import (
	"encoding/json"
	"reflect"
	"testing"
)

// plain turns a parsed table into JSON-like values for comparison.
func plain(v any) any {
	switch x := v.(type) {
	case *table:
		m := map[string]any{}
		for _, k := range x.keys {
			m[k] = plain(x.vals[k])
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case rawValue:
		return "raw:" + string(x)
	}
	return v
}

const sample = `# A comment
version = 3
"quoted key" = 'literal \n'
bare-key_1 = "esc \"q\" \\ \u00e9 \t"
date = 1979-05-27 07:32:00Z
multi = """
first \
   second
third"""
lit = '''
raw \n ''line'''
arr = [
  "a", # comment
  "b",
]
nested = [[1, 2], ["x"]]
inline = { a = 1, b.c = "d", e = [ { f = true } ] }
dotted.x = 1
dotted.y.z = "w"

[[package]]
name = "adler"
version = "1.0.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "f26201604c87b1e01bd3d98f8d5d9a8fcbb815e8cedb41ffccbeb4bf593a35fe"

[[package]]
name = "app"
dependencies = [
 "adler",
]

[table.sub]
k = "v"

[table]
top = 1

[metadata]
"checksum adler 1.0.2 (registry+https://github.com/rust-lang/crates.io-index)" = "abc"
`

const sampleJSON = `{
 "version": "raw:3",
 "quoted key": "literal \\n",
 "bare-key_1": "esc \"q\" \\ é \t",
 "date": "raw:1979-05-27 07:32:00Z",
 "multi": "first second\nthird",
 "lit": "raw \\n ''line",
 "arr": ["a", "b"],
 "nested": [["raw:1", "raw:2"], ["x"]],
 "inline": {"a": "raw:1", "b": {"c": "d"}, "e": [{"f": "raw:true"}]},
 "dotted": {"x": "raw:1", "y": {"z": "w"}},
 "package": [
  {"name": "adler", "version": "1.0.2", "source": "registry+https://github.com/rust-lang/crates.io-index",
   "checksum": "f26201604c87b1e01bd3d98f8d5d9a8fcbb815e8cedb41ffccbeb4bf593a35fe"},
  {"name": "app", "dependencies": ["adler"]}
 ],
 "table": {"sub": {"k": "v"}, "top": "raw:1"},
 "metadata": {"checksum adler 1.0.2 (registry+https://github.com/rust-lang/crates.io-index)": "abc"}
}`

func TestParseTOML(t *testing.T) {
	got, err := parseTOML(sample)
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal([]byte(sampleJSON), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(plain(got), want) {
		g, _ := json.MarshalIndent(plain(got), "", " ")
		t.Errorf("parsed:\n%s", g)
	}
	// What formatTOML writes parses back to the same values.
	again, err := parseTOML(formatTOML(got))
	if err != nil {
		t.Fatalf("%v in:\n%s", err, formatTOML(got))
	}
	if !reflect.DeepEqual(plain(again), want) {
		t.Errorf("round trip differs:\n%s", formatTOML(got))
	}
}

func TestParseTOMLErrors(t *testing.T) {
	for _, src := range []string{
		"a = ",
		"a = \"unterminated\n",
		"a = 1\na = 2\n",
		"[a]\nb = 1\n[[a]]\n",
		"a = [1, 2\n",
		"a = { b = 1 \n",
		"= 1\n",
		"a = 1 b = 2\n",
		"a = \"\\q\"\n",
	} {
		if _, err := parseTOML(src); err == nil {
			t.Errorf("%q: no error", src)
		}
	}
}
