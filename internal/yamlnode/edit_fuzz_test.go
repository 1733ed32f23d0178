package yamlnode_test

import (
	"testing"
	"unicode/utf8"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// mappings returns the mappings of doc in document order.
func mappings(n yamlnode.Node, out []*yamlnode.Mapping) []*yamlnode.Mapping {
	switch t := n.(type) {
	case *yamlnode.Mapping:
		out = append(out, t)
		for _, v := range t.Vals {
			out = mappings(v, out)
		}
	case *yamlnode.Sequence:
		for _, it := range t.Items {
			out = mappings(it, out)
		}
	}
	return out
}

// FuzzSetKey edits every mapping of a document with a key and a value
// made from the fuzz input, in both quotings: an edit either fails or
// gives a document that parses and holds the value (SetKey checks the
// latter itself); nothing panics. Then it deletes the key again.
func FuzzSetKey(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, "ref", "abc")
	}
	f.Add("sources:\n- kind: git\n  url: u\n  tags:\n  - tag: a\n", "tags", "False")
	f.Add("a:\n  b: c\n", "b", "a: b")
	f.Fuzz(func(t *testing.T, doc, key, value string) {
		// Any text (valid UTF-8) can be written as a value and reads back.
		if utf8.ValidString(value) {
			for _, q := range []yamlnode.Quoting{yamlnode.QuoteTyped, yamlnode.QuotePlain} {
				if _, err := yamlnode.SetKey([]byte("a: b\nk: x\n"), "f.bst", 1, 0, "k", value, q); err != nil {
					t.Fatalf("SetKey(%q), quoting %d: %v", value, q, err)
				}
			}
		}
		root, err := yamlnode.Parse([]byte(doc), "f.bst")
		if err != nil || key == "" {
			return
		}
		ms := mappings(root, nil)
		if len(ms) > 6 {
			ms = ms[:6] // big seeds would make each run slow
		}
		for _, m := range ms {
			if m.P.Line == 0 {
				continue
			}
			tag := yamlnode.NewMapping(bsterr.Provenance{})
			tag.Set("tag", yamlnode.NewScalar(value, bsterr.Provenance{}))
			tag.Set("annotated", yamlnode.NewScalar("True", bsterr.Provenance{}))
			for _, v := range []any{value, &yamlnode.Sequence{Items: []yamlnode.Node{tag}}} {
				for _, q := range []yamlnode.Quoting{yamlnode.QuoteTyped, yamlnode.QuotePlain} {
					out, err := yamlnode.SetKey([]byte(doc), "f.bst", m.P.Line, m.P.Col, key, v, q)
					if err != nil {
						continue
					}
					if _, err := yamlnode.Parse(out, "f.bst"); err != nil {
						t.Fatalf("SetKey(%q, %q) gave a document that does not parse: %v\n%s", key, value, err, out)
					}
					if _, err := yamlnode.DeleteKey(out, "f.bst", m.P.Line, m.P.Col, key); err != nil && bsterr.ReasonOf(err) != yamlnode.CannotEditInPlace {
						t.Fatalf("DeleteKey after SetKey: %v\n%s", err, out)
					}
				}
			}
		}
	})
}
