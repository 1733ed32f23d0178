package digest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"example.org/bst/internal/digest"
)

func TestSet(t *testing.T) {
	a := digest.NewFromBlob([]byte("a"))
	b := digest.NewFromBlob([]byte("b"))
	c := digest.NewFromBlob([]byte("c"))
	sorted := digest.NewSet(a, b, c).Items() // Compare order
	s := digest.NewSet(c, a, c)
	if s.Len() != 2 || !s.Contains(a) || !s.Contains(c) || s.Contains(b) {
		t.Fatalf("NewSet(c, a, c) = %v", s.Items())
	}
	for i := 1; i < len(sorted); i++ {
		if digest.Compare(sorted[i-1], sorted[i]) >= 0 {
			t.Fatalf("Items not sorted: %v", sorted)
		}
	}
	opt := cmp.Comparer(func(x, y digest.Digest) bool { return x == y })
	if diff := cmp.Diff(sorted, s.Union(digest.NewSet(b, a)).Items(), opt); diff != "" {
		t.Errorf("Union (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]digest.Digest{c}, s.Difference(digest.NewSet(a, b)).Items(), opt); diff != "" {
		t.Errorf("Difference (-want +got):\n%s", diff)
	}
	var empty digest.Set
	if empty.Len() != 0 || empty.Contains(a) || empty.Union(s).Len() != 2 || s.Difference(empty).Len() != 2 {
		t.Error("zero Set misbehaves")
	}
}
