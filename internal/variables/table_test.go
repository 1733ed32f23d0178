package variables

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"example.org/bst/internal/bsterr"
)

// defsOf builds definitions from "name=value" pairs, the i-th at line i+1 of file.
func defsOf(file string, pairs ...string) []Def {
	defs := make([]Def, len(pairs))
	for i, p := range pairs {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			panic("defsOf: want name=value, got " + p)
		}
		defs[i] = Def{Name: name, Value: value, Prov: bsterr.Provenance{File: file, Line: int32(i + 1), Col: int32(len(name) + 2)}}
	}
	return defs
}

func errorOf(t *testing.T, err error) *bsterr.Error {
	t.Helper()
	var be *bsterr.Error
	if !errors.As(err, &be) {
		t.Fatalf("error %v (%T) is not a *bsterr.Error", err, err)
	}
	return be
}

func TestExpand(t *testing.T) {
	p := NewParser()
	tab := NewTable(p, BuildStream2, defsOf("p.conf",
		"prefix=/usr",
		"lib=lib",
		"libdir=%{prefix}/%{lib}",
		"debugdir=%{libdir}/debug",
		"empty=",
		"twice=%{lib}%{lib}",
		"odd=%{ prefix}%{prefix",
	))
	tests := []struct{ in, want string }{
		{"", ""},
		{"no references", "no references"},
		{"%{prefix}", "/usr"},
		{"--libdir=%{libdir}", "--libdir=/usr/lib"},
		{"%{debugdir}%{debugdir}", "/usr/lib/debug/usr/lib/debug"},
		{"[%{empty}]", "[]"},
		{"%{twice}", "liblib"},
		{"%{odd}", "%{ prefix}%{prefix"},
		{"%%{prefix}", "%/usr"},
		{"%{%{prefix}}", "%{/usr}"},
		{"%{", "%{"},
		{"%{1}", "%{1}"},
		{"100% {prefix}", "100% {prefix}"},
	}
	for _, tt := range tests {
		got, err := tab.Expand(tt.in, bsterr.Provenance{File: "x.bst", Line: 1, Col: 1})
		if err != nil || got != tt.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		defs   []Def
		expand string // if set, Expand this at expr.bst line 9 col 3 instead of Check
		reason bsterr.Reason
		msg    string
		detail string
	}{
		{
			name:   "self",
			defs:   defsOf("e.bst", "a=Referencing itself with %{a}"),
			reason: bsterr.CircularReferenceVariable,
			msg:    "Circular dependency detected on variable 'a'",
			detail: "e.bst [line 1 column 3]: Variable 'a' refers to variable 'a'",
		},
		{
			name:   "two",
			defs:   defsOf("e.bst", "a=%{b}", "b=%{a}"),
			reason: bsterr.CircularReferenceVariable,
			msg:    "Circular dependency detected on variable 'a'",
			detail: "e.bst [line 1 column 3]: Variable 'a' refers to variable 'b'\n" +
				"e.bst [line 2 column 3]: Variable 'b' refers to variable 'a'",
		},
		{
			name:   "three, entered from outside",
			defs:   defsOf("e.bst", "foo=%{a}", "a=x%{b}", "b=%{c}y", "c=%{a}"),
			reason: bsterr.CircularReferenceVariable,
			msg:    "Circular dependency detected on variable 'a'",
			detail: "e.bst [line 2 column 3]: Variable 'a' refers to variable 'b'\n" +
				"e.bst [line 3 column 3]: Variable 'b' refers to variable 'c'\n" +
				"e.bst [line 4 column 3]: Variable 'c' refers to variable 'a'",
		},
		{
			name:   "undefined, direct",
			defs:   defsOf("e.bst", "ok=1", "test=hello %{missing}"),
			reason: bsterr.UnresolvedVariable,
			msg:    "e.bst [line 2 column 6]: Reference to undefined variable 'missing'",
		},
		{
			name:   "undefined, indirect: reported at the referring variable",
			defs:   defsOf("e.bst", "hello=Hello mister %{pony}", "greeting=The %{hello} string twice: %{hello} again", "pony=The pony is %{undefined}"),
			reason: bsterr.UnresolvedVariable,
			msg:    "e.bst [line 3 column 6]: Reference to undefined variable 'undefined'",
		},
		{
			name:   "unused variable still checked",
			defs:   defsOf("e.bst", "used=1", "unused=%{nope}"),
			reason: bsterr.UnresolvedVariable,
			msg:    "e.bst [line 2 column 8]: Reference to undefined variable 'nope'",
		},
		{
			name:   "first error in definition order",
			defs:   defsOf("e.bst", "z=%{y}", "y=%{z}", "a=%{nope}"),
			reason: bsterr.CircularReferenceVariable,
			msg:    "Circular dependency detected on variable 'z'",
			detail: "e.bst [line 1 column 3]: Variable 'z' refers to variable 'y'\n" +
				"e.bst [line 2 column 3]: Variable 'y' refers to variable 'z'",
		},
		{
			name:   "all references checked before descending",
			defs:   defsOf("e.bst", "a=%{b}%{nope}", "b=%{a}"),
			reason: bsterr.UnresolvedVariable,
			msg:    "e.bst [line 1 column 3]: Reference to undefined variable 'nope'",
		},
		{
			name:   "last reference explored first",
			defs:   defsOf("e.bst", "a=%{b}%{c}", "b=%{x}", "c=%{y}"),
			reason: bsterr.UnresolvedVariable,
			msg:    "e.bst [line 3 column 3]: Reference to undefined variable 'y'",
		},
		{
			name:   "expand: undefined in the string itself",
			defs:   defsOf("e.bst", "a=1"),
			expand: "some undefined variable %{foo}",
			reason: bsterr.UnresolvedVariable,
			msg:    "expr.bst [line 9 column 3]: Reference to undefined variable 'foo'",
		},
		{
			name:   "expand: undefined deeper",
			defs:   defsOf("e.bst", "a=%{b}", "b=%{c}"),
			expand: "%{a}",
			reason: bsterr.UnresolvedVariable,
			msg:    "e.bst [line 2 column 3]: Reference to undefined variable 'c'",
		},
		{
			name:   "expand: cycle",
			defs:   defsOf("e.bst", "a=%{b}", "b=%{a}"),
			expand: "x %{b}",
			reason: bsterr.CircularReferenceVariable,
			msg:    "Circular dependency detected on variable 'b'",
			detail: "e.bst [line 2 column 3]: Variable 'b' refers to variable 'a'\n" +
				"e.bst [line 1 column 3]: Variable 'a' refers to variable 'b'",
		},
		{
			name:   "synthetic values have no provenance to print",
			defs:   []Def{{Name: "a", Value: "%{b}"}, {Name: "b", Value: "%{a}"}},
			reason: bsterr.CircularReferenceVariable,
			msg:    "Circular dependency detected on variable 'a'",
			detail: "Variable 'a' refers to variable 'b'\nVariable 'b' refers to variable 'a'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := NewTable(NewParser(), BuildStream2, tt.defs)
			var err error
			if tt.expand != "" {
				_, err = tab.Expand(tt.expand, bsterr.Provenance{File: "expr.bst", Line: 9, Col: 3})
			} else {
				err = tab.Check()
				if _, err2 := tab.ResolveAll(); err2 == nil || err2.Error() != err.Error() {
					t.Errorf("ResolveAll() error %v, Check() error %v", err2, err)
				}
			}
			if got := bsterr.ReasonOf(err); got != tt.reason {
				t.Fatalf("reason %q, want %q (err %v)", got, tt.reason, err)
			}
			be := errorOf(t, err)
			if be.Domain != bsterr.DomainLoad || be.Error() != tt.msg || be.Detail != tt.detail {
				t.Errorf("got %s %q\n%s\nwant %q\n%s", be.Domain, be.Error(), be.Detail, tt.msg, tt.detail)
			}
		})
	}
}

// TestConformanceFixtures reproduces tests/format/variables (cyclic_variables,
// missing_variables) with the provenance yamlnode gives those files, and
// checks that every string the conformance expectations look for in stderr
// is in the error or its detail.
func TestConformanceFixtures(t *testing.T) {
	at := func(file string, line, col int32) bsterr.Provenance {
		return bsterr.Provenance{File: file, Line: line, Col: col}
	}
	tests := []struct {
		name   string
		defs   []Def
		expand string
		prov   bsterr.Provenance
		reason bsterr.Reason
		want   []string
	}{
		{
			name: "simple-cyclic",
			defs: []Def{
				{"a", "%{b}", at("simple-cyclic.bst", 4, 5)},
				{"b", "%{a}", at("simple-cyclic.bst", 5, 5)},
			},
			reason: bsterr.CircularReferenceVariable,
			want:   []string{"simple-cyclic.bst [line 4 column 5]", "simple-cyclic.bst [line 5 column 5]"},
		},
		{
			name: "cyclic (overriding the project's prefix)",
			defs: []Def{
				{"prefix", "%{a}/some_prefix/", at("cyclic.bst", 5, 10)},
				{"a", "%{prefix}/a", at("cyclic.bst", 4, 5)},
			},
			reason: bsterr.CircularReferenceVariable,
			want:   []string{"cyclic.bst [line 5 column 10]", "cyclic.bst [line 4 column 5]"},
		},
		{
			name: "indirect-cyclic",
			defs: []Def{
				{"foo", "%{a}", at("indirect-cyclic.bst", 4, 5)},
				{"a", "%{b}", at("indirect-cyclic.bst", 5, 5)},
				{"b", "%{c}", at("indirect-cyclic.bst", 6, 5)},
				{"c", "%{d}", at("indirect-cyclic.bst", 7, 5)},
				{"d", "%{a}", at("indirect-cyclic.bst", 8, 5)},
			},
			reason: bsterr.CircularReferenceVariable,
			want: []string{"indirect-cyclic.bst [line 5 column 5]", "indirect-cyclic.bst [line 6 column 5]",
				"indirect-cyclic.bst [line 7 column 5]", "indirect-cyclic.bst [line 8 column 5]"},
		},
		{
			name:   "self-reference",
			defs:   []Def{{"a", "Referencing itself with %{a}", at("self-reference.bst", 4, 5)}},
			reason: bsterr.CircularReferenceVariable,
			want:   []string{"self-reference.bst [line 4 column 5]"},
		},
		{
			name:   "manual.bst (build-commands)",
			expand: "some undefined variable %{foo}",
			prov:   at("manual.bst", 5, 6),
			reason: bsterr.UnresolvedVariable,
			want:   []string{"manual.bst [line 5 column 6]: Reference to undefined variable 'foo'"},
		},
		{
			name:   "manual2.bst",
			defs:   []Def{{"test", "hello %{missing}", at("manual2.bst", 4, 8)}},
			reason: bsterr.UnresolvedVariable,
			want:   []string{"manual2.bst [line 4 column 8]: Reference to undefined variable 'missing'"},
		},
		{
			name: "manual3.bst",
			defs: []Def{
				{"hello", "Hello mister %{pony}", at("manual3.bst", 4, 9)},
				{"greeting", "The %{hello} string twice: %{hello} again", at("manual3.bst", 5, 12)},
				{"pony", "The pony is %{undefined}", at("manual3.bst", 6, 8)},
			},
			reason: bsterr.UnresolvedVariable,
			want:   []string{"manual3.bst [line 6 column 8]: Reference to undefined variable 'undefined'"},
		},
	}
	base := []Def{{Name: "prefix", Value: "/usr", Prov: at("projectconfig.yaml", 10, 10)}, {Name: "project-name", Value: "pony"}}
	for _, gen := range []Generation{BuildStream1, BuildStream2} {
		project := NewTable(NewParser(), gen, base)
		for _, tt := range tests {
			t.Run(gen.String()+"/"+tt.name, func(t *testing.T) {
				elem := project.Extend(append(tt.defs, Def{Name: "element-name", Value: "x.bst"}))
				var err error
				if tt.expand != "" {
					if err := elem.Check(); err != nil {
						t.Fatal(err)
					}
					_, err = elem.Expand(tt.expand, tt.prov)
				} else {
					err = elem.Check()
				}
				if got := bsterr.ReasonOf(err); got != tt.reason {
					t.Fatalf("reason %q, want %q (err %v)", got, tt.reason, err)
				}
				be := errorOf(t, err)
				out := be.Error() + "\n" + be.Detail
				for _, w := range tt.want {
					if !strings.Contains(out, w) {
						t.Errorf("output lacks %q:\n%s", w, out)
					}
				}
			})
		}
	}
}

func TestLayering(t *testing.T) {
	p := NewParser()
	project := NewTable(p, BuildStream2, []Def{
		{Name: "prefix", Value: "/usr", Prov: bsterr.Provenance{File: "projectconfig.yaml", Line: 1}},
		{Name: "libdir", Value: "%{prefix}/lib"},
		{Name: "build-root", Value: "/buildstream/%{project-name}/%{element-name}"},
		{Name: "install-root", Value: "/buildstream-install"},
		{Name: "project-name", Value: "pony"},
		{Name: "max-jobs", Value: "8"},
	})
	// The base alone cannot resolve build-root: element-name comes later.
	if err := project.Check(); bsterr.ReasonOf(err) != bsterr.UnresolvedVariable {
		t.Errorf("project.Check() = %v, want UNRESOLVED_VARIABLE", err)
	}
	kind := project.Extend(defsOf("autotools.yaml", "conf-args=--prefix=%{prefix} --libdir=%{libdir}", "prefix=/opt"))
	elems := make([]*Table, 3)
	for i := range elems {
		defs := []Def{{Name: "element-name", Value: fmt.Sprintf("e%d.bst", i)}}
		if i == 1 {
			defs = append(defs, defsOf("e1.bst", "libdir=%{prefix}/lib64", "extra=%{build-root}/x")...)
		}
		elems[i] = kind.Extend(defs)
	}

	want := []map[string]string{
		{"prefix": "/opt", "libdir": "/opt/lib", "build-root": "/buildstream/pony/e0.bst", "conf-args": "--prefix=/opt --libdir=/opt/lib"},
		{"prefix": "/opt", "libdir": "/opt/lib64", "build-root": "/buildstream/pony/e1.bst", "conf-args": "--prefix=/opt --libdir=/opt/lib64", "extra": "/buildstream/pony/e1.bst/x"},
		{"prefix": "/opt", "libdir": "/opt/lib", "build-root": "/buildstream/pony/e2.bst", "install-root": "/buildstream-install"},
	}
	for i, e := range elems {
		if err := e.Check(); err != nil {
			t.Fatalf("elem %d: %v", i, err)
		}
		for name, w := range want[i] {
			if got, ok, err := e.Get(name); !ok || err != nil || got != w {
				t.Errorf("elem %d: Get(%q) = %q, %v, %v; want %q", i, name, got, ok, err, w)
			}
		}
	}
	if v, _, _ := project.Get("libdir"); v != "/usr/lib" {
		t.Errorf("project libdir = %q after children were built", v)
	}

	// Order: the parent's names, then the new ones, overrides in place.
	gotNames := strings.Join(elems[1].Names(), " ")
	wantNames := "prefix libdir build-root install-root project-name max-jobs conf-args element-name extra"
	if gotNames != wantNames {
		t.Errorf("Names() = %s\nwant      %s", gotNames, wantNames)
	}
	all, err := elems[1].ResolveAll()
	if err != nil {
		t.Fatal(err)
	}
	var sorted []string
	for _, v := range all {
		sorted = append(sorted, v.Name+"="+v.Value)
	}
	wantSorted := "build-root=/buildstream/pony/e1.bst conf-args=--prefix=/opt --libdir=/opt/lib64 element-name=e1.bst " +
		"extra=/buildstream/pony/e1.bst/x install-root=/buildstream-install libdir=/opt/lib64 max-jobs=8 prefix=/opt project-name=pony"
	if got := strings.Join(sorted, " "); got != wantSorted {
		t.Errorf("ResolveAll() = %s\nwant          %s", got, wantSorted)
	}

	// An override can break a cycle or make one.
	cyc := NewTable(p, BuildStream1, defsOf("c.conf", "a=%{b}", "b=%{a}"))
	if err := cyc.Extend(defsOf("c.bst", "b=fixed")).Check(); err != nil {
		t.Errorf("override breaking a cycle: %v", err)
	}
	ok := NewTable(p, BuildStream1, defsOf("c.conf", "a=%{b}", "b=1"))
	if err := ok.Extend(defsOf("c.bst", "b=%{a}")).Check(); bsterr.ReasonOf(err) != bsterr.CircularReferenceVariable {
		t.Errorf("override making a cycle: %v", err)
	}
	// Repeated names in one layer: last value, first position.
	dup := NewTable(p, BuildStream1, defsOf("d.bst", "a=1", "b=%{a}", "a=2"))
	if v, _, _ := dup.Get("b"); v != "2" || strings.Join(dup.Names(), " ") != "a b" {
		t.Errorf("duplicates: b=%q names=%q", v, dup.Names())
	}
	if has := elems[0].Has("extra"); has {
		t.Error("a sibling's variable leaked")
	}
	if _, ok, err := elems[0].Get("nope"); ok || err != nil {
		t.Errorf("Get(undefined) = %v, %v", ok, err)
	}
}

func TestProtected(t *testing.T) {
	p := NewParser()
	projectConf := func(extra ...Def) *Table {
		return NewTable(p, BuildStream2, append(extra,
			Def{Name: "project-name", Value: "test"}, // set by bst after loading project.conf
			Def{Name: "max-jobs", Value: "4"}))
	}
	userProv := bsterr.Provenance{File: "project.conf", Line: 4, Col: 16}
	tests := []struct {
		name string
		tab  *Table
		want string
	}{
		{"clean", projectConf().Extend([]Def{{Name: "element-name", Value: "t.bst"}}), ""},
		{"project.conf", projectConf(Def{Name: "project-name", Value: "some-value", Prov: userProv}).
			Extend([]Def{{Name: "element-name", Value: "t.bst"}}),
			"project.conf [line 4 column 16]: invalid redefinition of protected variable 'project-name'"},
		{"element overrides", projectConf().Extend(defsOf("project.conf", "max-jobs=some-value")).
			Extend([]Def{{Name: "element-name", Value: "t.bst"}}),
			"project.conf [line 1 column 10]: invalid redefinition of protected variable 'max-jobs'"},
		{"element", projectConf().Extend(append(defsOf("target.bst", "element-name=some-value"),
			Def{Name: "element-name", Value: "target.bst"})),
			"target.bst [line 1 column 14]: invalid redefinition of protected variable 'element-name'"},
	}
	for _, tt := range tests {
		err := tt.tab.CheckProtected()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if bsterr.ReasonOf(err) != bsterr.ProtectedVariableRedefined || err.Error() != tt.want {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.want)
		}
	}
	// The value is bst's, even though the provenance is the user's.
	tab := projectConf(Def{Name: "project-name", Value: "some-value", Prov: userProv})
	if v, _, _ := tab.Get("project-name"); v != "test" {
		t.Errorf("project-name = %q", v)
	}
}

func TestNotParallel(t *testing.T) {
	p := NewParser()
	at := bsterr.Provenance{File: "e.bst", Line: 3, Col: 15}
	tests := []struct {
		gen     Generation
		value   string
		maxJobs string
		err     string
	}{
		{BuildStream1, "true", "1", ""},
		{BuildStream1, "True", "1", ""},
		{BuildStream1, "false", "8", ""},
		{BuildStream1, "1", "", "e.bst [line 3 column 15]: Value of 'notparallel' is not of the expected type 'bool'"},
		{BuildStream2, "1", "1", ""},
		{BuildStream2, "0", "8", ""},
		{BuildStream2, "yes", "", "e.bst [line 3 column 15]: Value of 'notparallel' is not of the expected type 'boolean'"},
		{BuildStream2, "%{t}", "", "e.bst [line 3 column 15]: Value of 'notparallel' is not of the expected type 'boolean'"},
	}
	for _, tt := range tests {
		project := NewTable(p, tt.gen, []Def{{Name: "max-jobs", Value: "8"}, {Name: "t", Value: "true"}})
		elem := project.Extend([]Def{{Name: "notparallel", Value: tt.value, Prov: at}})
		got, _, err := elem.Get("max-jobs")
		if tt.err != "" {
			if bsterr.ReasonOf(err) != bsterr.InvalidData || err.Error() != tt.err {
				t.Errorf("gen %s notparallel=%q: err %v, want %s", tt.gen, tt.value, err, tt.err)
			}
			if elem.Check() == nil {
				t.Errorf("gen %s notparallel=%q: Check() passed", tt.gen, tt.value)
			}
			continue
		}
		if err != nil || got != tt.maxJobs {
			t.Errorf("gen %s notparallel=%q: max-jobs = %q, %v; want %q", tt.gen, tt.value, got, err, tt.maxJobs)
		}
	}

	// The rule applies to each table's composited view: a project-level
	// notparallel can be switched off by an element (tests/format/variables
	// notparallel), and is inherited otherwise.
	project := NewTable(p, BuildStream2, []Def{{Name: "max-jobs", Value: "8"}, {Name: "notparallel", Value: "True"}})
	if v, _, _ := project.Get("max-jobs"); v != "1" {
		t.Errorf("project max-jobs = %q", v)
	}
	if v, _, _ := project.Extend(nil).Get("max-jobs"); v != "1" {
		t.Errorf("inherited notparallel: max-jobs = %q", v)
	}
	off := project.Extend([]Def{{Name: "notparallel", Value: "false"}, {Name: "jobs", Value: "-j%{max-jobs}"}})
	if v, _, _ := off.Get("jobs"); v != "-j8" {
		t.Errorf("notparallel switched off: jobs = %q", v)
	}
}

func TestDeepReferences(t *testing.T) {
	p := NewParser()
	for _, n := range []int{50, 500, 5000, 50000} {
		defs := []Def{{Name: "var0", Value: fmt.Sprintf("testvalue %d", n)}}
		for i := 1; i <= n; i++ {
			defs = append(defs, Def{Name: fmt.Sprintf("var%d", i), Value: fmt.Sprintf("%%{var%d}", i-1)})
		}
		// Reverse so that resolution starts at the deep end.
		for i, j := 0, len(defs)-1; i < j; i, j = i+1, j-1 {
			defs[i], defs[j] = defs[j], defs[i]
		}
		tab := NewTable(p, BuildStream1, defs)
		if err := tab.Check(); err != nil {
			t.Fatal(err)
		}
		if v, _, _ := tab.Get(fmt.Sprintf("var%d", n)); v != fmt.Sprintf("testvalue %d", n) {
			t.Errorf("n=%d: %q", n, v)
		}
		// Close the chain into a cycle: the error names every link.
		cyc := tab.Extend([]Def{{Name: "var0", Value: fmt.Sprintf("%%{var%d}", n), Prov: bsterr.Provenance{File: "c.bst", Line: 1}}})
		err := cyc.Check()
		if bsterr.ReasonOf(err) != bsterr.CircularReferenceVariable {
			t.Fatalf("n=%d: %v", n, err)
		}
		if lines := strings.Count(errorOf(t, err).Detail, "\n") + 1; lines != n+1 {
			t.Errorf("n=%d: %d detail lines", n, lines)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	p := NewParser()
	project := NewTable(p, BuildStream2, benchBase(100))
	kinds := []*Table{project.Extend(benchKind(0)), project.Extend(benchKind(1))}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				e := kinds[(g+i)%2].Extend(benchElement(g*50 + i))
				vars, err := e.ResolveAll()
				if err != nil {
					errs <- err
					return
				}
				want := fmt.Sprintf("/buildstream/proj/e%d.bst", g*50+i)
				for _, v := range vars {
					if v.Name == "build-root" && v.Value != want {
						errs <- fmt.Errorf("build-root = %q, want %q", v.Value, want)
						return
					}
				}
				if _, err := e.Expand("%{build-root}/%{var27}", bsterr.Provenance{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
