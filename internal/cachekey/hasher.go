package cachekey

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"sync"
)

// Hasher generates keys and, when it has a debug writer, prints every
// encoded input with its key (BuildStream's BST_DEBUG=cachekey). A nil
// *Hasher, or one without a writer, behaves like Generate. A Hasher is safe
// for concurrent use: each input is printed as one line with one Write.
//
// Debug lines look like
//
//	cachekey <64 hex key> <encoding>
//	cachekey <64 hex key> "<name>" <encoding>
//
// where the encoding is the exact bytes that were hashed (always ASCII, no
// newlines).
type Hasher struct {
	debug io.Writer

	mu sync.Mutex // serializes writes to debug
}

// NewHasher returns a Hasher that prints to debug, or prints nothing if
// debug is nil.
func NewHasher(debug io.Writer) *Hasher {
	return &Hasher{debug: debug}
}

// DebugEnabled reports whether the value of the BST_DEBUG environment
// variable, which the caller reads, asks for cache key debugging: it holds
// the word "cachekey" in a list separated by commas, colons or spaces.
func DebugEnabled(bstDebug string) bool {
	for _, word := range strings.FieldsFunc(bstDebug, func(r rune) bool {
		return r == ',' || r == ':' || r == ' ' || r == '\t'
	}) {
		if word == "cachekey" {
			return true
		}
	}
	return false
}

// Generate is the package Generate, printing the input when debugging.
func (h *Hasher) Generate(v any) Key {
	return h.GenerateNamed("", v)
}

// GenerateNamed is Generate with a name (such as "weak key of base.bst")
// printed beside the input; the name does not affect the key.
func (h *Hasher) GenerateNamed(name string, v any) Key {
	if h == nil || h.debug == nil {
		return Generate(v)
	}
	const prefix = "cachekey "
	line := make([]byte, 0, 1024)
	line = append(line, prefix...)
	line = append(line, make([]byte, KeyLength+1)...) // room for key and space
	if name != "" {
		line = strconv.AppendQuote(line, name)
		line = append(line, ' ')
	}
	start := len(line)
	line, err := Append(line, v)
	if err != nil {
		panic("cachekey.Hasher.Generate: broken key value: " + err.Error())
	}
	k := Key(sha256.Sum256(line[start:]))
	hex.Encode(line[len(prefix):], k[:])
	line[len(prefix)+KeyLength] = ' '
	line = append(line, '\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, _ = h.debug.Write(line) // debug output: a failing writer must not change keys
	return k
}

// Debugging reports whether h prints what it hashes.
func (h *Hasher) Debugging() bool { return h != nil && h.debug != nil }
