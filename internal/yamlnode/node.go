package yamlnode

import (
	"strings"

	"example.org/bst/internal/bsterr"
)

// Node is a Scalar, a *Mapping or a *Sequence.
type Node interface {
	// Pos is where the node starts in its file.
	Pos() *bsterr.Provenance
	// Clone returns a deep copy.
	Clone() Node
	// TypeName is the Python type name BuildStream uses in messages
	// ("str", "dict", "list").
	TypeName() string
}

// Scalar is a YAML scalar; every scalar is a string. Null marks an empty or
// explicit null value, which BuildStream treats as absent in most places.
type Scalar struct {
	Value string
	Null  bool
	P     bsterr.Provenance
}

// Pos implements Node.
func (s *Scalar) Pos() *bsterr.Provenance { return &s.P }

// Clone implements Node.
func (s *Scalar) Clone() Node { c := *s; return &c }

// TypeName implements Node.
func (s *Scalar) TypeName() string {
	if s.Null {
		return "NoneType"
	}
	return "str"
}

// Str returns the value with surrounding whitespace stripped, as BuildStream
// returns every string it reads.
func (s *Scalar) Str() string { return strings.TrimSpace(s.Value) }

// NewScalar returns a scalar node with the given value and provenance.
func NewScalar(v string, p bsterr.Provenance) *Scalar { return &Scalar{Value: v, P: p} }

// Sequence is a YAML sequence.
type Sequence struct {
	Items []Node
	P     bsterr.Provenance
}

// Pos implements Node.
func (s *Sequence) Pos() *bsterr.Provenance { return &s.P }

// TypeName implements Node.
func (s *Sequence) TypeName() string { return "list" }

// Clone implements Node.
func (s *Sequence) Clone() Node {
	c := &Sequence{P: s.P, Items: make([]Node, len(s.Items))}
	for i, it := range s.Items {
		c.Items[i] = it.Clone()
	}
	return c
}

// Mapping is a YAML mapping that keeps its keys in document order.
type Mapping struct {
	Keys []string
	Vals []Node
	P    bsterr.Provenance
}

// NewMapping returns an empty mapping located at p.
func NewMapping(p bsterr.Provenance) *Mapping { return &Mapping{P: p} }

// Pos implements Node.
func (m *Mapping) Pos() *bsterr.Provenance { return &m.P }

// TypeName implements Node.
func (m *Mapping) TypeName() string { return "dict" }

// Clone implements Node.
func (m *Mapping) Clone() Node { return m.CloneMapping() }

// CloneMapping is Clone with the concrete type.
func (m *Mapping) CloneMapping() *Mapping {
	c := &Mapping{P: m.P, Keys: make([]string, len(m.Keys), len(m.Keys)+2), Vals: make([]Node, len(m.Vals), len(m.Vals)+2)}
	copy(c.Keys, m.Keys)
	for i, v := range m.Vals {
		c.Vals[i] = v.Clone()
	}
	return c
}

// Len is the number of keys.
func (m *Mapping) Len() int { return len(m.Keys) }

func (m *Mapping) index(key string) int {
	for i, k := range m.Keys {
		if k == key {
			return i
		}
	}
	return -1
}

// Get returns the value for key, or nil.
func (m *Mapping) Get(key string) Node {
	if m == nil {
		return nil
	}
	if i := m.index(key); i >= 0 {
		return m.Vals[i]
	}
	return nil
}

// Has reports whether key is present.
func (m *Mapping) Has(key string) bool { return m != nil && m.index(key) >= 0 }

// Set sets key to v, keeping the key's position if it exists.
func (m *Mapping) Set(key string, v Node) {
	if i := m.index(key); i >= 0 {
		m.Vals[i] = v
		return
	}
	m.Keys = append(m.Keys, key)
	m.Vals = append(m.Vals, v)
}

// Delete removes key if present.
func (m *Mapping) Delete(key string) {
	if i := m.index(key); i >= 0 {
		m.Keys = append(m.Keys[:i], m.Keys[i+1:]...)
		m.Vals = append(m.Vals[:i], m.Vals[i+1:]...)
	}
}

// Pop removes key and returns its value (nil if absent).
func (m *Mapping) Pop(key string) Node {
	i := m.index(key)
	if i < 0 {
		return nil
	}
	v := m.Vals[i]
	m.Keys = append(m.Keys[:i], m.Keys[i+1:]...)
	m.Vals = append(m.Vals[:i], m.Vals[i+1:]...)
	return v
}

// CloneInFile returns a deep copy of m whose provenance names file, for a
// parsed file reused under another name (the same file seen through
// several junctions).
func CloneInFile(m *Mapping, file string) *Mapping {
	return cloneInFile(m, file).(*Mapping)
}

func cloneInFile(n Node, file string) Node {
	switch t := n.(type) {
	case *Scalar:
		c := *t
		c.P.File = file
		return &c
	case *Sequence:
		c := &Sequence{P: t.P, Items: make([]Node, len(t.Items))}
		c.P.File = file
		for i, it := range t.Items {
			c.Items[i] = cloneInFile(it, file)
		}
		return c
	case *Mapping:
		c := &Mapping{P: t.P, Keys: append([]string(nil), t.Keys...), Vals: make([]Node, len(t.Vals))}
		c.P.File = file
		for i, v := range t.Vals {
			c.Vals[i] = cloneInFile(v, file)
		}
		return c
	}
	return n
}
