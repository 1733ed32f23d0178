package cachekey

// Dict is a JSON object given as a list of fields, for building key
// dictionaries without allocating maps. Order does not matter: fields are
// sorted by name when encoded (without modifying the Dict). Names must be
// unique; encoding a Dict with a repeated name is an error.
type Dict []Field

// Field is one name/value member of a Dict.
type Field struct {
	Name  string
	Value any
}

// Get returns the value of the field called name and whether there is one.
func (d Dict) Get(name string) (any, bool) {
	for _, f := range d {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

// With returns a copy of d with the field name set to v (replacing an
// existing field of that name). d itself is not modified, so one base Dict
// can be extended differently, as BuildStream does for the weak and strict
// keys.
func (d Dict) With(name string, v any) Dict {
	out := make(Dict, 0, len(d)+1)
	for _, f := range d {
		if f.Name != name {
			out = append(out, f)
		}
	}
	return append(out, Field{Name: name, Value: v})
}
