package digest

import "slices"

// Set is an immutable set of digests, kept sorted by Compare. The zero Set
// is empty and ready to use.
type Set struct {
	items []Digest // sorted, no duplicates
}

// NewSet returns the set holding ds (duplicates are dropped). ds is not
// modified.
func NewSet(ds ...Digest) Set {
	items := slices.Clone(ds)
	slices.SortFunc(items, Compare)
	return Set{items: slices.Compact(items)}
}

// Items returns the digests in Compare order. The caller must not modify
// the returned slice.
func (s Set) Items() []Digest { return s.items }

// Len returns the number of digests in s.
func (s Set) Len() int { return len(s.items) }

// Contains reports whether d is in s.
func (s Set) Contains(d Digest) bool {
	_, found := slices.BinarySearchFunc(s.items, d, Compare)
	return found
}

// Union returns the digests in s or t.
func (s Set) Union(t Set) Set {
	out := make([]Digest, 0, len(s.items)+len(t.items))
	i, j := 0, 0
	for i < len(s.items) && j < len(t.items) {
		switch c := Compare(s.items[i], t.items[j]); {
		case c < 0:
			out = append(out, s.items[i])
			i++
		case c > 0:
			out = append(out, t.items[j])
			j++
		default:
			out = append(out, s.items[i])
			i++
			j++
		}
	}
	out = append(out, s.items[i:]...)
	out = append(out, t.items[j:]...)
	return Set{items: out}
}

// Difference returns the digests in s that are not in t.
func (s Set) Difference(t Set) Set {
	var out []Digest
	j := 0
	for _, d := range s.items {
		for j < len(t.items) && Compare(t.items[j], d) < 0 {
			j++
		}
		if j < len(t.items) && t.items[j] == d {
			continue
		}
		out = append(out, d)
	}
	return Set{items: out}
}
