package yamlnode_test

import (
	"fmt"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// Facts transcribed from BuildStream's own YAML tests: 1.6
// tests/yaml/yaml.py with tests/yaml/data/*.yaml, and 2.x
// tests/internals/yaml.py with tests/internals/yaml/*.yaml (same tables and
// documents, only comments differ). The documents are reproduced verbatim
// because the expected provenances count their lines and columns.
var upstreamDocs = map[string]string{
	"basics.yaml": `kind: pony
description: The vehicle of choice for rainbow travel
moods:
- happy
- sad
children:
- name: dopey
  mood: silly
- name: grumpy
  mood: grumpy
- name: happy
  mood: happy
- name: doc
  mood: happy
- name: sneezy
  mood: curious
- name: bashful
  mood: bashful
- name: sleepy
  mood: sleepy
extra:
  this: that
  old: new



`,
	"composite.yaml": `kind: horse
description: The horse you ride
children:
- name: extra
  mood: funny
extra:
  old: override
  another:
    one: one
    two: two
`,
	"convert_value_to_str.yaml": `Test1: 1_23_4
Test2: 1.23.4
Test3: 1.20
Test4: OneTwoThree
`,
	"implicitoverwrite.yaml": `# Composited on top of basics.yaml, overwriting it's children list
children:
- name: overwrite1
  mood: overwrite1
- name: overwrite2
  mood: overwrite2
`,
	"invalid.yaml": `kind: pony
description: The vehicle of choice for rainbow travel
mods:
  - happy
  - sad
children:
  - naam: dopey
    mood: silly
`,
	"listappend.yaml": `# Composited on top of basics.yaml, appending to it's children list
children:
  (>):
  - name: appended1
    mood: appended1
  - name: appended2
    mood: appended2
`,
	"listappendprepend.yaml": `# Composited on top of basics.yaml, prepending and appending to it's children list
children:
  (<):
  - name: prepended1
    mood: prepended1
  - name: prepended2
    mood: prepended2
  (>):
  - name: appended1
    mood: appended1
  - name: appended2
    mood: appended2
`,
	"listoverwrite.yaml": `# Composited on top of basics.yaml, overwriting it's children list
children:
  (=):
  - name: overwrite1
    mood: overwrite1
  - name: overwrite2
    mood: overwrite2
`,
	"listoverwriteempty.yaml": `# Composited on top of basics.yaml, effectively deleting its children list
children:
  (=): []
`,
	"listprepend.yaml": `# Composited on top of basics.yaml, prepending to it's children list
children:
  (<):
  - name: prepended1
    mood: prepended1
  - name: prepended2
    mood: prepended2
`,
	"secondappend.yaml": `# Composited on top of listappend.yaml, appending to it's children list
children:
  (>):
  - name: secondappend1
    mood: secondappend1
  - name: secondappend2
    mood: secondappend2
`,
	"secondprepend.yaml": `# Composited on top of listprepend.yaml, prepending to it's children list
children:
  (<):
  - name: secondprepend1
    mood: secondprepend1
  - name: secondprepend2
    mood: secondprepend2
`,
	// 2.x only
	"list-of-dict.yaml": `list:
- key1: one
  key2: two
- key1: one
  key2: two
`,
	"list-of-list.yaml": `list:
- [ "one", "two" ]
- [ "one", "two" ]
`,
}

func upstream(t *testing.T, name string) *yamlnode.Mapping {
	t.Helper()
	src, ok := upstreamDocs[name]
	if !ok {
		t.Fatalf("no document %s", name)
	}
	return mustParse(t, name, src)
}

// checkChild asserts children[index].mood and its provenance, as
// test_list_composition does.
func checkChild(t *testing.T, root *yamlnode.Mapping, index, length int, mood, file string, line, col int32) {
	t.Helper()
	children, err := root.SequenceAt("children")
	if err != nil || children == nil {
		t.Fatalf("children: %v, %v", children, err)
	}
	if len(children.Items) != length {
		t.Fatalf("len(children) = %d, want %d", len(children.Items), length)
	}
	child, ok := children.Items[index].(*yamlnode.Mapping)
	if !ok {
		t.Fatalf("children[%d] is %T", index, children.Items[index])
	}
	got, _, err := child.String("mood")
	if err != nil || got != mood {
		t.Errorf("children[%d].mood = %q, %v; want %q", index, got, err, mood)
	}
	p := child.Get("mood").Pos()
	if p.File != file || p.Line != line || p.Col != col {
		t.Errorf("children[%d].mood provenance %s, want %s [line %d column %d]", index, p, file, line, col)
	}
}

func TestUpstreamLoad(t *testing.T) {
	base := upstream(t, "basics.yaml")
	if kind, _, _ := base.String("kind"); kind != "pony" {
		t.Errorf("kind = %q", kind)
	}
	// test_basic_provenance, test_member_provenance, test_element_provenance
	for _, tc := range []struct {
		path      string
		line, col int32
	}{
		{"", 1, 0},
		{"description", 2, 13},
		{"moods/1", 5, 2},
		{"children/6/mood", 20, 8},
	} {
		if p := at(base, tc.path).Pos(); p.File != "basics.yaml" || p.Line != tc.line || p.Col != tc.col {
			t.Errorf("%q: provenance %s, want line %d column %d", tc.path, p, tc.line, tc.col)
		}
	}
	// test_node_get
	children, err := base.SequenceAt("children")
	if err != nil || len(children.Items) != 7 {
		t.Errorf("children: %v, %v", children, err)
	}
	extra, err := base.MappingAt("extra")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := extra.MappingAt("old"); bsterr.ReasonOf(err) != bsterr.InvalidData {
		t.Errorf("extra.MappingAt(old) = %v, want INVALID_DATA", err)
	}
	// test_node_validate / test_mapping_validate_keys
	valid := []string{"kind", "description", "moods", "children", "extra"}
	if err := base.ValidateKeys(valid...); err != nil {
		t.Errorf("ValidateKeys(basics) = %v", err)
	}
	err = upstream(t, "invalid.yaml").ValidateKeys(valid...)
	if e := bstErr(err); e == nil || e.Reason != bsterr.InvalidData || e.Prov == nil || e.Prov.Line != 4 {
		t.Errorf("ValidateKeys(invalid) = %v, want INVALID_DATA at the value of 'mods' (line 4)", err)
	}
	// test_convert_value_to_string, test_value_doesnt_match_expected
	conv := upstream(t, "convert_value_to_str.yaml")
	for key, want := range map[string]string{"Test1": "1_23_4", "Test2": "1.23.4", "Test3": "1.20", "Test4": "OneTwoThree"} {
		if got, _, err := conv.String(key); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", key, got, err, want)
		}
	}
	if _, err := conv.Int("Test4", 0); bsterr.ReasonOf(err) != bsterr.InvalidData {
		t.Errorf("Int(Test4) = %v, want INVALID_DATA", err)
	}
	// 2.x test_get_str_list_invalid, test_get_str_list_default_none
	for _, name := range []string{"list-of-dict.yaml", "list-of-list.yaml"} {
		doc := upstream(t, name)
		_, err := doc.StringList("list")
		e := bstErr(err)
		if e == nil || e.Reason != bsterr.InvalidData || e.Prov == nil || e.Prov.String() != name+" [line 2 column 2]" {
			t.Errorf("%s: StringList = %v, want INVALID_DATA at %s [line 2 column 2]", name, err, name)
		}
		if l, err := doc.StringList("pony"); l != nil || err != nil {
			t.Errorf("%s: StringList(pony) = %v, %v; want nil, nil", name, l, err)
		}
	}
}

// test_composite_preserve_originals: compositing onto a copy leaves the
// original alone.
func TestUpstreamCompositePreserveOriginals(t *testing.T) {
	base := upstream(t, "basics.yaml")
	before := snapshot(base)
	cp := base.CloneMapping()
	if err := yamlnode.Composite(cp, upstream(t, "composite.yaml")); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := at(cp, "extra").(*yamlnode.Mapping).String("old"); got != "override" {
		t.Errorf("copy extra.old = %q, want override", got)
	}
	if got, _, _ := at(base, "extra").(*yamlnode.Mapping).String("old"); got != "new" {
		t.Errorf("original extra.old = %q, want new", got)
	}
	if after := snapshot(base); after != before {
		t.Errorf("original changed:\n%s\nwas\n%s", after, before)
	}
	want := `{"children": [{"mood": "funny", "name": "extra"}], "description": "The horse you ride", "extra": {"another": {"one": "one", "two": "two"}, "old": "override", "this": "that"}, "kind": "horse", "moods": ["happy", "sad"]}`
	if got := flat(yamlnode.Plain(cp, false)); got != want {
		t.Errorf("composited =\n %s\nwant\n %s", got, want)
	}
}

// test_list_composition: each file composited onto basics.yaml.
func TestUpstreamListComposition(t *testing.T) {
	tests := []struct {
		file          string
		index, length int
		mood          string
		provFile      string
		line, col     int32
	}{
		// (<) prepend
		{"listprepend.yaml", 0, 9, "prepended1", "listprepend.yaml", 5, 10},
		{"listprepend.yaml", 1, 9, "prepended2", "listprepend.yaml", 7, 10},
		{"listprepend.yaml", 2, 9, "silly", "basics.yaml", 8, 8},
		{"listprepend.yaml", 8, 9, "sleepy", "basics.yaml", 20, 8},
		// (>) append
		{"listappend.yaml", 7, 9, "appended1", "listappend.yaml", 5, 10},
		{"listappend.yaml", 8, 9, "appended2", "listappend.yaml", 7, 10},
		{"listappend.yaml", 0, 9, "silly", "basics.yaml", 8, 8},
		{"listappend.yaml", 6, 9, "sleepy", "basics.yaml", 20, 8},
		// (<) and (>)
		{"listappendprepend.yaml", 0, 11, "prepended1", "listappendprepend.yaml", 5, 10},
		{"listappendprepend.yaml", 1, 11, "prepended2", "listappendprepend.yaml", 7, 10},
		{"listappendprepend.yaml", 2, 11, "silly", "basics.yaml", 8, 8},
		{"listappendprepend.yaml", 8, 11, "sleepy", "basics.yaml", 20, 8},
		{"listappendprepend.yaml", 9, 11, "appended1", "listappendprepend.yaml", 10, 10},
		{"listappendprepend.yaml", 10, 11, "appended2", "listappendprepend.yaml", 12, 10},
		// (=) overwrite
		{"listoverwrite.yaml", 0, 2, "overwrite1", "listoverwrite.yaml", 5, 10},
		{"listoverwrite.yaml", 1, 2, "overwrite2", "listoverwrite.yaml", 7, 10},
		// a literal list overwrites implicitly
		{"implicitoverwrite.yaml", 0, 2, "overwrite1", "implicitoverwrite.yaml", 4, 8},
		{"implicitoverwrite.yaml", 1, 2, "overwrite2", "implicitoverwrite.yaml", 6, 8},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.file, tc.index), func(t *testing.T) {
			base := upstream(t, "basics.yaml")
			if err := yamlnode.Composite(base, upstream(t, tc.file)); err != nil {
				t.Fatal(err)
			}
			checkChild(t, base, tc.index, tc.length, tc.mood, tc.provFile, tc.line, tc.col)
			if err := yamlnode.FinalAssertions(base); err != nil {
				t.Errorf("FinalAssertions: %v", err)
			}
		})
	}
}

// test_list_deletion
func TestUpstreamListDeletion(t *testing.T) {
	base := upstream(t, "basics.yaml")
	if err := yamlnode.Composite(base, upstream(t, "listoverwriteempty.yaml")); err != nil {
		t.Fatal(err)
	}
	children, err := base.SequenceAt("children")
	if err != nil || children == nil || len(children.Items) != 0 {
		t.Errorf("children = %v, %v; want an empty list", children, err)
	}
	if err := yamlnode.FinalAssertions(base); err != nil {
		t.Errorf("FinalAssertions: %v", err)
	}
}

// test_list_composition_twice: two files composited onto basics.yaml, in
// two ways that must agree: one after the other onto the base ("round 1"),
// and the second onto the first, then the result onto the base ("round 2",
// where a composite list is composited onto a composite list).
func TestUpstreamListCompositionTwice(t *testing.T) {
	tests := []struct {
		file1, file2  string
		index, length int
		mood          string
		provFile      string
		line, col     int32
	}{
		// (<) then (>)
		{"listprepend.yaml", "listappend.yaml", 0, 11, "prepended1", "listprepend.yaml", 5, 10},
		{"listprepend.yaml", "listappend.yaml", 1, 11, "prepended2", "listprepend.yaml", 7, 10},
		{"listprepend.yaml", "listappend.yaml", 2, 11, "silly", "basics.yaml", 8, 8},
		{"listprepend.yaml", "listappend.yaml", 8, 11, "sleepy", "basics.yaml", 20, 8},
		{"listprepend.yaml", "listappend.yaml", 9, 11, "appended1", "listappend.yaml", 5, 10},
		{"listprepend.yaml", "listappend.yaml", 10, 11, "appended2", "listappend.yaml", 7, 10},
		// (>) then (<)
		{"listappend.yaml", "listprepend.yaml", 0, 11, "prepended1", "listprepend.yaml", 5, 10},
		{"listappend.yaml", "listprepend.yaml", 1, 11, "prepended2", "listprepend.yaml", 7, 10},
		{"listappend.yaml", "listprepend.yaml", 2, 11, "silly", "basics.yaml", 8, 8},
		{"listappend.yaml", "listprepend.yaml", 8, 11, "sleepy", "basics.yaml", 20, 8},
		{"listappend.yaml", "listprepend.yaml", 9, 11, "appended1", "listappend.yaml", 5, 10},
		{"listappend.yaml", "listprepend.yaml", 10, 11, "appended2", "listappend.yaml", 7, 10},
		// (>) then (>)
		{"listappend.yaml", "secondappend.yaml", 0, 11, "silly", "basics.yaml", 8, 8},
		{"listappend.yaml", "secondappend.yaml", 6, 11, "sleepy", "basics.yaml", 20, 8},
		{"listappend.yaml", "secondappend.yaml", 7, 11, "appended1", "listappend.yaml", 5, 10},
		{"listappend.yaml", "secondappend.yaml", 8, 11, "appended2", "listappend.yaml", 7, 10},
		{"listappend.yaml", "secondappend.yaml", 9, 11, "secondappend1", "secondappend.yaml", 5, 10},
		{"listappend.yaml", "secondappend.yaml", 10, 11, "secondappend2", "secondappend.yaml", 7, 10},
		// (<) then (<)
		{"listprepend.yaml", "secondprepend.yaml", 0, 11, "secondprepend1", "secondprepend.yaml", 5, 10},
		{"listprepend.yaml", "secondprepend.yaml", 1, 11, "secondprepend2", "secondprepend.yaml", 7, 10},
		{"listprepend.yaml", "secondprepend.yaml", 2, 11, "prepended1", "listprepend.yaml", 5, 10},
		{"listprepend.yaml", "secondprepend.yaml", 3, 11, "prepended2", "listprepend.yaml", 7, 10},
		{"listprepend.yaml", "secondprepend.yaml", 4, 11, "silly", "basics.yaml", 8, 8},
		{"listprepend.yaml", "secondprepend.yaml", 10, 11, "sleepy", "basics.yaml", 20, 8},
		// (>) or (<), then a literal list
		{"listappend.yaml", "implicitoverwrite.yaml", 0, 2, "overwrite1", "implicitoverwrite.yaml", 4, 8},
		{"listappend.yaml", "implicitoverwrite.yaml", 1, 2, "overwrite2", "implicitoverwrite.yaml", 6, 8},
		{"listprepend.yaml", "implicitoverwrite.yaml", 0, 2, "overwrite1", "implicitoverwrite.yaml", 4, 8},
		{"listprepend.yaml", "implicitoverwrite.yaml", 1, 2, "overwrite2", "implicitoverwrite.yaml", 6, 8},
		// (>) or (<), then (=)
		{"listappend.yaml", "listoverwrite.yaml", 0, 2, "overwrite1", "listoverwrite.yaml", 5, 10},
		{"listappend.yaml", "listoverwrite.yaml", 1, 2, "overwrite2", "listoverwrite.yaml", 7, 10},
		{"listprepend.yaml", "listoverwrite.yaml", 0, 2, "overwrite1", "listoverwrite.yaml", 5, 10},
		{"listprepend.yaml", "listoverwrite.yaml", 1, 2, "overwrite2", "listoverwrite.yaml", 7, 10},
		// (=), then (>) or (<)
		{"listoverwrite.yaml", "listappend.yaml", 0, 4, "overwrite1", "listoverwrite.yaml", 5, 10},
		{"listoverwrite.yaml", "listappend.yaml", 1, 4, "overwrite2", "listoverwrite.yaml", 7, 10},
		{"listoverwrite.yaml", "listappend.yaml", 2, 4, "appended1", "listappend.yaml", 5, 10},
		{"listoverwrite.yaml", "listappend.yaml", 3, 4, "appended2", "listappend.yaml", 7, 10},
		{"listoverwrite.yaml", "listprepend.yaml", 0, 4, "prepended1", "listprepend.yaml", 5, 10},
		{"listoverwrite.yaml", "listprepend.yaml", 1, 4, "prepended2", "listprepend.yaml", 7, 10},
		{"listoverwrite.yaml", "listprepend.yaml", 2, 4, "overwrite1", "listoverwrite.yaml", 5, 10},
		{"listoverwrite.yaml", "listprepend.yaml", 3, 4, "overwrite2", "listoverwrite.yaml", 7, 10},
	}
	for _, tc := range tests {
		name := fmt.Sprintf("%s+%s/%d", tc.file1, tc.file2, tc.index)
		t.Run(name+"/round1", func(t *testing.T) {
			base := upstream(t, "basics.yaml")
			for _, f := range []string{tc.file1, tc.file2} {
				if err := yamlnode.Composite(base, upstream(t, f)); err != nil {
					t.Fatal(err)
				}
			}
			checkChild(t, base, tc.index, tc.length, tc.mood, tc.provFile, tc.line, tc.col)
			if err := yamlnode.FinalAssertions(base); err != nil {
				t.Errorf("FinalAssertions: %v", err)
			}
		})
		t.Run(name+"/round2", func(t *testing.T) {
			base := upstream(t, "basics.yaml")
			overlay1 := upstream(t, tc.file1)
			if err := yamlnode.Composite(overlay1, upstream(t, tc.file2)); err != nil {
				t.Fatal(err)
			}
			// Until it lands on a real list, the composite list must stay
			// pending: FinalAssertions on the overlay alone complains.
			if yamlnode.FinalAssertions(overlay1) == nil && tc.file2 != "implicitoverwrite.yaml" {
				t.Errorf("FinalAssertions(overlay1+overlay2) = nil, want TRAILING_LIST_DIRECTIVE")
			}
			if err := yamlnode.Composite(base, overlay1); err != nil {
				t.Fatal(err)
			}
			checkChild(t, base, tc.index, tc.length, tc.mood, tc.provFile, tc.line, tc.col)
			if err := yamlnode.FinalAssertions(base); err != nil {
				t.Errorf("FinalAssertions: %v", err)
			}
		})
	}
}

// tests/format/listdirectiveerrors.py (1.6 and 2.x): a list directive that
// never meets a list is TRAILING_LIST_DIRECTIVE, located at the directive's
// list (the provenances are those 1.6.8 printed, recorded in the conformance
// expectations).
func TestUpstreamTrailingListDirective(t *testing.T) {
	tests := []struct {
		file, section, src string
		line, col          int32
	}{
		{"variables.bst", "variables", "kind: autotools\n\nvariables:\n  foo:\n    (<):\n    - name: Prepending\n    - value: To something that doesnt exist\n", 6, 4},
		{"environment.bst", "environment", "kind: autotools\n\nenvironment:\n  foo:\n    (=):\n    - name: Overriding\n    - value: Something that doesnt exist\n", 6, 4},
		{"config.bst", "config", "kind: autotools\n\nconfig:\n  outigration-frob-mans:\n    (>):\n    - name: Appending to something\n    - value: that is not integration-commands\n", 6, 4},
		{"public.bst", "public", "kind: autotools\n\npublic:\n  foo:\n    the-foo-list:\n      (>):\n      - name: Appending to something\n      - value: that does not exist\n", 7, 6},
		{"project.conf", "", "name: test\n\nnon-existant:\n  (>):\n  - name: Appending\n  - value: To something that doesnt exist\n", 5, 2},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			doc := mustParse(t, tc.file, tc.src)
			source := doc
			if tc.section != "" {
				var err error
				if source, err = doc.MappingAt(tc.section); err != nil {
					t.Fatal(err)
				}
			}
			// The plugin's defaults have no list there.
			target := mustParse(t, "defaults.yaml", "foo: bar-is-not-here\nother: [x]\n")
			target.Delete("foo")
			if err := yamlnode.Composite(target, source); err != nil {
				t.Fatal(err)
			}
			err := yamlnode.FinalAssertions(target)
			e := bstErr(err)
			if e == nil || e.Reason != bsterr.TrailingListDirective {
				t.Fatalf("FinalAssertions = %v, want TRAILING_LIST_DIRECTIVE", err)
			}
			if e.Prov == nil || e.Prov.String() != fmt.Sprintf("%s [line %d column %d]", tc.file, tc.line, tc.col) {
				t.Errorf("provenance %v, want %s [line %d column %d]", e.Prov, tc.file, tc.line, tc.col)
			}
		})
	}
}
