package cachekey

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/bits"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxDepth bounds nesting, so that a value containing itself fails instead
// of overflowing the stack. Real key dictionaries nest a handful of levels.
const maxDepth = 256

// UnsupportedTypeError reports a value that has no canonical encoding
// (floats, pointers, structs, []byte, maps with non-string keys, ...).
type UnsupportedTypeError struct {
	Type reflect.Type
}

func (e *UnsupportedTypeError) Error() string {
	return fmt.Sprintf("cachekey: cannot encode value of type %v", e.Type)
}

// Append appends the canonical encoding of v to dst and returns the extended
// buffer. It fails only for programming errors: unsupported types
// (*UnsupportedTypeError), a Dict with a repeated name, or nesting deeper
// than 256 levels.
//
// Strings are encoded as Python would encode the same text. A Go string that
// is not valid UTF-8 has no Python equivalent (ujson refuses lone
// surrogates); each invalid byte is encoded as the \udcXX escape of Python's
// surrogateescape decoding, so the encoding stays total and deterministic.
// Object keys are sorted by bytes, which is code point order for valid UTF-8.
func Append(dst []byte, v any) ([]byte, error) {
	return appendValue(dst, v, 0)
}

// Encode writes the canonical encoding of v to w.
func Encode(w io.Writer, v any) error {
	buf, err := Append(nil, v)
	if err != nil {
		return err
	}
	_, err = w.Write(buf)
	return err
}

// Generate returns the key of v: the SHA-256 of its canonical encoding, as
// BuildStream's generate_key computes it. Values are built by bst's own code,
// so a value Append rejects is a bug in the caller and Generate panics.
func Generate(v any) Key {
	bp := bufPool.Get().(*[]byte)
	buf, err := Append((*bp)[:0], v)
	if err != nil {
		panic("cachekey.Generate: broken key value: " + err.Error())
	}
	k := Key(sha256.Sum256(buf))
	if cap(buf) <= 1<<20 {
		*bp = buf
		bufPool.Put(bp)
	}
	return k
}

// bufPool recycles encoding buffers: keys are computed for thousands of
// elements and each encoding is a few kilobytes.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, fmt.Errorf("cachekey: value nested deeper than %d levels", maxDepth)
	}
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendString(dst, v), nil
	case bool:
		return appendBool(dst, v), nil
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case uint64:
		return strconv.AppendUint(dst, v, 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case Key:
		dst = append(dst, '"')
		dst = hex.AppendEncode(dst, v[:])
		return append(dst, '"'), nil
	case Encoder:
		return v.AppendCanonical(dst), nil
	case Dict:
		return appendDict(dst, v, depth)
	case map[string]any:
		return appendMap(dst, v, depth)
	case map[string]string:
		return appendStringMap(dst, v), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case []string:
		return appendStrings(dst, v), nil
	case [][]string:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendStrings(dst, e)
		}
		return append(dst, ']'), nil
	case []Dict:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendDict(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case []byte:
		// Ambiguous (Python bytes would be a string, reflection would give a
		// list of numbers): make the caller choose.
		return dst, &UnsupportedTypeError{Type: reflect.TypeOf(v)}
	}
	return appendReflect(dst, reflect.ValueOf(v), depth)
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

func appendStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s)
	}
	return append(dst, ']')
}

// appendDict encodes d sorted by name without modifying it. Dicts built in
// sorted order (the common case) are encoded directly; others go through a
// sorted permutation.
func appendDict(dst []byte, d Dict, depth int) ([]byte, error) {
	sorted := true
	for i := 1; i < len(d); i++ {
		if d[i-1].Name >= d[i].Name {
			sorted = false
			break
		}
	}
	var err error
	dst = append(dst, '{')
	if sorted {
		for i := range d {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, d[i].Name)
			dst = append(dst, ':')
			if dst, err = appendValue(dst, d[i].Value, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	var arr [32]int
	order := arr[:0]
	for i := range d {
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(d[a].Name, d[b].Name) })
	for n, i := range order {
		if n > 0 {
			if d[order[n-1]].Name == d[i].Name {
				return dst, fmt.Errorf("cachekey: Dict has field %q twice", d[i].Name)
			}
			dst = append(dst, ',')
		}
		dst = appendString(dst, d[i].Name)
		dst = append(dst, ':')
		if dst, err = appendValue(dst, d[i].Value, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

func appendMap(dst []byte, m map[string]any, depth int) ([]byte, error) {
	var arr [16]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		var err error
		if dst, err = appendValue(dst, m[k], depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

func appendStringMap(dst []byte, m map[string]string) []byte {
	var arr [16]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendString(dst, m[k])
	}
	return append(dst, '}')
}

// appendReflect handles named types and containers the type switch does not
// list: named string/bool/integer types, slices and arrays, and maps with
// string keys.
func appendReflect(dst []byte, rv reflect.Value, depth int) ([]byte, error) {
	switch rv.Kind() {
	case reflect.String:
		return appendString(dst, rv.String()), nil
	case reflect.Bool:
		return appendBool(dst, rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(dst, rv.Uint(), 10), nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			break // []byte-like: see appendValue
		}
		dst = append(dst, '[')
		for i := 0; i < rv.Len(); i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, rv.Index(i).Interface(), depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k.String())
			dst = append(dst, ':')
			var err error
			if dst, err = appendValue(dst, rv.MapIndex(k).Interface(), depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	return dst, &UnsupportedTypeError{Type: rv.Type()}
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string with ujson's ensure_ascii escaping.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Jump over plain bytes (no control character, quote, backslash
		// or non-ASCII byte) eight at a time, straight to the first byte
		// that may need escaping. The last bytes are checked with the
		// last eight bytes of s, where a flag can be wrong (see
		// escapes8), so each flagged byte is checked again below.
		if i+8 <= len(s) {
			m := escapes8(load8(s[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		} else if len(s) >= 8 {
			m := escapes8(load8(s[len(s)-8:])) >> (8 * (i + 8 - len(s)))
			if m == 0 {
				break
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = appendEscape(dst, rune(c))
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				r = 0xDC00 + rune(c) // surrogateescape of an invalid byte
			}
			if r >= 0x10000 {
				r -= 0x10000
				dst = appendEscape(dst, 0xD800+(r>>10))
				dst = appendEscape(dst, 0xDC00+(r&0x3FF))
			} else {
				dst = appendEscape(dst, r)
			}
			i += size
		}
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscape appends \uXXXX with lowercase hex digits; r must be < 0x10000.
func appendEscape(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u',
		hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}

// Encoder is a value that writes its own canonical encoding (for callers
// whose data is already structured, such as YAML nodes, to avoid building
// maps just to hash them). It must write exactly what Append would write
// for the equivalent plain value.
type Encoder interface {
	AppendCanonical(dst []byte) []byte
}

// AppendString appends the canonical encoding of a string (quoted, with
// ujson's escaping), for Encoder implementations.
func AppendString(dst []byte, s string) []byte { return appendString(dst, s) }

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// escapes8 returns a mask with the high bit of each byte of the 8 bytes
// w (little endian) that needs escaping: a control character, a quote, a
// backslash or a non-ASCII byte. Bytes above the lowest flagged one may be
// flagged wrongly (borrows propagate upwards), so only the lowest set bit
// is meaningful; it is zero if no byte needs escaping.
func escapes8(w uint64) uint64 {
	quote := w ^ (lsb * '"')
	bs := w ^ (lsb * '\\')
	return (w | (w-lsb*0x20)&^w | (quote-lsb)&^quote | (bs-lsb)&^bs) & msb
}

// load8 returns the first 8 bytes of b as a little-endian word.
func load8(b string) uint64 {
	_ = b[7] // one bounds check; the loads combine into one
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}
