package cachekey_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"example.org/bst/internal/cachekey"
)

// oracleString is a deliberately simple, independent model of ujson's
// ensure_ascii string encoding (after the reference canon_json), for valid
// UTF-8 input.
func oracleString(s string) string {
	short := map[rune]string{'"': `\"`, '\\': `\\`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case short[r] != "":
			b.WriteString(short[r])
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r < 0x80:
			b.WriteRune(r)
		default:
			for _, unit := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, unit)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// oracle encodes the value shapes FuzzEncode builds.
func oracle(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprint(v)
	case int64:
		return fmt.Sprint(v)
	case string:
		return oracleString(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = oracle(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		// Code point order, computed on runes rather than bytes.
		slices.SortFunc(keys, func(a, b string) int { return slices.Compare([]rune(a), []rune(b)) })
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = oracleString(k) + ":" + oracle(v[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	panic(fmt.Sprintf("oracle: unexpected %T", v))
}

func toDict(m map[string]any) cachekey.Dict {
	d := cachekey.Dict{}
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = toDict(sub)
		}
		d = append(d, cachekey.Field{Name: k, Value: v})
	}
	return d
}

// FuzzEncode checks that the encoding is printable ASCII-only JSON, stable,
// the same for maps and Dicts, equal to an independent model, and decodes
// back to the input.
func FuzzEncode(f *testing.F) {
	f.Add("hello", "key", int64(1), true)
	f.Add("é/😀\x00\x7f\"\\", "\ue000", int64(-1), false)
	f.Add("\xff\xfe", "\U0001f600", int64(1<<62), true)
	f.Add("<>&\u2028\u2029", "", int64(0), false)
	f.Fuzz(func(t *testing.T, s, k string, n int64, b bool) {
		value := map[string]any{
			"s":      s,
			k:        []any{s, n, b, nil, []any{}},
			"nested": map[string]any{s: k, "list": []any{map[string]any{}}},
		}
		enc, err := cachekey.Append(nil, value)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range enc {
			if c < 0x20 || c >= 0x80 {
				t.Fatalf("byte %#x in encoding %q", c, enc)
			}
		}
		if !json.Valid(enc) {
			t.Fatalf("invalid JSON %q", enc)
		}
		again, _ := cachekey.Append(nil, value)
		if string(again) != string(enc) {
			t.Fatalf("unstable: %q then %q", enc, again)
		}
		if cachekey.Generate(toDict(value)) != cachekey.Generate(value) {
			t.Fatalf("Dict and map keys differ for %q", enc)
		}
		if !utf8.ValidString(s) || !utf8.ValidString(k) {
			return // no Python equivalent; surrogateescape output checked by TestAppend
		}
		if want := oracle(value); string(enc) != want {
			t.Fatalf("encoding\n got %s\nwant %s", enc, want)
		}
		var decoded any
		if err := json.Unmarshal(enc, &decoded); err != nil {
			t.Fatal(err)
		}
		var roundTrip any
		plain, _ := json.Marshal(value) // encoding/json: a different but equivalent encoding
		if err := json.Unmarshal(plain, &roundTrip); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(decoded, roundTrip) {
			t.Fatalf("decodes to %#v, want %#v", decoded, roundTrip)
		}
	})
}

// TestStringWindows checks the word-at-a-time string scan at every length
// and position around its 8-byte windows: one or two bytes that need
// escaping (and bytes next to the escaped ranges: '!' is '"'-1, ']' is
// '\\'+1, ' ' is the first plain byte), in plain text, against the oracle.
func TestStringWindows(t *testing.T) {
	specials := []string{"\"", "\\", "\n", "\x00", "\x1f", "é", "😀", "!", "]", " ", "\x7f"}
	for n := 0; n <= 24; n++ {
		for p := 0; p < n; p++ {
			for _, sp := range specials {
				for q := -1; q < n; q++ {
					b := []byte(strings.Repeat("a", n))
					s := string(b[:p]) + sp + string(b[p+1:])
					if q >= 0 && q != p {
						s = s[:min(q, len(s))] + "\\" + s[min(q+1, len(s)):]
					}
					if !utf8.ValidString(s) {
						continue // cut into a multi-byte character
					}
					got, err := cachekey.Append(nil, s)
					if err != nil {
						t.Fatal(err)
					}
					if want := oracleString(s); string(got) != want {
						t.Fatalf("%q: got %s, want %s", s, got, want)
					}
				}
			}
		}
	}
}
