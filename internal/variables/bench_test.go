package variables

import (
	"fmt"
	"testing"

	"example.org/bst/internal/bsterr"
)

// benchBase mimics a project's variables: BuildStream's builtin directory
// variables plus n-20 project variables, some chained, some depending on
// element-name (defined only per element).
func benchBase(n int) []Def {
	prov := func(line int) bsterr.Provenance {
		return bsterr.Provenance{File: "project.conf", Line: int32(line), Col: 2}
	}
	defs := []Def{
		{"prefix", "/usr", prov(1)},
		{"exec_prefix", "%{prefix}", prov(2)},
		{"bindir", "%{exec_prefix}/bin", prov(3)},
		{"sbindir", "%{exec_prefix}/sbin", prov(4)},
		{"libexecdir", "%{exec_prefix}/libexec", prov(5)},
		{"datadir", "%{prefix}/share", prov(6)},
		{"sysconfdir", "/etc", prov(7)},
		{"sharedstatedir", "%{prefix}/com", prov(8)},
		{"localstatedir", "/var", prov(9)},
		{"lib", "lib", prov(10)},
		{"libdir", "%{prefix}/%{lib}", prov(11)},
		{"debugdir", "%{libdir}/debug", prov(12)},
		{"includedir", "%{prefix}/include", prov(13)},
		{"docdir", "%{datadir}/doc", prov(14)},
		{"infodir", "%{datadir}/info", prov(15)},
		{"mandir", "%{datadir}/man", prov(16)},
		{"build-root", "/buildstream/%{project-name}/%{element-name}", prov(17)},
		{"install-root", "/buildstream-install", prov(18)},
		{"strip-binaries", "cd \"%{install-root}\" && find -type f -exec strip {} ';' # %{debugdir}", prov(19)},
		{"project-name", "proj", bsterr.Provenance{}},
	}
	for i := len(defs); i < n; i++ {
		var v string
		switch i % 4 {
		case 0:
			v = fmt.Sprintf("value-%d", i)
		case 1:
			v = fmt.Sprintf("%%{var%d}/%%{libdir}/x%d", i-1, i)
		case 2:
			v = fmt.Sprintf("--opt%d=%%{prefix} --dir=%%{datadir}", i)
		case 3:
			v = fmt.Sprintf("%%{build-root}/sub%d", i)
		}
		defs = append(defs, Def{Name: fmt.Sprintf("var%d", i), Value: v, Prov: prov(i + 1)})
	}
	return defs
}

// benchKind mimics a BuildElement plugin's defaults.
func benchKind(k int) []Def {
	prov := func(line int) bsterr.Provenance {
		return bsterr.Provenance{File: fmt.Sprintf("kind%d.yaml", k), Line: int32(line), Col: 4}
	}
	defs := []Def{
		{"conf-cmd", "./configure", prov(1)},
		{"conf-args", "--prefix=%{prefix} --bindir=%{bindir} --libdir=%{libdir} --sysconfdir=%{sysconfdir} %{conf-extra}", prov(2)},
		{"conf-extra", "", prov(3)},
		{"configure", "%{conf-cmd} %{conf-args}", prov(4)},
		{"make", "make", prov(5)},
		{"make-install", "make -j1 DESTDIR=\"%{install-root}\" install", prov(6)},
		{"command-subdir", "", prov(7)},
		{"build-dir", "%{build-root}/%{command-subdir}", prov(8)},
	}
	for i := len(defs); i < 15; i++ {
		defs = append(defs, Def{Name: fmt.Sprintf("kind-var%d", i), Value: fmt.Sprintf("%%{var%d} %%{make}", 20+i), Prov: prov(i + 1)})
	}
	return defs
}

// benchElement mimics an element's own variables.
func benchElement(i int) []Def {
	prov := func(line int) bsterr.Provenance {
		return bsterr.Provenance{File: fmt.Sprintf("e%d.bst", i), Line: int32(line), Col: 4}
	}
	defs := []Def{
		{"conf-extra", "--enable-feature-%d --with-libdir=%{libdir}", prov(1)},
		{"command-subdir", fmt.Sprintf("src%d", i%7), prov(2)},
		{"element-name", fmt.Sprintf("e%d.bst", i), bsterr.Provenance{}},
	}
	if i%10 == 0 {
		defs = append(defs, Def{"prefix", "/opt", prov(3)})
	}
	return defs
}

// BenchmarkResolve resolves every variable of 1000 elements (~120 variables
// each: 100 project, 15 kind, a few element) over shared project and kind
// layers, as the loader would.
func BenchmarkResolve(b *testing.B) {
	p := NewParser()
	project := NewTable(p, BuildStream2, benchBase(100))
	kinds := []*Table{project.Extend(benchKind(0)), project.Extend(benchKind(1))}
	elemDefs := make([][]Def, 1000)
	for i := range elemDefs {
		elemDefs[i] = benchElement(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, defs := range elemDefs {
			e := kinds[i%2].Extend(defs)
			vars, err := e.ResolveAll()
			if err != nil {
				b.Fatal(err)
			}
			if len(vars) < 115 {
				b.Fatalf("%d variables", len(vars))
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/element")
}

// BenchmarkResolveFlat is the same work without layering: each element's
// table is built from all ~120 definitions, as a naive port would.
func BenchmarkResolveFlat(b *testing.B) {
	p := NewParser()
	base := benchBase(100)
	kinds := [][]Def{benchKind(0), benchKind(1)}
	elemDefs := make([][]Def, 1000)
	for i := range elemDefs {
		d := append(append(append([]Def(nil), base...), kinds[i%2]...), benchElement(i)...)
		elemDefs[i] = d
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, defs := range elemDefs {
			if _, err := NewTable(p, BuildStream2, defs).ResolveAll(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/element")
}

// BenchmarkCheckAndExpand is an element's load: Check, then expand a few
// command strings.
func BenchmarkCheckAndExpand(b *testing.B) {
	p := NewParser()
	project := NewTable(p, BuildStream2, benchBase(100))
	cmds := []string{"%{configure}", "make -C %{build-dir} -j%{max-jobs}", "%{make-install}", "%{strip-binaries}", "true"}
	project = project.Extend([]Def{{Name: "max-jobs", Value: "8"}})
	kind := project.Extend(benchKind(0))
	b.ReportAllocs()
	for b.Loop() {
		for i := range 1000 {
			e := kind.Extend(benchElement(i))
			if err := e.Check(); err != nil {
				b.Fatal(err)
			}
			for _, c := range cmds {
				if _, err := e.Expand(c, bsterr.Provenance{}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

func BenchmarkParse(b *testing.B) {
	p := NewParser()
	s := "cd \"%{install-root}\" && find -type f -exec strip {} ';' # %{debugdir}"
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			p.Parse(s)
		}
	})
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			parseTemplate(s)
		}
	})
}
