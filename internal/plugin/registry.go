package plugin

// ElementKind describes an element kind.
type ElementKind struct {
	Name            string
	Origin          string
	Defaults        []byte   // default YAML, nil if none
	ConfigKeys      []string // accepted config keys, nil = not validated
	BuildElement    bool
	StrictRebuild   bool
	RunCommands     bool
	ArtifactVersion int
}

// SourceKind describes a source kind.
type SourceKind struct {
	Name       string
	Origin     string
	Defaults   []byte
	ConfigKeys []string // accepted keys including kind and directory, nil = not validated
	// RefKeys are the configuration keys the kind's reference occupies,
	// which project.refs holds instead of the element (nil: just "ref").
	// Sources whose ref spans several keys also implement MultiKeyRef.
	RefKeys []string
	// New constructs the kind's run-time behaviour; nil while bst can only
	// load (not fetch or stage) the kind.
	New SourceConstructor
}

// Registry maps kind names to their descriptions, per generation (1 or 2).
type Registry struct {
	elements [3]map[string]*ElementKind
	sources  [3]map[string]*SourceKind
	project  [3][]byte
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	r := &Registry{}
	for g := 1; g <= 2; g++ {
		r.elements[g] = map[string]*ElementKind{}
		r.sources[g] = map[string]*SourceKind{}
	}
	return r
}

// AddElement registers an element kind for generation gen.
func (r *Registry) AddElement(gen int, k ElementKind) { r.elements[gen][k.Name] = &k }

// AddSource registers a source kind for generation gen.
func (r *Registry) AddSource(gen int, k SourceKind) { r.sources[gen][k.Name] = &k }

// SetProjectDefaults sets the builtin project.conf defaults of gen.
func (r *Registry) SetProjectDefaults(gen int, data []byte) { r.project[gen] = data }

// ProjectDefaults returns the builtin project.conf defaults of gen.
func (r *Registry) ProjectDefaults(gen int) []byte { return r.project[gen] }

// Element looks up an element kind.
func (r *Registry) Element(gen int, kind string) (*ElementKind, bool) {
	k, ok := r.elements[gen][kind]
	return k, ok
}

// SetSourceConstructor sets the constructor of a registered source kind
// in both generations.
func (r *Registry) SetSourceConstructor(kind string, c SourceConstructor) {
	for g := 1; g <= 2; g++ {
		if k, ok := r.sources[g][kind]; ok {
			k.New = c
		}
	}
}

// SetSourceRefKeys sets the RefKeys of a registered source kind of
// generation gen.
func (r *Registry) SetSourceRefKeys(gen int, kind string, keys []string) {
	if k, ok := r.sources[gen][kind]; ok {
		k.RefKeys = keys
	}
}

// Source looks up a source kind.
func (r *Registry) Source(gen int, kind string) (*SourceKind, bool) {
	k, ok := r.sources[gen][kind]
	return k, ok
}
