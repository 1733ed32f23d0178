package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
)

// Generator computes the Digest of a stream of bytes written to it. It is
// an io.Writer and an io.ReaderFrom; the zero value is not usable, call
// NewGenerator.
type Generator struct {
	h    hash.Hash
	size int64
}

// NewGenerator returns a Generator for an empty stream.
func NewGenerator() *Generator { return &Generator{h: sha256.New()} }

// Write adds p to the stream. It never fails.
func (g *Generator) Write(p []byte) (int, error) {
	g.h.Write(p) // hash.Hash.Write never returns an error
	g.size += int64(len(p))
	return len(p), nil
}

// ReadFrom adds everything r yields until EOF, reading through buf when it
// is non-empty so that callers can reuse one buffer for many files.
func (g *Generator) ReadFrom(r io.Reader) (int64, error) {
	return g.ReadFromBuffer(r, nil)
}

// ReadFromBuffer is ReadFrom with a caller-supplied buffer (nil allocates
// one of 64 KiB).
func (g *Generator) ReadFromBuffer(r io.Reader, buf []byte) (int64, error) {
	if len(buf) == 0 {
		buf = make([]byte, 64<<10)
	}
	var n int64
	for {
		m, err := r.Read(buf)
		if m > 0 {
			g.Write(buf[:m])
			n += int64(m)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// Sum returns the digest of everything written so far.
func (g *Generator) Sum() Digest {
	var sum [sha256.Size]byte
	return Digest{hash: hex.EncodeToString(g.h.Sum(sum[:0])), size: g.size}
}
