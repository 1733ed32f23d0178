package elementkey

import (
	"sort"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/yamlnode"
)

// Input is what an element key needs.
type Input struct {
	Gen    int
	Kind   string
	Plugin *plugin.ElementKind
	Config *yamlnode.Mapping // Gen1: as composited; Gen2: variables expanded
	// Subst substitutes variables in s (located at prov).
	Subst func(s string, prov bsterr.Provenance) (string, error)
	// Var returns a variable's value ("" if undefined).
	Var func(name string) string
	// Deps is the 2.x dependency configuration, in dependency order, for
	// the kinds UsesDependencies reports.
	Deps []Dep
}

// Key returns the unique key of an element.
func Key(in Input) (any, error) {
	if in.Plugin.BuildElement {
		return buildElementKey(in)
	}
	switch in.Kind {
	case "stack", "junction", "link":
		return 1, nil
	case "import":
		src, err := in.substKey("source", "/")
		if err != nil {
			return nil, err
		}
		tgt, err := in.substKey("target", "/")
		if err != nil {
			return nil, err
		}
		return map[string]any{"source": src, "target": tgt}, nil
	case "compose":
		return composeKey(in)
	case "filter":
		inc, err := sortedRaw(in.Config, "include")
		if err != nil {
			return nil, err
		}
		exc, err := sortedRaw(in.Config, "exclude")
		if err != nil {
			return nil, err
		}
		orphans, err := in.Config.Bool("include-orphans", false)
		if err != nil {
			return nil, err
		}
		return map[string]any{"include": inc, "exclude": exc, "orphans": orphans}, nil
	case "script":
		return scriptKey(in)
	}
	return externalKey(in)
}

func (in Input) substKey(key, def string) (string, error) {
	v, ok, err := in.Config.String(key)
	if err != nil {
		return "", err
	}
	if !ok {
		return def, nil
	}
	if in.Gen == 2 {
		// Expanded when configured; not stripped again.
		return in.Config.Get(key).(*yamlnode.Scalar).Value, nil
	}
	return in.Subst(v, *in.Config.Get(key).Pos())
}

// rawList returns the list at key without substitution: 1.x items are raw
// and unstripped, 2.x items were stripped when loaded and then expanded
// (the whole 2.x config is expanded before keys are taken).
func rawList(c *yamlnode.Mapping, key string) ([]string, error) {
	seq, err := c.SequenceAt(key)
	if err != nil || seq == nil {
		return []string{}, err
	}
	out := make([]string, 0, len(seq.Items))
	for i, it := range seq.Items {
		sc, ok := it.(*yamlnode.Scalar)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of '%s[%d]' is not of the expected type 'str'", key, i)
		}
		out = append(out, sc.Value)
	}
	return out, nil
}

func sortedRaw(c *yamlnode.Mapping, key string) ([]string, error) {
	l, err := rawList(c, key)
	if err != nil {
		return nil, err
	}
	sort.Strings(l)
	return l, nil
}

func sortedSet(l []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// substList substitutes each item of the list at key; 1.x keeps items
// unstripped (node_subst_list), 2.x items are already expanded.
func (in Input) substList(key string, strip bool) ([]string, error) {
	seq, err := in.Config.SequenceAt(key)
	if err != nil || seq == nil {
		return []string{}, err
	}
	out := make([]string, 0, len(seq.Items))
	for i, it := range seq.Items {
		sc, ok := it.(*yamlnode.Scalar)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of '%s[%d]' is not of the expected type 'str'", key, i)
		}
		// 2.x scalars were stripped when loaded, before expansion; the
		// expanded value is used as is (trailing blanks from empty
		// variables stay).
		v := sc.Value
		if strip && in.Gen == 1 {
			v = sc.Str()
		}
		if in.Gen == 1 {
			if v, err = in.Subst(v, sc.P); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func buildElementKey(in Input) (any, error) {
	key := map[string]any{}
	steps := []string{"configure-commands", "build-commands", "install-commands", "strip-commands"}
	for _, s := range steps {
		l, err := in.substList(s, true)
		if err != nil {
			return nil, err
		}
		key[s] = l
	}
	if in.Gen == 1 {
		key["bootstrap-commands"] = []string{}
		key["test-commands"] = []string{}
	} else {
		if sub := in.Var("command-subdir"); sub != "" {
			key["command-subdir"] = sub
		}
		layout, digestEnv, err := buildLayout(in.Deps)
		if err != nil {
			return nil, err
		}
		if l := nonRootLayout(layout); l != nil {
			key["layout"] = l
		}
		if len(digestEnv) > 0 {
			// Misspelled upstream (buildelement.py); the key is what counts.
			key["digest-enviornment"] = listMap(digestEnv)
		}
	}
	if in.Var("notparallel") != "" {
		key["notparallel"] = true
	}
	return key, nil
}

// nonRootLayout returns the BuildElement layout key: every location when
// some location other than "/" is used (a truthy one: Python tests
// `any(location for location in layout if location != "/")`), else nil.
func nonRootLayout(l map[string][]string) map[string]any {
	for loc := range l {
		if loc != "/" && loc != "" {
			return listMap(l)
		}
	}
	return nil
}

func listMap(l map[string][]string) map[string]any {
	out := make(map[string]any, len(l))
	for k, v := range l {
		out[k] = v
	}
	return out
}

func composeKey(in Input) (any, error) {
	integrate, err := in.Config.Bool("integrate", true)
	if err != nil {
		return nil, err
	}
	orphans, err := in.Config.Bool("include-orphans", true)
	if err != nil {
		return nil, err
	}
	inc, err := sortedRaw(in.Config, "include")
	if err != nil {
		return nil, err
	}
	exc, err := sortedRaw(in.Config, "exclude")
	if err != nil {
		return nil, err
	}
	key := map[string]any{"integrate": integrate, "include": inc, "orphans": orphans}
	if len(exc) > 0 {
		key["exclude"] = exc
	}
	return key, nil
}

func scriptKey(in Input) (any, error) {
	if err := in.Config.ValidateKeys("commands", "root-read-only", "layout", "create-dev-shm"); err != nil && in.Gen == 1 {
		return nil, err
	}
	cmds, err := in.substList("commands", false)
	if err != nil {
		return nil, err
	}
	ro, err := in.Config.Bool("root-read-only", false)
	if err != nil {
		return nil, err
	}
	var layout any
	if in.Gen == 1 {
		l := []any{}
		seq, err := in.Config.SequenceAt("layout")
		if err != nil {
			return nil, err
		}
		if seq != nil {
			for _, it := range seq.Items {
				m, ok := it.(*yamlnode.Mapping)
				if !ok {
					return nil, bsterr.Load(bsterr.InvalidData, it.Pos(), "Value of 'layout' is not of the expected type 'dict'")
				}
				dst, err := (Input{Gen: 1, Config: m, Subst: in.Subst}).substKey("destination", "")
				if err != nil {
					return nil, err
				}
				var elm any
				if m.Has("element") {
					s, err := (Input{Gen: 1, Config: m, Subst: in.Subst}).substKey("element", "")
					if err != nil {
						return nil, err
					}
					elm = s
				}
				l = append(l, map[string]any{"element": elm, "destination": dst})
			}
		}
		layout = l
	} else {
		l, err := scriptLayout(in.Deps)
		if err != nil {
			return nil, err
		}
		layout = listMap(l)
	}
	return map[string]any{
		"commands":       map[string]any{"commands": cmds},
		"cwd":            orSlash(in.Var("cwd")),
		"install-root":   orSlash(in.Var("install-root")),
		"layout":         layout,
		"root-read-only": ro,
	}, nil
}

func orSlash(s string) string {
	if s == "" {
		return "/"
	}
	return s
}
