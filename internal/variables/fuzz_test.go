package variables

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
)

// FuzzExpand checks the parser against BuildStream's regular expression and
// Expand's basic laws.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{
		"", "plain", "%{a}", "x%{a}y%{b-c}z", "%%{a}", "%{%{a}}", "%{", "%{ a}", "%{1}",
		"%{a", "}%{", "%{b %{a}", "%{é}", "\x00%{a}\xff", "%{a}%{a}%{nope}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		re := regexp.MustCompile(`%\{([a-zA-Z][a-zA-Z0-9_-]*)\}`)
		tm := parseTemplate(s)

		// Refs are the regexp's matches, and the pieces rebuild s.
		var want []string
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			want = append(want, m[1])
		}
		if !slices.Equal(tm.Refs(), want) {
			t.Fatalf("Refs(%q) = %q, regexp finds %q", s, tm.Refs(), want)
		}
		lits := tm.Literals()
		if len(lits) != len(tm.Refs())+1 {
			t.Fatalf("%d literals for %d refs", len(lits), len(tm.Refs()))
		}
		var b strings.Builder
		for i, name := range tm.Refs() {
			b.WriteString(lits[i] + "%{" + name + "}")
		}
		b.WriteString(lits[len(lits)-1])
		if b.String() != s {
			t.Fatalf("pieces of %q rebuild %q", s, b.String())
		}

		prov := bsterr.Provenance{File: "f.bst", Line: 1, Col: 1}
		empty := NewTable(NewParser(), BuildStream2, nil)
		got, err := empty.Expand(s, prov)
		if tm.IsLiteral() {
			if err != nil || got != s {
				t.Fatalf("Expand(%q) with no references = %q, %v", s, got, err)
			}
		} else if bsterr.ReasonOf(err) != bsterr.UnresolvedVariable ||
			err.Error() != "f.bst [line 1 column 1]: Reference to undefined variable '"+tm.Refs()[0]+"'" {
			t.Fatalf("Expand(%q) on an empty table: %v", s, err)
		}

		// With every name defined as <name>, Expand is the regexp's replacement.
		var defs []Def
		for _, name := range tm.Refs() {
			defs = append(defs, Def{Name: name, Value: "<" + name + ">"})
		}
		got, err = NewTable(NewParser(), BuildStream1, defs).Expand(s, prov)
		if wantS := re.ReplaceAllString(s, "<$1>"); err != nil || got != wantS {
			t.Fatalf("Expand(%q) = %q, %v; want %q", s, got, err, wantS)
		}
	})
}

// FuzzTable checks a table split into three layers against the same
// definitions composited into one, and against a naive recursive resolver.
// The input is "name=value" lines; "---" lines start the next layer.
func FuzzTable(f *testing.F) {
	f.Add("a=%{b}\nb=1\n---\nb=%{c}\nc=2\n---\nd=%{a}%{a}")
	f.Add("a=%{b}\n---\nb=%{a}\n---\nb=x")
	f.Add("x=%{y}\ny=%{z}\nz=%{x}%{w}\n---\n---\nw=%{nope}")
	f.Add("element-name=e\n---\nbuild-root=/b/%{element-name}\n---\nelement-name=f")
	f.Add("notparallel=true\nmax-jobs=8\n---\nnotparallel=%{x}")
	f.Fuzz(func(t *testing.T, in string) {
		var layers [][]Def
		var flat []Def
		cur := []Def{}
		for i, line := range strings.Split(in, "\n") {
			if line == "---" {
				layers = append(layers, cur)
				cur = []Def{}
				continue
			}
			name, value, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			d := Def{Name: name, Value: value, Prov: bsterr.Provenance{File: "f", Line: int32(i + 1)}}
			cur = append(cur, d)
			flat = append(flat, d)
		}
		layers = append(layers, cur)
		if len(flat) > 200 {
			return
		}

		p := NewParser()
		layered := NewTable(p, BuildStream2, layers[0])
		for _, l := range layers[1:] {
			layered = layered.Extend(l)
		}
		single := NewTable(p, BuildStream2, flat)

		errL, errF := layered.Check(), single.Check()
		if fmt.Sprint(errL) != fmt.Sprint(errF) || detailOf(errL) != detailOf(errF) {
			t.Fatalf("layered Check: %v\n%s\nflat Check: %v\n%s", errL, detailOf(errL), errF, detailOf(errF))
		}
		if !slices.Equal(layered.Names(), single.Names()) {
			t.Fatalf("Names: layered %q, flat %q", layered.Names(), single.Names())
		}
		if bsterr.ReasonOf(errF) == bsterr.InvalidData {
			return
		}
		naive := naiveResolve(single)
		for _, name := range single.Names() {
			vL, _, eL := layered.Get(name)
			vF, _, eF := single.Get(name)
			if vL != vF || fmt.Sprint(eL) != fmt.Sprint(eF) || detailOf(eL) != detailOf(eF) {
				t.Fatalf("Get(%q): layered %q, %v; flat %q, %v", name, vL, eL, vF, eF)
			}
			want, good := naive[name]
			if good != (eF == nil) || vF != want {
				t.Fatalf("Get(%q) = %q, %v; naive resolver: %q, good=%v", name, vF, eF, want, good)
			}
			if eF != nil {
				if r := bsterr.ReasonOf(eF); r != bsterr.UnresolvedVariable && r != bsterr.CircularReferenceVariable {
					t.Fatalf("Get(%q): reason %s", name, r)
				}
			}
		}
		all, err := layered.ResolveAll()
		if (err == nil) != (errF == nil) {
			t.Fatalf("ResolveAll error %v, Check error %v", err, errF)
		}
		if err == nil {
			if !slices.IsSortedFunc(all, func(a, b Var) int { return strings.Compare(a.Name, b.Name) }) || len(all) != len(single.Names()) {
				t.Fatalf("ResolveAll: %v", all)
			}
			for _, v := range all {
				if v.Value != naive[v.Name] {
					t.Fatalf("ResolveAll %s=%q, naive %q", v.Name, v.Value, naive[v.Name])
				}
			}
		}
	})
}

func detailOf(err error) string {
	if be, ok := err.(*bsterr.Error); ok {
		return be.Detail
	}
	return ""
}

// naiveResolve resolves every variable of tab by plain recursion over its
// definitions, returning the values of those without errors.
func naiveResolve(tab *Table) map[string]string {
	defs := map[string]string{}
	for _, name := range tab.Names() {
		o, _ := tab.overlay()
		s, _ := o.lookup(name)
		tm, _, _ := o.def(s)
		defs[name] = tm.String()
	}
	out := map[string]string{}
	bad := map[string]bool{}
	var resolve func(name string, visiting map[string]bool) (string, bool)
	resolve = func(name string, visiting map[string]bool) (string, bool) {
		if v, ok := out[name]; ok {
			return v, true
		}
		value, ok := defs[name]
		if !ok || bad[name] || visiting[name] {
			return "", false
		}
		visiting[name] = true
		defer delete(visiting, name)
		tm := parseTemplate(value)
		var b strings.Builder
		for i, ref := range tm.Refs() {
			v, ok := resolve(ref, visiting)
			if !ok {
				bad[name] = true
				return "", false
			}
			b.WriteString(tm.Literals()[i] + v)
		}
		b.WriteString(tm.Literals()[len(tm.Refs())])
		out[name] = b.String()
		return out[name], true
	}
	for name := range defs {
		resolve(name, map[string]bool{})
	}
	return out
}
