package defaults

// ElementKind describes one element plugin kind of one generation.
type ElementKind struct {
	// Name is the kind as written in `kind:`.
	Name string
	// Origin is one of the Origin* constants.
	Origin string
	// Defaults is the plugin's default YAML (variables, environment,
	// environment-nocache, config, public, sandbox), or nil if the plugin
	// ships none.
	Defaults []byte
	// ConfigKeys are the keys the plugin's configure() passes to
	// node_validate / validate_keys, sorted; nil if it does not validate.
	ConfigKeys []string
	// BuildElement is true when the plugin is a BuildElement whose unique
	// key is the command lists (see KINDS.md). 1.x import subclasses
	// BuildElement but overrides configure and the key, so it is false.
	BuildElement bool
	// StrictRebuild is BST_STRICT_REBUILD: the weak key uses the weak keys
	// of dependencies instead of their names.
	StrictRebuild bool
	// RunCommands is the 2.x BST_RUN_COMMANDS class attribute: when false
	// the 2.x key has no "sandbox" nor "environment". 1.x has no such
	// attribute (every 1.x key has "environment"), so it is false for Gen1.
	// compose clears it at configure time when integrate is false.
	RunCommands bool
	// ArtifactVersion is BST_ARTIFACT_VERSION (0 when not set).
	ArtifactVersion int
	// FormatVersion is BST_FORMAT_VERSION (0 when not set); a project's
	// `plugins:` entry may require at least this version (1.x).
	FormatVersion int
	// Doubt says what could not be checked against the upstream source of
	// the release the corpus uses; empty when the data was read from it.
	Doubt string
}

// Elements returns the element kinds of gen, sorted by Name then Origin.
// It returns nil for an unknown generation.
func Elements(gen Generation) []ElementKind {
	switch gen {
	case Gen1:
		return elements1()
	case Gen2:
		return elements2()
	}
	return nil
}

func buildElementKeys1() []string {
	return []string{"build-commands", "configure-commands", "create-dev-shm", "install-commands", "strip-commands"}
}

func buildElementKeys2() []string {
	return []string{"build-commands", "configure-commands", "install-commands", "strip-commands"}
}
