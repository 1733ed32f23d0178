package loader

import (
	"errors"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
)

// TestLinkCache replays sequences of links found (path -> target) and
// checks how paths expand afterwards, as BuildStream's Loader._resolve_link
// and _expand_link do: a later link re-points the links that led to it,
// and expansion substitutes the first known link prefixing the path.
func TestLinkCache(t *testing.T) {
	tests := []struct {
		name   string
		links  [][2]string
		expand map[string]string
	}{
		{
			name:  "one link",
			links: [][2]string{{"sub-link.bst", "sub.bst"}},
			expand: map[string]string{
				"sub-link.bst":             "sub.bst",
				"sub-link.bst:target.bst":  "sub.bst:target.bst",
				"other.bst":                "other.bst",
				"sub-link.bst:a.bst:b.bst": "sub.bst:a.bst:b.bst",
			},
		},
		{
			name:   "chain found target first",
			links:  [][2]string{{"b.bst", "c.bst"}, {"a.bst", "b.bst"}},
			expand: map[string]string{"a.bst": "b.bst", "b.bst": "c.bst"},
		},
		{
			// BuildStream only re-points a link whose target expands to the
			// new link's path; a.bst's target b.bst expands to c.bst, so
			// a.bst keeps pointing at b.bst (one step at a time).
			name:   "chain found link first",
			links:  [][2]string{{"a.bst", "b.bst"}, {"b.bst", "c.bst"}},
			expand: map[string]string{"a.bst": "b.bst", "b.bst": "c.bst", "a.bst:x.bst": "b.bst:x.bst"},
		},
		{
			// a.bst -> x.bst, whose own link leads to y.bst: when y.bst is
			// found to be a link, a.bst is pointed at its target.
			name:   "re-pointed",
			links:  [][2]string{{"x.bst", "y.bst"}, {"a.bst", "x.bst"}, {"y.bst", "z.bst"}},
			expand: map[string]string{"a.bst": "z.bst", "x.bst": "y.bst", "y.bst": "z.bst"},
		},
		{
			// Expansion is by plain string prefix, the first link found
			// first, as BuildStream's (FIXME'd) _expand_link.
			name:   "plain prefixes",
			links:  [][2]string{{"top.bst", "sub.bst:l.bst"}, {"sub.bst:l", "sub.bst:m"}, {"sub.bst:l.bst", "sub.bst:k.bst"}},
			expand: map[string]string{"sub.bst:l.bst": "sub.bst:m.bst", "top.bst": "sub.bst:l.bst"},
		},
		{
			name:   "links through junctions",
			links:  [][2]string{{"j.bst:l.bst", "j.bst:k.bst"}, {"top-link.bst", "j.bst:l.bst"}},
			expand: map[string]string{"top-link.bst:x.bst": "j.bst:l.bst:x.bst", "j.bst:l.bst:y.bst": "j.bst:k.bst:y.bst"},
		},
		{
			name:   "a link found again is updated in place",
			links:  [][2]string{{"a.bst", "x.bst"}, {"a", "y"}, {"a.bst", "z.bst"}},
			expand: map[string]string{"a.bst": "z.bst", "a": "y"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoader(&project.Project{Name: "p", Gen: project.Gen2}, &Session{}, nil, "")
			for _, k := range tt.links {
				l.resolveLinkCache(k[0], k[1])
			}
			for in, want := range tt.expand {
				if got := l.expandLink(in); got != want {
					t.Errorf("expandLink(%q) = %q, want %q (links %v)", in, got, want, l.links)
				}
			}
		})
	}
}

// TestSearchCircular checks that a junction path asked for again within
// one search is a circular reference reported where it was asked for
// again, naming where the first search started, and that separate
// searches do not see each other.
func TestSearchCircular(t *testing.T) {
	l := newLoader(&project.Project{Name: "p", Gen: project.Gen2}, &Session{}, nil, "")
	first := &bsterr.Provenance{File: "a.bst", Line: 4, Col: 2}
	again := &bsterr.Provenance{File: "link.bst", Line: 4, Col: 10}
	s := newSearch()
	s.busy[searchKey{l, "j.bst:k.bst"}] = first

	_, err := l.getLoaderPath(t.Context(), s, "j.bst:k.bst", again, true)
	var be *bsterr.Error
	if !errors.As(err, &be) || be.Reason != bsterr.CircularReference || be.Prov == nil || *be.Prov != *again {
		t.Fatalf("got %v, want CIRCULAR_REFERENCE at %v", err, again)
	}
	if want := "Already searching for 'j.bst:k.bst' at: " + first.String(); be.Detail != want {
		t.Errorf("detail = %q, want %q", be.Detail, want)
	}
	// The same provenance again: no detail.
	_, err = l.getLoaderPath(t.Context(), s, "j.bst:k.bst", first, true)
	if !errors.As(err, &be) || be.Detail != "" {
		t.Errorf("got %v (detail %q), want a circular reference without detail", err, be.Detail)
	}
	// A lookup that loads nothing never is circular.
	if _, err := l.getLoaderPath(t.Context(), s, "j.bst:k.bst", again, false); bsterr.ReasonOf(err) == bsterr.CircularReference {
		t.Errorf("lookup without loading: %v", err)
	}
}
