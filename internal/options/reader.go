package options

import (
	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// reader reads YAML values with the checks and messages of one generation:
// BuildStream 1 names the Python type it wanted ('str', 'bool', 'list'),
// BuildStream 2 names the node type ('scalar', 'list') and says 'boolean'.
type reader struct{ gen Generation }

func invalid(prov *bsterr.Provenance, format string, args ...any) error {
	return bsterr.Load(bsterr.InvalidData, prov, format, args...)
}

func missingKey(m *yamlnode.Mapping, key string) error {
	return invalid(&m.P, "Dictionary did not contain expected key '%s'", key)
}

func wrongType(n yamlnode.Node, key, want string) error {
	return invalid(n.Pos(), "Value of '%s' is not of the expected type '%s'", key, want)
}

// scalar returns the scalar at key; gen1Want is the type BuildStream 1
// names when the value is not a scalar. A missing key is nil unless
// required.
func (r reader) scalar(m *yamlnode.Mapping, key, gen1Want string, required bool) (*yamlnode.Scalar, error) {
	v := m.Get(key)
	if v == nil {
		if required {
			return nil, missingKey(m, key)
		}
		return nil, nil
	}
	sc, ok := v.(*yamlnode.Scalar)
	if !ok {
		if r.gen == Gen1 {
			return nil, wrongType(v, key, gen1Want)
		}
		return nil, wrongType(v, key, "scalar")
	}
	return sc, nil
}

// str returns the string at key; null is reported as none.
func (r reader) str(m *yamlnode.Mapping, key string, required bool) (s string, present, none bool, err error) {
	sc, err := r.scalar(m, key, "str", required)
	if err != nil || sc == nil {
		return "", false, false, err
	}
	if sc.Null {
		return "", true, true, nil
	}
	return sc.Str(), true, false, nil
}

// boolean returns the boolean at key (required); null is none in
// BuildStream 1 and an error in BuildStream 2.
func (r reader) boolean(m *yamlnode.Mapping, key string) (b, none bool, err error) {
	sc, err := r.scalar(m, key, "bool", true)
	if err != nil {
		return false, false, err
	}
	if r.gen == Gen1 {
		if sc.Null {
			return false, true, nil
		}
		switch sc.Str() {
		case "True", "true":
			return true, false, nil
		case "False", "false":
			return false, false, nil
		}
		return false, false, wrongType(sc, key, "bool")
	}
	if !sc.Null {
		switch sc.Str() {
		case "True", "true", "1":
			return true, false, nil
		case "False", "false", "0":
			return false, false, nil
		}
	}
	return false, false, wrongType(sc, key, "boolean")
}

// strList returns the list of strings at key and the list's node (nil when
// absent). A null value is an absent list in BuildStream 1 and an error in
// BuildStream 2.
func (r reader) strList(m *yamlnode.Mapping, key string, required bool) ([]string, yamlnode.Node, error) {
	v := m.Get(key)
	if v == nil {
		if required {
			return nil, nil, missingKey(m, key)
		}
		return nil, nil, nil
	}
	seq, ok := v.(*yamlnode.Sequence)
	if !ok {
		if sc, isScalar := v.(*yamlnode.Scalar); isScalar && sc.Null && r.gen == Gen1 {
			return nil, v, nil
		}
		return nil, nil, wrongType(v, key, "list")
	}
	out := make([]string, 0, len(seq.Items))
	for i, it := range seq.Items {
		sc, ok := it.(*yamlnode.Scalar)
		if !ok {
			if r.gen == Gen1 {
				return nil, nil, invalid(it.Pos(), "Value of '%s[%d]' is not of the expected type 'str'", key, i)
			}
			return nil, nil, invalid(it.Pos(), "List item is not of the expected type 'scalar'")
		}
		out = append(out, sc.Str())
	}
	return out, seq, nil
}
