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
	// Encode every field into one pooled buffer, then keep one exact copy
	// that the segments slice into.
	bp := bufPool.Get().(*[]byte)
	buf := (*bp)[:0]
	ends := make([]int, len(fields))
	for i, f := range fields {
		if i > 0 && fields[i-1].name == f.name {
			return nil, &duplicateError{name: f.name}
		}
		if !f.hole {
			buf = appendString(buf, f.name)
			buf = append(buf, ':')
			var err error
			if buf, err = appendValue(buf, f.v, 1); err != nil {
				return nil, err
			}
		}
		ends[i] = len(buf)
	}
	all := append([]byte(nil), buf...)
	if cap(buf) <= 1<<20 {
		*bp = buf
		bufPool.Put(bp)
	}
	t := &Template{segs: make([]segment, len(fields))}
	start := 0
	for i, f := range fields {
		if f.hole {
			t.segs[i] = segment{hole: f.name}
		} else {
			t.segs[i] = segment{enc: all[start:ends[i]:ends[i]]}
		}
		start = ends[i]
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
