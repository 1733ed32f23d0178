package cachekey

import (
	"crypto/sha256"
	"sort"
	"strconv"
)

// Template is a Dict encoded once with some fields left open ("holes"),
// filled when a key is generated. BuildStream hashes the same element
// dictionary two or three times with different dependency lists; a
// template encodes the shared part once.
type Template struct {
	segs []segment
}

type segment struct {
	enc  []byte // `"name":value`, or nil for a hole
	hole string
}

// NewTemplate encodes d with holes for the given field names. Holes and
// fields must not share names.
func NewTemplate(d Dict, holes ...string) (*Template, error) {
	type field struct {
		name string
		hole bool
		v    any
	}
	fields := make([]field, 0, len(d)+len(holes))
	for _, f := range d {
		fields = append(fields, field{name: f.Name, v: f.Value})
	}
	for _, h := range holes {
		fields = append(fields, field{name: h, hole: true})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].name < fields[j].name })
	t := &Template{}
	for i, f := range fields {
		if i > 0 && fields[i-1].name == f.name {
			return nil, &duplicateError{name: f.name}
		}
		if f.hole {
			t.segs = append(t.segs, segment{hole: f.name})
			continue
		}
		enc := appendString(nil, f.name)
		enc = append(enc, ':')
		enc, err := appendValue(enc, f.v, 1)
		if err != nil {
			return nil, err
		}
		t.segs = append(t.segs, segment{enc: enc})
	}
	return t, nil
}

type duplicateError struct{ name string }

func (e *duplicateError) Error() string {
	return "cachekey: field " + strconv.Quote(e.name) + " given twice"
}

// Generate returns the key of the template with its holes filled from
// values; a hole without a value is left out of the dictionary.
func (t *Template) Generate(values Dict) Key {
	bp := bufPool.Get().(*[]byte)
	buf := t.append((*bp)[:0], values)
	k := Key(sha256.Sum256(buf))
	if cap(buf) <= 1<<20 {
		*bp = buf
		bufPool.Put(bp)
	}
	return k
}

func (t *Template) append(buf []byte, values Dict) []byte {
	buf = append(buf, '{')
	first := true
	for _, s := range t.segs {
		if s.enc != nil {
			if !first {
				buf = append(buf, ',')
			}
			buf = append(buf, s.enc...)
			first = false
			continue
		}
		v, ok := values.Get(s.hole)
		if !ok {
			continue
		}
		if !first {
			buf = append(buf, ',')
		}
		buf = appendString(buf, s.hole)
		buf = append(buf, ':')
		var err error
		if buf, err = appendValue(buf, v, 1); err != nil {
			panic("cachekey.Template: broken key value: " + err.Error())
		}
		first = false
	}
	return append(buf, '}')
}

// GenerateTemplate is Template.Generate, printing the input when debugging.
func (h *Hasher) GenerateTemplate(name string, t *Template, values Dict) Key {
	if !h.Debugging() {
		return t.Generate(values)
	}
	buf := t.append(nil, values)
	k := Key(sha256.Sum256(buf))
	h.print(name, k, buf)
	return k
}
