package defaults

// SourceKind describes one source plugin kind of one generation.
type SourceKind struct {
	// Name is the kind as written in a source's `kind:`.
	Name string
	// Origin is one of the Origin* constants.
	Origin string
	// Defaults is always nil: no source plugin ships default YAML; the
	// defaults of a source come from project.conf `sources:` only. The
	// field exists so that sources and elements compose the same way.
	Defaults []byte
	// ConfigKeys are the keys the plugin's configure() validates (including
	// the common kind/directory, and provenance in 2.x), sorted; nil if it
	// does not validate.
	ConfigKeys []string
	// FormatVersion is BST_FORMAT_VERSION (0 when not set).
	FormatVersion int
	// RequiresPreviousSourcesTrack, RequiresPreviousSourcesFetch and
	// RequiresPreviousSourcesStage are the BST_REQUIRES_PREVIOUS_SOURCES_*
	// class attributes (ordering constraints on an element's sources).
	RequiresPreviousSourcesTrack bool
	RequiresPreviousSourcesFetch bool
	RequiresPreviousSourcesStage bool
	// Doubt says what could not be checked against the upstream source of
	// the release the corpus uses; empty when the data was read from it.
	Doubt string
}

// Sources returns the source kinds of gen, sorted by Name then Origin. It
// returns nil for an unknown generation.
func Sources(gen Generation) []SourceKind {
	switch gen {
	case Gen1:
		return sources1()
	case Gen2:
		return sources2()
	}
	return nil
}

// sortedKeys sorts keys in place (insertion sort: the lists are short and
// this keeps the package free of imports other than embed) and returns them.
func sortedKeys(keys []string) []string {
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
