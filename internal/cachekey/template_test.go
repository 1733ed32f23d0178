package cachekey

import "testing"

func TestTemplateMatchesGenerate(t *testing.T) {
	base := Dict{
		{Name: "artifact-version", Value: "('bst-1.2', 5).0"},
		{Name: "element", Value: map[string]any{"b": []string{"x"}, "a": 1}},
		{Name: "public", Value: map[string]any{}},
		{Name: "sources", Value: []any{map[string]any{"directory": nil, "unique": []any{"u", "r"}}}},
	}
	tmpl, err := NewTemplate(base, "dependencies", "weak-cache-key")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []Dict{
		{},
		{{Name: "dependencies", Value: []any{}}},
		{{Name: "dependencies", Value: []any{"a.bst", "b.bst"}}},
		{{Name: "dependencies", Value: []any{[]any{"p", "a.bst", "k"}}}, {Name: "weak-cache-key", Value: "abc"}},
		{{Name: "weak-cache-key", Value: "abc"}},
	} {
		full := base
		for _, f := range tc {
			full = full.With(f.Name, f.Value)
		}
		if got, want := tmpl.Generate(tc), Generate(full); got != want {
			t.Errorf("%v: template %s, Generate %s", tc, got, want)
		}
	}
	if _, err := NewTemplate(base, "element"); err == nil {
		t.Error("a hole named like a field must be refused")
	}
}
