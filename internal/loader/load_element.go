package loader

import (
	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// LoadElement is one element file after includes, conditionals and
// dependency parsing.
type LoadElement struct {
	Name     string // path relative to the element directory
	FullName string // with the junction path prefix for subproject elements
	Kind     string
	Node     *yamlnode.Mapping // element node without its dependency keys
	Deps     []*Dependency     // sorted in BuildStream's order once loaded
	Loader   *Loader
	Prov     bsterr.Provenance

	index     int      // dense index, for closure bitsets
	closed    []uint64 // transitive dependency closure (bitset by index)
	sortEpoch int      // last target whose closure sorted this element
	// sortStable: sorting Deps last left them as they were. The comparator
	// only reads what loading fixed, so every later sort would too.
	sortStable bool
}

// Junction returns the junction path of the element's project ("" for the
// toplevel project).
func (e *LoadElement) Junction() string { return e.Loader.junctionPath }

// BuildDeps returns the direct build dependencies in sorted order.
func (e *LoadElement) BuildDeps() []*LoadElement {
	var out []*LoadElement
	for _, d := range e.Deps {
		if d.Type.hasBuild() {
			out = append(out, d.Element)
		}
	}
	return out
}

// RuntimeDeps returns the direct runtime dependencies in sorted order.
func (e *LoadElement) RuntimeDeps() []*LoadElement {
	var out []*LoadElement
	for _, d := range e.Deps {
		if d.Type.hasRuntime() {
			out = append(out, d.Element)
		}
	}
	return out
}

var gen1ElementKeys = []string{
	"kind", "depends", "sources", "sandbox", "variables", "environment", "environment-nocache",
	"config", "public", "description", "build-depends", "runtime-depends",
}
