package yamlnode

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"example.org/bst/internal/bsterr"
)

// LoadFile reads and parses path; display is the name used in provenance.
// A missing file is MISSING_FILE, a directory LOADING_DIRECTORY.
func LoadFile(path, display string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, bsterr.Load(bsterr.MissingFile, nil, "Could not find file at %s", display).Wrap(err)
		}
		if st, serr := os.Stat(path); serr == nil && st.IsDir() {
			return nil, bsterr.Load(bsterr.LoadingDirectory, nil,
				"%s is a directory. bst command expects a .bst file.", display)
		}
		return nil, bsterr.Load(bsterr.MissingFile, nil, "Could not read file at %s: %v", display, err).Wrap(err)
	}
	return Parse(data, display)
}

// Parse parses a YAML document whose top level must be a mapping (an empty
// document is an empty mapping). file is the name used in provenance.
//
// The common, simple documents are read by fastParse; everything else
// (and every error) goes through yaml.v3, which fastParse agrees with.
func Parse(data []byte, file string) (*Mapping, error) {
	if m, ok := fastParse(data, file); ok {
		return m, nil
	}
	return parseYAML(data, file)
}

// parseYAML is Parse through yaml.v3 and the converter.
func parseYAML(data []byte, file string) (*Mapping, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return NewMapping(bsterr.Provenance{File: file, Line: 1}), nil
		}
		return nil, malformed(file, err)
	}
	// A second document is an error in BuildStream too.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, bsterr.Load(bsterr.InvalidYAML, &bsterr.Provenance{File: file, Line: int32(extra.Line), Col: int32(extra.Column - 1)},
			"Malformed YAML: expected a single document")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return NewMapping(bsterr.Provenance{File: file, Line: 1}), nil
	}
	c := converter{file: file}
	n, err := c.convert(doc.Content[0])
	if err != nil {
		return nil, err
	}
	switch v := n.(type) {
	case *Mapping:
		return v, nil
	case *Scalar:
		if v.Null {
			return NewMapping(bsterr.Provenance{File: file, Line: 1}), nil
		}
	}
	return nil, bsterr.Load(bsterr.InvalidYAML, nil,
		"YAML file has content of type '%s' instead of expected type 'dict': %s", n.TypeName(), file)
}

func malformed(file string, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	var line int32
	// yaml.v3 messages look like "line 3: mapping values are not allowed in this context".
	if strings.HasPrefix(msg, "line ") {
		var l int
		if _, serr := fmt.Sscanf(msg, "line %d:", &l); serr == nil {
			line = int32(l)
			if i := strings.Index(msg, ": "); i >= 0 {
				msg = msg[i+2:]
			}
		}
	}
	if line == 0 && !isReaderOrAliasError(msg) {
		// yaml.v3 leaves out "line N:" when the problem is on 0-based line 0.
		line = 1
	}
	var prov *bsterr.Provenance
	if line > 0 {
		prov = &bsterr.Provenance{File: file, Line: line}
	}
	e := bsterr.Load(bsterr.InvalidYAML, nil, "Malformed YAML in %s: %s", file, msg).Wrap(err)
	if prov != nil {
		e.Msg = fmt.Sprintf("Malformed YAML in %s at line %d: %s", file, line, msg)
	}
	return e
}

type converter struct {
	file    string
	depth   int
	inAlias int
	nodes   int
	aliased int
	// scalars is a slab the scalars of the document are allocated from,
	// a few dozen at a time rather than one by one.
	scalars []Scalar
}

// newScalar returns a new scalar from the slab.
func (c *converter) newScalar() *Scalar {
	if len(c.scalars) == cap(c.scalars) {
		c.scalars = make([]Scalar, 0, 32)
	}
	c.scalars = c.scalars[:len(c.scalars)+1]
	return &c.scalars[len(c.scalars)-1]
}

func (c *converter) prov(n *yaml.Node) bsterr.Provenance {
	return bsterr.Provenance{File: c.file, Line: int32(n.Line), Col: int32(n.Column - 1)}
}

func (c *converter) convert(n *yaml.Node) (Node, error) {
	c.depth++
	v, err := c.convertNode(n)
	c.depth--
	return v, err
}

func (c *converter) convertNode(n *yaml.Node) (Node, error) {
	c.nodes++
	if c.inAlias > 0 {
		c.aliased++
		if c.aliased > 100 && c.nodes > 1000 && float64(c.aliased)/float64(c.nodes) > allowedAliasRatio(c.nodes) {
			return nil, bsterr.Load(bsterr.InvalidYAML, &bsterr.Provenance{File: c.file, Line: int32(n.Line), Col: int32(n.Column - 1)},
				"Malformed YAML: document contains excessive aliasing")
		}
	}
	if c.depth > 1000 {
		return nil, bsterr.Load(bsterr.InvalidYAML, &bsterr.Provenance{File: c.file, Line: int32(n.Line), Col: int32(n.Column - 1)},
			"Malformed YAML: nesting too deep")
	}
	switch n.Kind {
	case yaml.ScalarNode:
		s := c.newScalar()
		s.Value, s.P = n.Value, c.prov(n)
		// BuildStream reads every scalar as a string ("~" and "null"
		// included); only an empty plain value is marked, so that getters
		// can treat it as unset.
		if n.Style == 0 && n.Tag == "!!null" && n.Value == "" {
			s.Null = true
			s.Value = ""
		}
		return s, nil
	case yaml.SequenceNode:
		seq := &Sequence{P: c.prov(n), Items: make([]Node, 0, len(n.Content))}
		for _, it := range n.Content {
			v, err := c.convert(it)
			if err != nil {
				return nil, err
			}
			seq.Items = append(seq.Items, v)
		}
		return seq, nil
	case yaml.MappingNode:
		return c.mapping(n)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, bsterr.Load(bsterr.InvalidYAML, &bsterr.Provenance{File: c.file, Line: int32(n.Line), Col: int32(n.Column - 1)}, "Malformed YAML: unknown alias")
		}
		c.inAlias++
		defer func() { c.inAlias-- }()
		return c.convert(n.Alias)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return &Scalar{Null: true, P: c.prov(n)}, nil
		}
		return c.convert(n.Content[0])
	}
	return nil, bsterr.Load(bsterr.InvalidYAML, &bsterr.Provenance{File: c.file, Line: int32(n.Line), Col: int32(n.Column - 1)}, "Malformed YAML: unexpected node")
}

func (c *converter) mapping(n *yaml.Node) (*Mapping, error) {
	m := &Mapping{P: c.prov(n), Keys: make([]string, 0, len(n.Content)/2), Vals: make([]Node, 0, len(n.Content)/2)}
	var merged map[string]bool // keys that came from "<<" and that explicit keys may override
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			if merged == nil {
				merged = map[string]bool{}
			}
			if err := c.merge(m, v, merged); err != nil {
				return nil, err
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, bsterr.Load(bsterr.InvalidYAML, &bsterr.Provenance{File: c.file, Line: int32(k.Line), Col: int32(k.Column - 1)},
				"Malformed YAML: mapping keys must be strings")
		}
		if j := m.index(k.Value); j >= 0 && merged[k.Value] {
			delete(merged, k.Value)
			val, err := c.convert(v)
			if err != nil {
				return nil, err
			}
			m.Vals[j] = val
			continue
		}
		if m.index(k.Value) >= 0 {
			return nil, bsterr.Load(bsterr.InvalidYAML, &bsterr.Provenance{File: c.file, Line: int32(k.Line), Col: int32(k.Column - 1)},
				"Duplicate key '%s'", k.Value)
		}
		val, err := c.convert(v)
		if err != nil {
			return nil, err
		}
		m.Keys = append(m.Keys, k.Value)
		m.Vals = append(m.Vals, val)
	}
	return m, nil
}

// merge applies a YAML merge key ("<<: *anchor"): keys already present win.
func (c *converter) merge(m *Mapping, v *yaml.Node, merged map[string]bool) error {
	var sources []*yaml.Node
	if v.Kind == yaml.SequenceNode {
		sources = v.Content
	} else {
		sources = []*yaml.Node{v}
	}
	for _, s := range sources {
		n, err := c.convert(s)
		if err != nil {
			return err
		}
		sm, ok := n.(*Mapping)
		if !ok {
			return bsterr.Load(bsterr.InvalidYAML, n.Pos(), "Malformed YAML: merge value is not a mapping")
		}
		for i, k := range sm.Keys {
			if m.index(k) < 0 {
				merged[k] = true
				m.Keys = append(m.Keys, k)
				m.Vals = append(m.Vals, sm.Vals[i])
			}
		}
	}
	return nil
}

var readerProblems = []string{"control characters are not allowed", "expected low surrogate area", "incomplete UTF-16",
	"incomplete UTF-8 octet sequence", "invalid Unicode character", "invalid leading UTF-8 octet",
	"invalid length of a UTF-8 sequence", "invalid trailing UTF-8 octet", "unexpected low surrogate area", "input error"}

func isReaderOrAliasError(msg string) bool {
	if strings.Contains(msg, "anchor") {
		return true
	}
	for _, p := range readerProblems {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func allowedAliasRatio(nodes int) float64 {
	const low, high = 400000, 4000000
	switch {
	case nodes <= low:
		return 0.99
	case nodes >= high:
		return 0.10
	default:
		return 0.99 - 0.89*(float64(nodes-low)/float64(high-low))
	}
}
