package yamlnode_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// fuzzSeeds are documents for both fuzz targets: the upstream test
// documents, the golden documents and a real element.
func fuzzSeeds(f *testing.F) []string {
	seeds := []string{
		"",
		"a: b\n",
		"a:\n",
		"l: [a, {b: c}, [d]]\nm: {(>): [x], (<): [y]}\n",
		"l:\n  (=): []\n",
		"(?):\n- a == 'b':\n    c: d\n",
		"base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n",
		"a: |\n  block\nb: >-\n  folded\n",
		"a: \"\\u00e9\\t\"\nb: 'q''q'\n",
		"a: &a [x, x]\nb: [*a, *a]\n",
	}
	for _, d := range upstreamDocs {
		seeds = append(seeds, d)
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "bench", "gcc.bst")); err == nil {
		seeds = append(seeds, string(data))
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "golden_bst16.json")); err == nil && len(data) > 0 {
		g := loadGoldenFile(f)
		for _, p := range g.Parse {
			seeds = append(seeds, p.YAML)
		}
		for i, c := range g.Composite {
			if i%8 == 0 {
				seeds = append(seeds, c.Layers...)
			}
		}
	}
	return seeds
}

// lineBounds returns how many lines data can have (counting every byte
// sequence YAML may treat as a line break) and the longest line in runes,
// as upper bounds for provenance.
func lineBounds(data []byte) (lines, width int32) {
	lines = 1
	var cur int32
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		data = data[size:]
		switch r {
		case '\n', '\r', '\u0085', '\u2028', '\u2029':
			lines++
			cur = 0
		default:
			cur++
			width = max(width, cur)
		}
	}
	return lines, width
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := yamlnode.Parse(data, "fuzz.yaml")
		if err != nil {
			if e := bstErr(err); e == nil || e.Reason != bsterr.InvalidYAML || e.Domain != bsterr.DomainLoad {
				t.Fatalf("Parse error %v is not LOAD/INVALID_YAML", err)
			}
			return
		}
		// Every scalar is located inside the input; an empty value may sit
		// at the end of the stream, just past the last line.
		lines, width := lineBounds(data)
		walkScalars(m, func(s *yamlnode.Scalar) {
			p := s.P
			last := lines
			if s.Null {
				last++
			}
			if p.File != "fuzz.yaml" || p.Line < 1 || p.Line > last || p.Col < 0 || p.Col > width {
				t.Fatalf("scalar %q at %s: outside the input (%d lines, %d columns)", s.Value, p, lines, width)
			}
			if s.Null && s.Value != "" {
				t.Fatalf("null scalar with value %q", s.Value)
			}
		})
		walkNodes(m, func(n yamlnode.Node) {
			if mm, ok := n.(*yamlnode.Mapping); ok && len(mm.Keys) != len(mm.Vals) {
				t.Fatalf("mapping with %d keys and %d values", len(mm.Keys), len(mm.Vals))
			}
		})
		// Clone is deep and faithful.
		before := snapshot(m)
		c := m.CloneMapping()
		if snapshot(c) != before {
			t.Fatalf("clone differs:\n%s\nwant\n%s", snapshot(c), before)
		}
		walkScalars(c, func(s *yamlnode.Scalar) { s.Value += "x" })
		if snapshot(m) != before {
			t.Fatal("changing a clone changed the original")
		}
		_ = yamlnode.FinalAssertions(m)
		_ = yamlnode.Plain(m, true)

		// Dump writes what Parse reads back.
		plain := yamlnode.Plain(m, false)
		dumped := yamlnode.Dump(plain)
		back, err := yamlnode.Parse([]byte(dumped), "dump.yaml")
		if err != nil {
			t.Fatalf("Parse(Dump(x)): %v\n%s", err, dumped)
		}
		if got := yamlnode.Plain(back, false); !reflect.DeepEqual(got, plain) {
			t.Fatalf("round trip:\n got %s\nwant %s\nvia\n%s", flat(got), flat(plain), dumped)
		}
	})
}

func FuzzComposite(f *testing.F) {
	seeds := fuzzSeeds(f)
	for i, s := range seeds {
		f.Add(s, seeds[(i*7+3)%len(seeds)])
	}
	f.Add("l: [a]\n", "l: {(<): [b], (>): [c]}\n")
	f.Add("l: {(>): [a]}\n", "l: {(=): [b]}\n")
	f.Add("m: {a: 1}\n", "m: x\n")
	f.Add("(?): [{a: b}]\n", "(?): [{c: d}]\n")
	f.Fuzz(func(t *testing.T, targetText, sourceText string) {
		if len(targetText)+len(sourceText) > 1<<16 {
			return
		}
		target, err := yamlnode.Parse([]byte(targetText), "target.yaml")
		if err != nil {
			return
		}
		source, err := yamlnode.Parse([]byte(sourceText), "source.yaml")
		if err != nil {
			return
		}
		if strings.Count(snapshot(target), "\n")+strings.Count(snapshot(source), "\n") > 20000 {
			return // alias bombs: see TestParseBillionLaughs
		}
		sourceBefore := snapshot(source)

		// Onto an empty mapping, the source is copied as it is; only a
		// mapping mixing directives with keys is refused. FinalAssertions
		// then says what it says of the source itself.
		empty := yamlnode.NewMapping(bsterr.Provenance{File: "empty.yaml", Line: 1})
		err = yamlnode.Composite(empty, source)
		if snapshot(source) != sourceBefore {
			t.Fatalf("Composite(empty, source) changed the source:\n%s\nwas\n%s", snapshot(source), sourceBefore)
		}
		if err != nil {
			if e := bstErr(err); e == nil || e.Reason != bsterr.InvalidData {
				t.Fatalf("Composite(empty, source) = %v, want nil or INVALID_DATA", err)
			}
		} else {
			if got, want := yamlnode.Plain(empty, false), yamlnode.Plain(source, false); !reflect.DeepEqual(got, want) {
				t.Fatalf("Composite(empty, source) = %s, want %s", flat(got), flat(want))
			}
			fe, fs := yamlnode.FinalAssertions(empty), yamlnode.FinalAssertions(source)
			if bsterr.ReasonOf(fe) != bsterr.ReasonOf(fs) {
				t.Fatalf("FinalAssertions: %v on the copy, %v on the source", fe, fs)
			}
			if fe != nil && bsterr.ReasonOf(fe) != bsterr.TrailingListDirective {
				t.Fatalf("FinalAssertions = %v", fe)
			}
		}

		// Onto the target: a LOAD error of a composition reason, or a
		// result that FinalAssertions accepts or reports as a trailing
		// directive; the source is never changed.
		err = yamlnode.Composite(target, source)
		if snapshot(source) != sourceBefore {
			t.Fatalf("Composite changed its source:\n%s\nwas\n%s", snapshot(source), sourceBefore)
		}
		if err != nil {
			switch e := bstErr(err); {
			case e == nil || e.Domain != bsterr.DomainLoad:
				t.Fatalf("Composite error %v is not a LOAD error", err)
			case e.Reason != bsterr.IllegalComposite && e.Reason != bsterr.InvalidData:
				t.Fatalf("Composite error reason %s", e.Reason)
			}
			return
		}
		if fe := yamlnode.FinalAssertions(target); fe != nil && bsterr.ReasonOf(fe) != bsterr.TrailingListDirective {
			t.Fatalf("FinalAssertions = %v", fe)
		}
		// The result shares nothing with the source.
		walkScalars(target, func(s *yamlnode.Scalar) { s.Value += "!" })
		walkNodes(target, func(n yamlnode.Node) {
			switch t := n.(type) {
			case *yamlnode.Sequence:
				t.Items = append(t.Items, yamlnode.NewScalar("added", bsterr.Provenance{}))
			case *yamlnode.Mapping:
				t.Set("added-key", yamlnode.NewScalar("added", bsterr.Provenance{}))
			}
		})
		if snapshot(source) != sourceBefore {
			t.Fatalf("changing the result changed the source:\n%s\nwas\n%s", snapshot(source), sourceBefore)
		}
	})
}
