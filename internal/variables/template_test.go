package variables

import (
	"slices"
	"testing"
)

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		in    string
		lits  []string // nil: literal template
		names []string
	}{
		{"", nil, nil},
		{"plain text", nil, nil},
		{"%{a}", []string{"", ""}, []string{"a"}},
		{"x%{a}y%{b-c_d9}z", []string{"x", "y", "z"}, []string{"a", "b-c_d9"}},
		{"%{a}%{a}", []string{"", "", ""}, []string{"a", "a"}},
		// No escapes in either generation.
		{"%%{a}", []string{"%", ""}, []string{"a"}},
		{"%{%{a}}", []string{"%{", "}"}, []string{"a"}},
		// Not references: left literally.
		{"%{", nil, nil},
		{"%{a", nil, nil},
		{"%{ a}", nil, nil},
		{"%{a }", nil, nil},
		{"%{1a}", nil, nil},
		{"%{-a}", nil, nil},
		{"%{_a}", nil, nil},
		{"%{}", nil, nil},
		{"%{a.b}", nil, nil},
		{"%{é}", nil, nil},
		{"${a} {a} %a", nil, nil},
		{"% {a}", nil, nil},
		{"%{a\n}", nil, nil},
		// A failed match restarts one byte later.
		{"%{b %{a}", []string{"%{b ", ""}, []string{"a"}},
		{"%{%{a", nil, nil},
		{"%{A-}", []string{"", ""}, []string{"A-"}},
	}
	for _, tt := range tests {
		tm := parseTemplate(tt.in)
		if tm.String() != tt.in {
			t.Errorf("parse(%q).String() = %q", tt.in, tm.String())
		}
		if tm.IsLiteral() != (tt.names == nil) {
			t.Errorf("parse(%q).IsLiteral() = %v", tt.in, tm.IsLiteral())
		}
		if !slices.Equal(tm.Refs(), tt.names) {
			t.Errorf("parse(%q).Refs() = %q, want %q", tt.in, tm.Refs(), tt.names)
		}
		wantLits := tt.lits
		if wantLits == nil {
			wantLits = []string{tt.in}
		}
		if !slices.Equal(tm.Literals(), wantLits) {
			t.Errorf("parse(%q).Literals() = %q, want %q", tt.in, tm.Literals(), wantLits)
		}
	}
}

func TestParserMemoizes(t *testing.T) {
	p := NewParser()
	a := p.Parse("%{prefix}/lib")
	b := p.Parse(string([]byte("%{prefix}/lib")))
	if a != b {
		t.Error("Parse returned different templates for equal strings")
	}
	var zero Parser
	if got := zero.Parse("%{x}").Refs(); !slices.Equal(got, []string{"x"}) {
		t.Errorf("zero Parser: Refs() = %q", got)
	}
}
