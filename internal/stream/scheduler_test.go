package stream

import (
	"testing"

	"example.org/bst/internal/element"
)

// TestCriticalFirst: of the elements ready together, the one with the
// longest chain waiting for it starts first; ties keep staging order.
func TestCriticalFirst(t *testing.T) {
	mk := func(name string, deps ...*element.Element) *element.Element {
		return &element.Element{FullName: name, BuildDeps: deps}
	}
	// base <- a <- b <- c (a chain), base <- x and base <- y (leaves).
	base := mk("base")
	x := mk("x", base)
	y := mk("y", base)
	a := mk("a", base)
	b := mk("b", a)
	c := mk("c", b)
	got := criticalFirst([]*element.Element{base, x, y, a, b, c})
	var names []string
	for _, e := range got {
		names = append(names, e.FullName)
	}
	want := []string{"base", "a", "b", "x", "y", "c"}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("order %v, want %v", names, want)
		}
	}
}
