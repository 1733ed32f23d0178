package yamlnode

import (
	"example.org/bst/internal/bsterr"
)

// List directive keys.
const (
	DirPrepend   = "(<)"
	DirAppend    = "(>)"
	DirOverwrite = "(=)"
)

// IsCompositeList reports whether n is a mapping holding only list
// directives; a mapping mixing directives with other keys is INVALID_DATA.
func IsCompositeList(n Node) (bool, error) {
	m, ok := n.(*Mapping)
	if !ok {
		return false, nil
	}
	hasDirectives, hasKeys := false, false
	for _, k := range m.Keys {
		if k == DirPrepend || k == DirAppend || k == DirOverwrite {
			hasDirectives = true
		} else {
			hasKeys = true
		}
		if hasKeys && hasDirectives {
			return false, bsterr.Load(bsterr.InvalidData, &m.P, "Dictionary contains array composition directives and arbitrary keys")
		}
	}
	return hasDirectives, nil
}

// Composite composites source onto target (source wins), BuildStream's
// composite(): mappings merge recursively, scalars and literal lists
// replace, and list directives prepend, append or overwrite. Values taken
// from source are copied, so source is never shared with target.
func Composite(target, source *Mapping) error {
	if err := compositeDict(target, source, ""); err != nil {
		if ce, ok := err.(*compositeTypeError); ok {
			return bsterr.Load(bsterr.IllegalComposite, &source.P,
				"Expected '%s' type for configuration '%s', instead received '%s'", ce.expected, ce.path, ce.actual)
		}
		return err
	}
	return nil
}

type compositeTypeError struct {
	path, expected, actual string
}

func (e *compositeTypeError) Error() string { return "composite type error at " + e.path }

func compositeDict(target, source *Mapping, path string) error {
	for i, key := range source.Keys {
		sv := source.Vals[i]
		thisPath := key
		if path != "" {
			thisPath = path + "." + key
		}
		handled, err := compositeList(target, key, sv)
		if err != nil {
			return err
		}
		if handled {
			continue
		}
		tv := target.Get(key)
		if sm, ok := sv.(*Mapping); ok {
			if tv == nil {
				nm := &Mapping{P: sm.P}
				target.Set(key, nm)
				tv = nm
			}
			tm, ok := tv.(*Mapping)
			if !ok {
				return &compositeTypeError{path: thisPath, expected: tv.TypeName(), actual: "dict"}
			}
			if err := compositeDict(tm, sm, thisPath); err != nil {
				return err
			}
			continue
		}
		if tv != nil {
			_, tScalar := tv.(*Scalar)
			_, sScalar := sv.(*Scalar)
			if !tScalar || !sScalar {
				return &compositeTypeError{path: thisPath, expected: tv.TypeName(), actual: sv.TypeName()}
			}
		}
		target.Set(key, sv.Clone())
	}
	return nil
}

// compositeList handles the cases where source's value at key is a list or a
// list-directive mapping. It reports whether it handled the key.
func compositeList(target *Mapping, key string, sv Node) (bool, error) {
	tv := target.Get(key)
	if seq, ok := sv.(*Sequence); ok {
		if tv != nil {
			_, tList := tv.(*Sequence)
			tComp, err := IsCompositeList(tv)
			if err != nil {
				return false, err
			}
			if !tList && !tComp {
				return false, bsterr.Load(bsterr.InvalidData, sv.Pos(), "List cannot overwrite value at: %s", tv.Pos())
			}
		}
		if key == "(?)" {
			if ts, ok := tv.(*Sequence); ok {
				for _, it := range seq.Items {
					ts.Items = append(ts.Items, it.Clone())
				}
				return true, nil
			}
		}
		target.Set(key, seq.Clone())
		return true, nil
	}
	sComp, err := IsCompositeList(sv)
	if err != nil || !sComp {
		return false, err
	}
	sm := sv.(*Mapping)
	if tv == nil {
		target.Set(key, sm.CloneMapping())
		return true, nil
	}
	if ts, ok := tv.(*Sequence); ok {
		if err := applyDirectives(ts, sm); err != nil {
			return false, err
		}
		return true, nil
	}
	tComp, err := IsCompositeList(tv)
	if err != nil {
		return false, err
	}
	if !tComp {
		return false, bsterr.Load(bsterr.InvalidData, sv.Pos(), "List cannot overwrite value at: %s", tv.Pos())
	}
	tm := tv.(*Mapping)
	over, err := directiveList(sm, DirOverwrite)
	if err != nil {
		return false, err
	}
	if over != nil {
		tm.Set(DirOverwrite, over.Clone())
		tm.Delete(DirPrepend)
		tm.Delete(DirAppend)
	}
	if err := mergeDirective(tm, sm, DirPrepend, true); err != nil {
		return false, err
	}
	if err := mergeDirective(tm, sm, DirAppend, false); err != nil {
		return false, err
	}
	return true, nil
}

// directiveList returns the list under a directive key of m, nil if absent.
func directiveList(m *Mapping, dir string) (*Sequence, error) {
	v := m.Get(dir)
	if v == nil {
		return nil, nil
	}
	if t, ok := v.(*Sequence); ok {
		return t, nil
	}
	return nil, bsterr.Load(bsterr.InvalidData, v.Pos(), "Value of '%s' is not of the expected type 'list'", dir)
}

// applyDirectives applies (=), (<), (>) of sm onto the literal list ts.
func applyDirectives(ts *Sequence, sm *Mapping) error {
	over, err := directiveList(sm, DirOverwrite)
	if err != nil {
		return err
	}
	if over != nil {
		ts.Items = cloneItems(over.Items)
		ts.P = over.P
	}
	pre, err := directiveList(sm, DirPrepend)
	if err != nil {
		return err
	}
	if pre != nil && len(pre.Items) > 0 {
		ts.Items = append(cloneItems(pre.Items), ts.Items...)
	}
	app, err := directiveList(sm, DirAppend)
	if err != nil {
		return err
	}
	if app != nil && len(app.Items) > 0 {
		ts.Items = append(ts.Items, cloneItems(app.Items)...)
	}
	return nil
}

// mergeDirective accumulates a (<) or (>) of source into the directive map tm.
func mergeDirective(tm, sm *Mapping, dir string, prepend bool) error {
	src, err := directiveList(sm, dir)
	if err != nil || src == nil || len(src.Items) == 0 {
		return err
	}
	cur, err := directiveList(tm, dir)
	if err != nil {
		return err
	}
	if cur == nil {
		tm.Set(dir, src.Clone())
		return nil
	}
	if prepend {
		cur.Items = append(cloneItems(src.Items), cur.Items...)
	} else {
		cur.Items = append(cur.Items, cloneItems(src.Items)...)
	}
	return nil
}

func cloneItems(items []Node) []Node {
	out := make([]Node, len(items))
	for i, it := range items {
		out[i] = it.Clone()
	}
	return out
}

// FinalAssertions reports list directives left over after composition
// (TRAILING_LIST_DIRECTIVE: the list they were meant for never existed).
func FinalAssertions(n Node) error {
	switch t := n.(type) {
	case *Mapping:
		for i, k := range t.Keys {
			if k == DirPrepend || k == DirAppend || k == DirOverwrite {
				return bsterr.Load(bsterr.TrailingListDirective, t.Vals[i].Pos(), "Attempt to override non-existing list")
			}
			if err := FinalAssertions(t.Vals[i]); err != nil {
				return err
			}
		}
	case *Sequence:
		for _, it := range t.Items {
			if err := FinalAssertions(it); err != nil {
				return err
			}
		}
	}
	return nil
}
