package corpus

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A string tree is what BuildStream 1 makes of YAML: map[string]any,
// []any and string, nothing else. Every scalar is a string ("2", "true",
// ""), as PyYAML's BaseLoader reads it, which is how the goldens were made.

// parseStringTree parses one YAML document into a string tree. An empty
// document is an empty mapping, as in the golden tool.
func parseStringTree(text []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, err
	}
	v := stringTree(&doc)
	if v == nil {
		return map[string]any{}, nil
	}
	return v, nil
}

// stringTree converts a parsed YAML node into a string tree, ignoring tags.
// Merge keys (<<) stay ordinary keys and a repeated key keeps its last
// value, as with BaseLoader.
func stringTree(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return stringTree(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = stringTree(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, stringTree(c))
		}
		return l
	case yaml.ScalarNode:
		return n.Value
	case yaml.AliasNode:
		return stringTree(n.Alias)
	}
	return nil
}

// diffTrees appends to out the paths where got differs from want, at most
// limit of them. Map order is irrelevant; list order is relevant.
func diffTrees(path string, want, got any, out []string, limit int) []string {
	if len(out) >= limit {
		return out
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return append(out, fmt.Sprintf("%s: want %s, got %s", rootPath(path), describe(want), describe(got)))
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if len(out) >= limit {
				break
			}
			wv, inW := w[k]
			gv, inG := g[k]
			p := joinKey(path, k)
			switch {
			case !inG:
				out = append(out, fmt.Sprintf("%s: missing (want %s)", p, describe(wv)))
			case !inW:
				out = append(out, fmt.Sprintf("%s: unexpected (got %s)", p, describe(gv)))
			default:
				out = diffTrees(p, wv, gv, out, limit)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return append(out, fmt.Sprintf("%s: want %s, got %s", rootPath(path), describe(want), describe(got)))
		}
		n := min(len(w), len(g))
		for i := 0; i < n && len(out) < limit; i++ {
			out = diffTrees(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], out, limit)
		}
		if len(w) != len(g) && len(out) < limit {
			out = append(out, fmt.Sprintf("%s: want %d items, got %d", rootPath(path), len(w), len(g)))
		}
		return out
	default:
		if ws, ok := want.(string); ok {
			if gs, ok := got.(string); ok && gs == ws {
				return out
			}
		} else if want == nil && got == nil {
			return out
		}
		return append(out, fmt.Sprintf("%s: want %s, got %s", rootPath(path), describe(want), describe(got)))
	}
}

func rootPath(path string) string {
	if path == "" {
		return "(top)"
	}
	return path
}

// joinKey extends a key path, bracketing keys that would read ambiguously.
func joinKey(path, key string) string {
	if key == "" || strings.ContainsAny(key, ".[] \t\n\"") {
		return fmt.Sprintf("%s[%q]", path, key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe renders a value briefly for a difference line.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		if len(x) > 120 {
			return fmt.Sprintf("%q...", x[:120])
		}
		return fmt.Sprintf("%q", x)
	case map[string]any:
		return fmt.Sprintf("a mapping of %d keys", len(x))
	case []any:
		return fmt.Sprintf("a list of %d items", len(x))
	}
	return fmt.Sprintf("%T", v)
}
