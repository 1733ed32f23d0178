package element

import (
	"slices"
	"strings"

	"example.org/bst/internal/cachekey"
	"example.org/bst/internal/yamlnode"
)

// nodeKey encodes a YAML node for a cache key directly, as the plain value
// (mappings with sorted keys, sequences, strings, null) would be encoded.
// A mapping that is the shared node is written as its encoding, sharedEnc.
type nodeKey struct {
	n         yamlnode.Node
	strip     bool
	shared    *yamlnode.Mapping
	sharedEnc []byte
}

var _ cachekey.Encoder = nodeKey{}

func (k nodeKey) AppendCanonical(dst []byte) []byte {
	return appendNode(dst, k.n, k.strip, k.shared, k.sharedEnc)
}

func appendNode(dst []byte, n yamlnode.Node, strip bool, shared *yamlnode.Mapping, sharedEnc []byte) []byte {
	switch t := n.(type) {
	case *yamlnode.Mapping:
		if t == shared {
			return append(dst, sharedEnc...)
		}
		var arr [16]int
		order := arr[:0]
		for i := range t.Keys {
			order = append(order, i)
		}
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(t.Keys[a], t.Keys[b]) })
		dst = append(dst, '{')
		for i, j := range order {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = cachekey.AppendString(dst, t.Keys[j])
			dst = append(dst, ':')
			dst = appendNode(dst, t.Vals[j], strip, shared, sharedEnc)
		}
		return append(dst, '}')
	case *yamlnode.Sequence:
		dst = append(dst, '[')
		for i, it := range t.Items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendNode(dst, it, strip, shared, sharedEnc)
		}
		return append(dst, ']')
	case *yamlnode.Scalar:
		if t.Null {
			return append(dst, "null"...)
		}
		if strip {
			return cachekey.AppendString(dst, strings.TrimSpace(t.Value))
		}
		return cachekey.AppendString(dst, t.Value)
	}
	return append(dst, "null"...)
}

// envKey encodes the environment (sorted by name) minus the nocache names.
type envKey struct {
	env     []KV
	nocache []string
}

func (k envKey) AppendCanonical(dst []byte) []byte {
	dst = append(dst, '{')
	first := true
	for _, kv := range k.env {
		if slices.Contains(k.nocache, kv.Name) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = cachekey.AppendString(dst, kv.Name)
		dst = append(dst, ':')
		dst = cachekey.AppendString(dst, kv.Value)
	}
	return append(dst, '}')
}
