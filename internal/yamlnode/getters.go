package yamlnode

import (
	"strconv"
	"strings"

	"example.org/bst/internal/bsterr"
)

func typeError(m *Mapping, key string, v Node, want string) error {
	return bsterr.Load(bsterr.InvalidData, v.Pos(), "Value of '%s' is not of the expected type '%s'", key, want)
}

func missing(m *Mapping, key string) error {
	return bsterr.Load(bsterr.InvalidData, &m.P, "Dictionary did not contain expected key '%s'", key)
}

// String returns the stripped string at key; ok is false when absent or null.
// A list or mapping there is INVALID_DATA.
func (m *Mapping) String(key string) (s string, ok bool, err error) {
	v := m.Get(key)
	if v == nil {
		return "", false, nil
	}
	sc, isScalar := v.(*Scalar)
	if !isScalar {
		return "", false, typeError(m, key, v, "str")
	}
	if sc.Null {
		return "", false, nil
	}
	return sc.Str(), true, nil
}

// StringDefault returns the string at key or def when absent or null.
func (m *Mapping) StringDefault(key, def string) (string, error) {
	s, ok, err := m.String(key)
	if err != nil || !ok {
		return def, err
	}
	return s, nil
}

// RequiredString returns the string at key, or INVALID_DATA if absent.
func (m *Mapping) RequiredString(key string) (string, error) {
	s, ok, err := m.String(key)
	if err != nil {
		return "", err
	}
	if !ok {
		if m.Has(key) {
			return "", nil
		}
		return "", missing(m, key)
	}
	return s, nil
}

// Bool returns the boolean at key ("True"/"true"/"False"/"false"), def if absent.
func (m *Mapping) Bool(key string, def bool) (bool, error) {
	v := m.Get(key)
	if v == nil {
		return def, nil
	}
	sc, ok := v.(*Scalar)
	if !ok {
		return false, typeError(m, key, v, "bool")
	}
	if sc.Null {
		return def, nil
	}
	switch sc.Str() {
	case "True", "true":
		return true, nil
	case "False", "false":
		return false, nil
	}
	return false, typeError(m, key, v, "bool")
}

// Int returns the integer at key, def if absent.
func (m *Mapping) Int(key string, def int) (int, error) {
	v := m.Get(key)
	if v == nil {
		return def, nil
	}
	sc, ok := v.(*Scalar)
	if !ok {
		return 0, typeError(m, key, v, "int")
	}
	if sc.Null {
		return def, nil
	}
	n, err := strconv.Atoi(sc.Str())
	if err != nil {
		return 0, typeError(m, key, v, "int")
	}
	return n, nil
}

// MappingAt returns the mapping at key (nil if absent or null).
func (m *Mapping) MappingAt(key string) (*Mapping, error) {
	v := m.Get(key)
	if v == nil {
		return nil, nil
	}
	switch t := v.(type) {
	case *Mapping:
		return t, nil
	case *Scalar:
		if t.Null {
			return nil, nil
		}
	}
	return nil, typeError(m, key, v, "dict")
}

// SequenceAt returns the sequence at key (nil if absent or null).
func (m *Mapping) SequenceAt(key string) (*Sequence, error) {
	v := m.Get(key)
	if v == nil {
		return nil, nil
	}
	switch t := v.(type) {
	case *Sequence:
		return t, nil
	case *Scalar:
		if t.Null {
			return nil, nil
		}
	}
	return nil, typeError(m, key, v, "list")
}

// StringList returns the list of strings at key (nil if absent).
func (m *Mapping) StringList(key string) ([]string, error) {
	seq, err := m.SequenceAt(key)
	if err != nil || seq == nil {
		return nil, err
	}
	out := make([]string, 0, len(seq.Items))
	for i, it := range seq.Items {
		sc, ok := it.(*Scalar)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of '%s[%d]' is not of the expected type 'str'", key, i)
		}
		out = append(out, sc.Str())
	}
	return out, nil
}

// ValidateKeys reports the first key not in valid as INVALID_DATA
// "Unexpected key: K", with the provenance of its value.
func (m *Mapping) ValidateKeys(valid ...string) error {
	for i, k := range m.Keys {
		ok := false
		for _, v := range valid {
			if k == v {
				ok = true
				break
			}
		}
		if !ok {
			return bsterr.Load(bsterr.InvalidData, m.Vals[i].Pos(), "Unexpected key: %s", k)
		}
	}
	return nil
}

// IsSymbolName reports whether s is a valid BuildStream symbol name.
func IsSymbolName(s string, allowDashes bool) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case c == '-' && allowDashes:
		default:
			return false
		}
	}
	return true
}

// AssertSymbolName returns INVALID_SYMBOL_NAME unless name is a valid symbol.
func AssertSymbolName(prov *bsterr.Provenance, name, purpose string, allowDashes bool) error {
	if IsSymbolName(name, allowDashes) {
		return nil
	}
	detail := "Symbol names must contain only alphanumeric characters, may not start with a digit, and may contain underscores"
	if allowDashes {
		detail += " or dashes"
	}
	return bsterr.Load(bsterr.InvalidSymbolName, prov, "Invalid symbol name for %s: '%s'", purpose, name).WithDetail("%s", detail)
}

// Plain converts a node to plain Go values (string, []any, ordered *Mapping
// converted to map[string]any), stripping provenance; nulls become nil.
// strip controls whether strings are whitespace-stripped.
func Plain(n Node, strip bool) any {
	switch t := n.(type) {
	case *Scalar:
		if t.Null {
			return nil
		}
		if strip {
			return strings.TrimSpace(t.Value)
		}
		return t.Value
	case *Sequence:
		out := make([]any, len(t.Items))
		for i, it := range t.Items {
			out[i] = Plain(it, strip)
		}
		return out
	case *Mapping:
		out := make(map[string]any, len(t.Keys))
		for i, k := range t.Keys {
			out[k] = Plain(t.Vals[i], strip)
		}
		return out
	}
	return nil
}
