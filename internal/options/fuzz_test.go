package options

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// FuzzEval checks that no expression makes the lexer, parser or evaluator
// panic or hang, and that evaluation is deterministic.
func FuzzEval(f *testing.F) {
	if file, err := os.Open("testdata/eval_cases.txt"); err == nil {
		s := bufio.NewScanner(file)
		for s.Scan() {
			if !strings.HasPrefix(s.Text(), "#!") {
				f.Add(s.Text())
			}
		}
		file.Close()
	}
	sc := evalScope()
	f.Fuzz(func(t *testing.T, expr string) {
		r1, m1, t1 := evalOutcome(expr, sc)
		r2, m2, t2 := evalOutcome(expr, sc)
		if r1 != r2 || m1 != m2 || t1 != t2 {
			t.Fatalf("%q: evaluated to %q/%q then %q/%q", expr, r1, m1, r2, m2)
		}
		if r1 == "" && m1 == "" && !strings.Contains(expr, "%}") {
			t.Fatalf("%q: neither a result nor an error", expr)
		}
	})
}

// FuzzProcess feeds arbitrary YAML documents through Process.
func FuzzProcess(f *testing.F) {
	f.Add("a: 1\n(?):\n- pony:\n    a: 2\n")
	f.Add("(?):\n- pony:\n    (?):\n    - horsy:\n        (!): no\n")
	f.Add("l:\n- - (?):\n    - not pony:\n        x: 1\n")
	f.Add("(?):\n- arch == 'x86_64':\n    l:\n      (>): [a]\nl: [b]\n")
	p, err := NewPool(Gen2, testHost), error(nil)
	if err = p.Load(mustParse(processDecls)); err != nil {
		f.Fatal(err)
	}
	if err := p.Resolve(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		node, err := yamlnode.Parse([]byte(doc), "fuzz.yaml")
		if err != nil {
			return
		}
		if err := p.Process(node); err != nil {
			var be *bsterr.Error
			if !errors.As(err, &be) {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
	})
}

func mustParse(src string) *yamlnode.Mapping {
	m, err := yamlnode.Parse([]byte(src), "project.conf")
	if err != nil {
		panic(err)
	}
	return m
}
