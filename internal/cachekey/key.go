package cachekey

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Key is a cache key: the SHA-256 of a canonical encoding.
type Key [sha256.Size]byte

// KeyLength is the length of a key's string form (64 hex characters).
const KeyLength = 2 * sha256.Size

// String returns the key as 64 lowercase hex characters, BuildStream's form.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// AppendCanonical appends the key's canonical encoding, its String form
// quoted (BuildStream hashes keys as strings); Key is an Encoder.
func (k Key) AppendCanonical(dst []byte) []byte {
	dst = append(dst, '"')
	dst = hex.AppendEncode(dst, k[:])
	return append(dst, '"')
}

// IsZero reports whether k is the zero Key (all zero bytes), which this
// package uses for "no key yet"; no real encoding hashes to it.
func (k Key) IsZero() bool { return k == Key{} }

// MarshalText implements encoding.TextMarshaler with the String form.
func (k Key) MarshalText() ([]byte, error) {
	out := make([]byte, KeyLength)
	hex.Encode(out, k[:])
	return out, nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts only what
// IsKey accepts.
func (k *Key) UnmarshalText(text []byte) error {
	parsed, err := ParseKey(string(text))
	if err != nil {
		return err
	}
	*k = parsed
	return nil
}

// ParseKey parses the String form of a key. Like BuildStream's is_key it
// accepts exactly 64 lowercase hex characters.
func ParseKey(s string) (Key, error) {
	var k Key
	if !IsKey(s) {
		return k, fmt.Errorf("invalid cache key %q: want %d lowercase hex characters", s, KeyLength)
	}
	if _, err := hex.Decode(k[:], []byte(s)); err != nil {
		return Key{}, fmt.Errorf("invalid cache key %q: %w", s, err)
	}
	return k, nil
}

// IsKey reports whether s could be a cache key: 64 characters, all of them
// lowercase hex digits (BuildStream 2.x _cachekey.is_key).
func IsKey(s string) bool {
	if len(s) != KeyLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
