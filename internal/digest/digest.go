package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"example.org/bst/internal/bsterr"
)

// HashLength is the length of a SHA-256 hash in hex characters.
const HashLength = 2 * sha256.Size

// InvalidDigest is the bsterr reason of every validation error in this
// package (domain bsterr.DomainCAS).
const InvalidDigest bsterr.Reason = "INVALID_DIGEST"

// Digest identifies a blob by its SHA-256 hash and its size. The zero Digest
// is not valid (IsZero reports it); every other value was validated.
type Digest struct {
	hash string // HashLength lowercase hex characters
	size int64  // >= 0
}

// emptyHash is the SHA-256 of zero bytes.
const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Empty returns the digest of the empty blob.
func Empty() Digest { return Digest{hash: emptyHash, size: 0} }

// New returns the digest with the given hash (64 lowercase hex characters)
// and size, or an error if either is malformed.
func New(hash string, size int64) (Digest, error) {
	if !validHash(hash) {
		return Digest{}, invalid("invalid digest hash %q: want %d lowercase hex characters", hash, HashLength)
	}
	if size < 0 {
		return Digest{}, invalid("invalid digest size %d for hash %s: negative", size, hash)
	}
	return Digest{hash: hash, size: size}, nil
}

// MustNew is New for values known to be valid, such as constants in tests.
// It panics on malformed input.
func MustNew(hash string, size int64) Digest {
	d, err := New(hash, size)
	if err != nil {
		panic("digest.MustNew: " + err.Error())
	}
	return d
}

// NewFromBlob returns the digest of b.
func NewFromBlob(b []byte) Digest {
	sum := sha256.Sum256(b)
	return Digest{hash: hex.EncodeToString(sum[:]), size: int64(len(b))}
}

// NewFromProto validates an REAPI Digest message. A nil message is an error.
func NewFromProto(p *remoteexecution.Digest) (Digest, error) {
	if p == nil {
		return Digest{}, invalid("missing digest")
	}
	return New(p.GetHash(), p.GetSizeBytes())
}

// Parse reads the "hash/size" form that String produces.
func Parse(s string) (Digest, error) {
	hash, sizeText, ok := strings.Cut(s, "/")
	if !ok {
		return Digest{}, invalid("invalid digest %q: want hash/size", s)
	}
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || sizeText[0] == '+' {
		return Digest{}, invalid("invalid digest %q: size is not a decimal integer", s)
	}
	return New(hash, size)
}

// Hash returns the hash as 64 lowercase hex characters.
func (d Digest) Hash() string { return d.hash }

// SizeBytes returns the size of the blob in bytes.
func (d Digest) SizeBytes() int64 { return d.size }

// IsZero reports whether d is the zero Digest, which no constructor returns.
func (d Digest) IsZero() bool { return d.hash == "" }

// String returns "hash/size", the form BuildStream prints for CAS digests.
func (d Digest) String() string {
	return d.hash + "/" + strconv.FormatInt(d.size, 10)
}

// Proto returns a new REAPI Digest message for d.
func (d Digest) Proto() *remoteexecution.Digest {
	return &remoteexecution.Digest{Hash: d.hash, SizeBytes: d.size}
}

// Compare orders digests by hash, then size; it returns -1, 0 or +1.
func Compare(a, b Digest) int {
	switch {
	case a.hash < b.hash:
		return -1
	case a.hash > b.hash:
		return 1
	case a.size < b.size:
		return -1
	case a.size > b.size:
		return 1
	}
	return 0
}

func validHash(h string) bool {
	if len(h) != HashLength {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func invalid(format string, args ...any) *bsterr.Error {
	return &bsterr.Error{Domain: bsterr.DomainCAS, Reason: InvalidDigest, Msg: fmt.Sprintf(format, args...)}
}
