package cachekey_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"example.org/bst/internal/cachekey"
)

type myString string

type myInt int16

func TestAppend(t *testing.T) {
	var key cachekey.Key
	key[0], key[31] = 0xab, 0x01
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, `null`},
		{"true", true, `true`},
		{"false", false, `false`},
		{"int", 42, `42`},
		{"negative int64", int64(-9223372036854775808), `-9223372036854775808`},
		{"int32", int32(-7), `-7`},
		{"uint64", uint64(18446744073709551615), `18446744073709551615`},
		{"uint8", uint8(255), `255`},
		{"named int", myInt(-3), `-3`},
		{"empty string", "", `""`},
		{"plain", "hello", `"hello"`},
		{"slash not escaped", "a/b", `"a/b"`},
		{"html not escaped", "<a href='x'>&</a>", `"<a href='x'>&</a>"`},
		{"quote", `say "hi"`, `"say \"hi\""`},
		{"backslash", `C:\x`, `"C:\\x"`},
		{"short escapes", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other controls", "\x00\x01\x0b\x1f", `"\u0000\u0001\u000b\u001f"`},
		{"del raw", "\x7f", "\"\x7f\""},
		{"latin1 lowercase hex", "é", `"\u00e9"`},
		{"bmp", "€中", `"\u20ac\u4e2d"`},
		{"replacement char", "\ufffd", `"\ufffd"`},
		{"astral surrogate pair", "😀", `"\ud83d\ude00"`},
		{"max code point", "\U0010ffff", `"\udbff\udfff"`},
		{"invalid byte surrogateescape", "a\xffb", `"a\udcffb"`},
		{"encoded surrogate is invalid", "\xed\xa0\x80", `"\udced\udca0\udc80"`},
		{"named string", myString("x/y"), `"x/y"`},
		{"key", key, `"ab000000000000000000000000000000000000000000000000000000000000` + `01"`},
		{"empty list", []any{}, `[]`},
		{"nil list", []string(nil), `[]`},
		{"empty map", map[string]any{}, `{}`},
		{"nil dict", cachekey.Dict(nil), `{}`},
		{"list", []any{1, "a", nil, true, []any{}}, `[1,"a",null,true,[]]`},
		{"strings", []string{"a", "b/c"}, `["a","b/c"]`},
		{"string lists", [][]string{{"p", "e.bst"}, {}}, `[["p","e.bst"],[]]`},
		{"map sorted", map[string]any{"b": 1, "a": 2, "B": 3}, `{"B":3,"a":2,"b":1}`},
		{"string map", map[string]string{"z": "1", "y": "2"}, `{"y":"2","z":"1"}`},
		{"dict sorted at encode", cachekey.Dict{{"b", 1}, {"a", []string{}}}, `{"a":[],"b":1}`},
		{"dict already sorted", cachekey.Dict{{"a", 1}, {"b", 2}}, `{"a":1,"b":2}`},
		{"dict list", []cachekey.Dict{{{"y", 1}, {"x", 2}}, nil}, `[{"x":2,"y":1},{}]`},
		{"code point order not utf16", map[string]int{"\U0001f600": 1, "\ue000": 2, "\uffff": 3, "é": 4},
			`{"\u00e9":4,"\ue000":2,"\uffff":3,"\ud83d\ude00":1}`},
		{"generic slice", []int{3, 1}, `[3,1]`},
		{"array", [2]bool{true, false}, `[true,false]`},
		{"generic map", map[myString][]myString{"k": {"v"}}, `{"k":["v"]}`},
		{"nested", map[string]any{"a": []any{cachekey.Dict{{"b", map[string]any{}}}}}, `{"a":[{"b":{}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cachekey.Append([]byte("prefix:"), tt.in)
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
			if want := "prefix:" + tt.want; string(got) != want {
				t.Errorf("Append(%#v)\n got %s\nwant %s", tt.in, got, want)
			}
			var buf bytes.Buffer
			if err := cachekey.Encode(&buf, tt.in); err != nil || buf.String() != tt.want {
				t.Errorf("Encode = %q, %v; want %q", buf.String(), err, tt.want)
			}
		})
	}
}

func TestAppendErrors(t *testing.T) {
	selfList := []any{nil}
	selfList[0] = selfList
	tests := []struct {
		name        string
		in          any
		unsupported bool
	}{
		{"float", 1.5, true},
		{"bytes", []byte("x"), true},
		{"pointer", new(int), true},
		{"struct", struct{}{}, true},
		{"int map", map[int]string{1: "a"}, true},
		{"nested float", map[string]any{"a": []any{float32(1)}}, true},
		{"duplicate dict field", cachekey.Dict{{"b", 1}, {"a", 1}, {"b", 2}}, false},
		{"cycle", selfList, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cachekey.Append(nil, tt.in)
			if err == nil {
				t.Fatal("Append succeeded")
			}
			var ute *cachekey.UnsupportedTypeError
			if got := errors.As(err, &ute); got != tt.unsupported {
				t.Errorf("error %v: UnsupportedTypeError = %v, want %v", err, got, tt.unsupported)
			}
		})
	}
}

func TestGeneratePanicsOnBrokenValue(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "float64") {
			t.Errorf("recover() = %v, want a panic naming float64", r)
		}
	}()
	cachekey.Generate(map[string]any{"x": 1.0})
}

func TestDictDoesNotModifyInput(t *testing.T) {
	d := cachekey.Dict{{"b", 1}, {"a", 2}}
	if _, err := cachekey.Append(nil, d); err != nil {
		t.Fatal(err)
	}
	if d[0].Name != "b" || d[1].Name != "a" {
		t.Errorf("Append reordered its input: %v", d)
	}
}

func TestDictWithGet(t *testing.T) {
	base := cachekey.Dict{{"a", 1}, {"b", 2}}
	weak := base.With("dependencies", []string{})
	strict := base.With("dependencies", []string{"k"}).With("b", 3)
	if len(base) != 2 {
		t.Fatalf("With modified its receiver: %v", base)
	}
	if v, ok := weak.Get("dependencies"); !ok || len(v.([]string)) != 0 {
		t.Errorf("weak.Get(dependencies) = %v, %v", v, ok)
	}
	if v, _ := strict.Get("b"); v != 3 {
		t.Errorf("strict.Get(b) = %v, want 3", v)
	}
	if _, ok := strict.Get("missing"); ok {
		t.Error("Get(missing) found something")
	}
	if got, want := cachekey.Generate(strict), cachekey.Generate(map[string]any{"a": 1, "b": 3, "dependencies": []string{"k"}}); got != want {
		t.Errorf("Generate(strict) = %v, want %v", got, want)
	}
}
