// Package cachekey owns the canonical encoding that BuildStream hashes into
// cache keys, and the Key type.
//
// BuildStream (1.6 and 2.x, _cachekey.py generate_key) computes
//
//	sha256(ujson.dumps(value, sort_keys=True, escape_forward_slashes=False).encode("utf-8")).hexdigest()
//
// Append reproduces those bytes exactly: compact JSON without spaces, object
// keys sorted by code point, ujson's ensure_ascii escaping (every non-ASCII
// character as a lowercase \uXXXX escape, astral characters as surrogate
// pairs, short escapes for \b \f \n \r \t, other C0 controls as \u00XX, '/'
// and '<' '>' '&' and 0x7f left raw), true/false/null and decimal integers.
// encoding/json is not compatible (it escapes <>& and emits UTF-8).
//
// Values are built from nil, bool, string, the Go integer types, Key (hashed
// as its hex string), Dict, map[string]any, map[string]string, []any,
// []string, [][]string, []Dict, and any other slice, array or map with string
// keys of those (through reflection). Floats never occur in BuildStream keys
// and are rejected. Dict is an ordered list of fields that avoids building
// maps on the hot path; it is sorted at encode time.
//
// Debugging: BuildStream's BST_DEBUG=cachekey switch is implemented by the
// caller. This package never reads the environment: the caller checks
// DebugEnabled(os.Getenv("BST_DEBUG")) and passes a writer to NewHasher,
// which then prints every encoded input with its key, as cmd/go's
// GODEBUG=gocachehash=1 does.
//
// Imports: the standard library only (cachekey is a leaf).
package cachekey
