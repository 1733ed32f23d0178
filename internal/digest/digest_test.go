package digest_test

import (
	"errors"
	"strings"
	"testing"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/digest"
)

const helloHash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" // sha256("hello")

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		hash string
		size int64
		ok   bool
	}{
		{"valid", helloHash, 5, true},
		{"zero size", helloHash, 0, true},
		{"uppercase", strings.ToUpper(helloHash), 5, false},
		{"short", helloHash[:63], 5, false},
		{"long", helloHash + "0", 5, false},
		{"non hex", "g" + helloHash[1:], 5, false},
		{"negative size", helloHash, -1, false},
		{"empty", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := digest.New(tt.hash, tt.size)
			if tt.ok {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if d.Hash() != tt.hash || d.SizeBytes() != tt.size || d.IsZero() {
					t.Fatalf("New = %v", d)
				}
				return
			}
			var be *bsterr.Error
			if !errors.As(err, &be) || be.Reason != digest.InvalidDigest || be.Domain != bsterr.DomainCAS {
				t.Fatalf("New(%q, %d) error = %v, want reason %s", tt.hash, tt.size, err, digest.InvalidDigest)
			}
		})
	}
}

func TestNewFromBlob(t *testing.T) {
	if got, want := digest.NewFromBlob([]byte("hello")), digest.MustNew(helloHash, 5); got != want {
		t.Errorf("NewFromBlob(hello) = %v, want %v", got, want)
	}
	if got := digest.NewFromBlob(nil); got != digest.Empty() {
		t.Errorf("NewFromBlob(nil) = %v, want %v", got, digest.Empty())
	}
}

func TestGenerator(t *testing.T) {
	g := digest.NewGenerator()
	if _, err := g.ReadFromBuffer(strings.NewReader("hel"), make([]byte, 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Write([]byte("lo")); err != nil {
		t.Fatal(err)
	}
	if got := g.Sum(); got != digest.NewFromBlob([]byte("hello")) {
		t.Errorf("Sum = %v", got)
	}
}

func TestStringParse(t *testing.T) {
	d := digest.MustNew(helloHash, 5)
	if got, want := d.String(), helloHash+"/5"; got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
	back, err := digest.Parse(d.String())
	if err != nil || back != d {
		t.Fatalf("Parse(%q) = %v, %v", d.String(), back, err)
	}
	for _, bad := range []string{"", helloHash, helloHash + "/", helloHash + "/x", helloHash + "/+5", helloHash + "/-5", "/5"} {
		if _, err := digest.Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func TestProto(t *testing.T) {
	d := digest.MustNew(helloHash, 5)
	p := d.Proto()
	if p.GetHash() != helloHash || p.GetSizeBytes() != 5 {
		t.Fatalf("Proto = %v", p)
	}
	back, err := digest.NewFromProto(p)
	if err != nil || back != d {
		t.Fatalf("NewFromProto = %v, %v", back, err)
	}
	if _, err := digest.NewFromProto(nil); err == nil {
		t.Error("NewFromProto(nil) succeeded")
	}
	if _, err := digest.NewFromProto(&remoteexecution.Digest{Hash: "x"}); err == nil {
		t.Error("NewFromProto(bad) succeeded")
	}
}

func TestZero(t *testing.T) {
	var d digest.Digest
	if !d.IsZero() {
		t.Error("zero Digest is not IsZero")
	}
	if digest.Empty().IsZero() {
		t.Error("Empty() IsZero")
	}
}

func TestCompare(t *testing.T) {
	a := digest.MustNew(strings.Repeat("0", 64), 9)
	b := digest.MustNew(strings.Repeat("0", 64), 10)
	c := digest.MustNew(strings.Repeat("1", 64), 1)
	tests := []struct {
		x, y digest.Digest
		want int
	}{{a, a, 0}, {a, b, -1}, {b, a, 1}, {b, c, -1}, {c, a, 1}}
	for _, tt := range tests {
		if got := digest.Compare(tt.x, tt.y); got != tt.want {
			t.Errorf("Compare(%v, %v) = %d, want %d", tt.x, tt.y, got, tt.want)
		}
	}
}
