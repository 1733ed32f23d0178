package yamlnode

import (
	"bytes"
	"sort"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// Dump renders plain values (as produced by Plain, or built by callers from
// string, []any, []string, map[string]any and *Mapping) as block-style YAML
// with mapping keys sorted, the way `bst show` prints %{vars}, %{config} and
// friends. Every scalar but an int is written so that it reads back as a
// string; an Ordered mapping keeps its order.
func Dump(v any) string {
	return dump(v, false)
}

// DumpCompact is Dump with sequences at their key's indentation, as
// ruamel.yaml writes them (BuildStream's workspace files and lists).
func DumpCompact(v any) string {
	return dump(v, true)
}

// PyBool is a boolean that Dump writes as Python's YAML dumpers do (True,
// False), unquoted.
type PyBool bool

// Ordered is a mapping that Dump writes in its own order (Python's
// insertion-ordered dicts), where a map[string]any is written sorted.
type Ordered []OrderedItem

// OrderedItem is one entry of an Ordered mapping.
type OrderedItem struct {
	Key   string
	Value any
}

func dump(v any, compactSeq bool) string {
	n := toYAML(v)
	if n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		return "{}\n"
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if compactSeq {
		enc.CompactSeqIndent()
	}
	if err := enc.Encode(n); err != nil {
		// Encoding our own string/list/map trees cannot fail.
		panic("yamlnode.Dump: " + err.Error())
	}
	_ = enc.Close()
	return buf.String()
}

func toYAML(v any) *yaml.Node {
	switch t := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}
	case PyBool:
		v := "False"
		if t {
			v = "True"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v}
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(t)}
	case Ordered:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, it := range t {
			n.Content = append(n.Content, toYAML(it.Key), toYAML(it.Value))
		}
		return n
	case bool:
		if t {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "True"}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "False"}
	case []string:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, s := range t {
			n.Content = append(n.Content, toYAML(s))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, s := range t {
			n.Content = append(n.Content, toYAML(s))
		}
		return n
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range keys {
			n.Content = append(n.Content, toYAML(k), toYAML(t[k]))
		}
		return n
	case Node:
		return toYAML(Plain(t, false))
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ""}
}
