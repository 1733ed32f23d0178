package options

import (
	"reflect"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

const processDecls = `
pony: {type: bool, description: d, default: true}
horsy: {type: bool, description: d, default: false}
arch: {type: enum, description: d, values: [x86_64, aarch64], default: x86_64}
farm: {type: flags, description: d, values: [pony, horsy, zebry], default: [pony]}
`

func resolvedPool(t *testing.T, gen Generation) *Pool {
	t.Helper()
	p, err := newTestPool(t, gen, testHost, processDecls)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Resolve(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProcess(t *testing.T) {
	tests := []struct {
		name       string
		gen        Generation
		src        string
		restricted []string
		want       any // plain data after processing
		reason     bsterr.Reason
		err        string // full error text
	}{
		{name: "true and false", src: `
a: 1
(?):
- pony:
    a: 2
- horsy:
    a: 3
`, want: map[string]any{"a": "2"}},
		{name: "in order, later wins", src: `
(?):
- pony:
    a: 1
- arch == "x86_64":
    a: 2
`, want: map[string]any{"a": "2"}},
		{name: "nested conditionals", src: `
a: 0
(?):
- pony:
    (?):
    - "'pony' in farm":
        a: 1
    - horsy:
        a: 2
`, want: map[string]any{"a": "1"}},
		{name: "lists of lists", src: `
l:
- - x: 1
    (?):
    - not horsy:
        x: 2
- y: 1
`, want: map[string]any{"l": []any{[]any{map[string]any{"x": "2"}}, map[string]any{"y": "1"}}}},
		{name: "list directive", src: `
l: [a]
(?):
- pony:
    l:
      (>): [b]
- pony:
    l:
      (<): [z]
`, want: map[string]any{"l": []any{"z", "a", "b"}}},
		{name: "assertion", src: `
(?):
- pony:
    a: 1
(!): "  stop here  \n"
`, reason: bsterr.UserAssertion, err: "t.yaml [line 5 column 5]: stop here"},
		{name: "assertion from fragment", src: `
(?):
- horsy:
    (!): not this one
- pony:
    (!): this one
`, reason: bsterr.UserAssertion, err: "t.yaml [line 6 column 9]: this one"},
		{name: "assertion in a nested mapping", src: "a:\n  b:\n    (!): deep\n", reason: bsterr.UserAssertion, err: "t.yaml [line 3 column 9]: deep"},
		{name: "null assertion", src: "(!):\na: 1\n", want: map[string]any{"(!)": nil, "a": "1"}},
		{name: "assertion list gen2", gen: Gen2, src: "(!): [a]\n", reason: bsterr.InvalidData,
			err: "t.yaml [line 1 column 5]: Value of '(!)' is not of the expected type 'scalar'"},
		{name: "assertion list gen1", src: "(!): [a]\n", reason: bsterr.InvalidData,
			err: "t.yaml [line 1 column 5]: Value of '(!)' is not of the expected type 'str'"},
		{name: "not a list", src: "(?): pony\n", reason: bsterr.InvalidData,
			err: "t.yaml [line 1 column 5]: Value of '(?)' is not of the expected type 'list'"},
		{name: "null list gen1", src: "(?):\na: 1\n", want: map[string]any{"(?)": nil, "a": "1"}},
		{name: "null list gen2", gen: Gen2, src: "(?):\na: 1\n", reason: bsterr.InvalidData,
			err: "t.yaml [line 1 column 4]: Value of '(?)' is not of the expected type 'list'"},
		{name: "two keys", src: `
(?):
- pony:
    a: 1
  horsy:
    a: 2
`, reason: bsterr.InvalidData, err: "t.yaml [line 3 column 2]: Conditional statement has more than one key"},
		{name: "not a dict", src: "(?):\n- pony\n", reason: bsterr.InvalidData,
			err: "t.yaml [line 2 column 2]: Conditional statement is not a dictionary"},
		{name: "fragment not a dict", src: "(?):\n- pony: [a]\n", reason: bsterr.IllegalComposite,
			err: "t.yaml [line 2 column 2]: Only values of type 'dict' can be composed."},
		{name: "fragment null", src: "(?):\n- horsy:\n", reason: bsterr.IllegalComposite,
			err: "t.yaml [line 2 column 2]: Only values of type 'dict' can be composed."},
		{name: "undefined", src: "(?):\n- pony == foo:\n    a: 1\n", reason: bsterr.ExpressionFailed,
			err: "t.yaml [line 2 column 2]: Failed to evaluate expression (pony == foo): 'foo' is undefined"},
		{name: "syntax error", src: "(?):\n- is defined pony:\n    a: 1\n", reason: bsterr.ExpressionFailed,
			err: "t.yaml [line 2 column 2]: Failed to evaluate expression (is defined pony): expected token 'end of statement block', got 'defined'"},
		{name: "type error", src: "(?):\n- arch < 1:\n    a: 1\n", reason: bsterr.ExpressionFailed,
			err: "t.yaml [line 2 column 2]: Failed to evaluate expression (arch < 1): '<' not supported between instances of 'str' and 'int'"},
		{name: "tag closed in expression", src: "(?):\n- pony %}:\n    a: 1\n", reason: bsterr.ExpressionFailed,
			err: "t.yaml [line 2 column 2]: Failed to evaluate expression: pony %}"},
		{name: "tag closed in false expression", src: "(?):\n- horsy %}:\n    a: 1\n", want: map[string]any{}},
		{name: "type mismatch in fragment", src: "a: [x]\n(?):\n- pony:\n    a: {b: c}\n", reason: bsterr.IllegalComposite},
		{name: "restricted", gen: Gen2, restricted: []string{"name"}, src: `
(?):
- horsy:
    name: other
`, reason: bsterr.IllegalComposite, err: "t.yaml [line 4 column 10]: The 'name' key cannot be specified conditionally."},
		{name: "restricted only at the top", gen: Gen2, restricted: []string{"name"}, src: `
sub:
  (?):
  - pony:
      name: other
`, want: map[string]any{"sub": map[string]any{"name": "other"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gen := tt.gen
			if gen == 0 {
				gen = Gen1
			}
			p := resolvedPool(t, gen)
			node := parseYAML(t, "t.yaml", tt.src)
			err := p.Process(node, tt.restricted...)
			if tt.reason != "" {
				if err == nil {
					t.Fatalf("no error, want %s; got %v", tt.reason, yamlnode.Plain(node, false))
				}
				if got := bsterr.ReasonOf(err); got != tt.reason {
					t.Errorf("reason %s, want %s (%v)", got, tt.reason, err)
				}
				if tt.err != "" && err.Error() != tt.err {
					t.Errorf("error\n  %s\nwant\n  %s", err.Error(), tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := yamlnode.Plain(node, false); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestProcessBeforeResolvePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Process before Resolve must panic")
		}
	}()
	p := NewPool(Gen1, testHost)
	_ = p.Process(yamlnode.NewMapping(bsterr.Provenance{}))
}

func TestProcessConcurrent(t *testing.T) {
	p := resolvedPool(t, Gen2)
	src := "(?):\n- pony and 'pony' in farm:\n    a: 1\n- arch == 'aarch64':\n    a: 2\n"
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func() {
			node, err := yamlnode.Parse([]byte(src), "t.yaml")
			if err == nil {
				err = p.Process(node)
			}
			if err == nil && !reflect.DeepEqual(yamlnode.Plain(node, false), map[string]any{"a": "1"}) {
				err = bsterr.Load(bsterr.Unknown, nil, "wrong result %v", yamlnode.Plain(node, false))
			}
			done <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
