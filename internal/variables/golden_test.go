package variables

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"example.org/bst/internal/bsterr"
)

// goldenCase is one case of testdata/golden_bst16.json, recorded from the
// installed BuildStream 1.6 by testdata/gen_golden.py.
type goldenCase struct {
	File   string                   `json:"file"`
	Defs   [][2]string              `json:"defs"`
	Check  goldenOutcome            `json:"check"`
	Get    map[string]goldenOutcome `json:"get"`
	Subst  [][2]json.RawMessage     `json:"subst"`
	substs []goldenSubst
}

type goldenSubst struct {
	expr string
	want goldenOutcome
}

type goldenOutcome struct {
	Value   *string `json:"value"`
	Reason  string  `json:"reason"`
	Message string  `json:"message"`
	Detail  string  `json:"detail"`
}

func loadGolden(t testing.TB) []goldenCase {
	t.Helper()
	data, err := os.ReadFile("testdata/golden_bst16.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for i := range cases {
		for _, s := range cases[i].Subst {
			var g goldenSubst
			if err := json.Unmarshal(s[0], &g.expr); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(s[1], &g.want); err != nil {
				t.Fatal(err)
			}
			cases[i].substs = append(cases[i].substs, g)
		}
	}
	return cases
}

func (c *goldenCase) defs() []Def {
	defs := make([]Def, len(c.Defs))
	for j, d := range c.Defs {
		defs[j] = Def{Name: d[0], Value: d[1], Prov: bsterr.Provenance{File: c.File, Line: int32(j + 1), Col: int32(len(d[0]) + 2)}}
	}
	return defs
}

func checkOutcome(t *testing.T, what string, got string, err error, want goldenOutcome) {
	t.Helper()
	if want.Value != nil {
		if err != nil || got != *want.Value {
			t.Errorf("%s = %q, %v; want %q", what, got, err, *want.Value)
		}
		return
	}
	var be *bsterr.Error
	if !errors.As(err, &be) {
		t.Errorf("%s = %q, %v; want %s error %q", what, got, err, want.Reason, want.Message)
		return
	}
	if string(be.Reason) != want.Reason || be.Error() != want.Message || be.Detail != want.Detail {
		t.Errorf("%s error:\n got %s %q\n     %q\nwant %s %q\n     %q", what,
			be.Reason, be.Error(), be.Detail, want.Reason, want.Message, want.Detail)
	}
	if be.Domain != bsterr.DomainLoad {
		t.Errorf("%s: domain %s, want LOAD", what, be.Domain)
	}
}

// TestGoldenBuildStream16 replays what BuildStream 1.6 reports for random
// tables: Check's first error, each variable's value or error, and Expand.
// Each case runs on one layer and split over three layers, for both
// generations (whose resolvers are the same).
func TestGoldenBuildStream16(t *testing.T) {
	p := NewParser()
	for _, c := range loadGolden(t) {
		defs := c.defs()
		n := len(defs)
		layouts := map[string]func(Generation) *Table{
			"flat": func(g Generation) *Table { return NewTable(p, g, defs) },
			"layered": func(g Generation) *Table {
				return NewTable(p, g, defs[:n/3]).Extend(defs[n/3 : 2*n/3]).Extend(defs[2*n/3:])
			},
		}
		for lname, mk := range layouts {
			for _, gen := range []Generation{BuildStream1, BuildStream2} {
				t.Run(c.File+"/"+lname+"/"+gen.String(), func(t *testing.T) {
					tab := mk(gen)
					checkOutcome(t, "Check()", "", tab.Check(), c.Check)
					for name, want := range c.Get {
						v, ok, err := tab.Get(name)
						if !ok {
							t.Errorf("Get(%q): not found", name)
						}
						checkOutcome(t, "Get("+name+")", v, err, want)
					}
					for _, s := range c.substs {
						v, err := tab.Expand(s.expr, bsterr.Provenance{File: "expr.bst", Line: 9, Col: 3})
						checkOutcome(t, "Expand("+s.expr+")", v, err, s.want)
					}
				})
			}
		}
	}
}
