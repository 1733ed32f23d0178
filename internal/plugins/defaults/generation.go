package defaults

// Generation selects a BuildStream major version: 1 (BuildStream 1.6 with
// bst-external 0.29) or 2 (BuildStream 2 with buildstream-plugins and
// buildstream-plugins-community).
type Generation int

// The two BuildStream generations.
const (
	Gen1 Generation = 1
	Gen2 Generation = 2
)

// Origins of plugin kinds, as recorded in ElementKind.Origin and
// SourceKind.Origin.
const (
	// OriginCore is a plugin shipped with BuildStream itself.
	OriginCore = "core"
	// OriginBstExternal is the 1.x pip package buildstream-external
	// (bst_external 0.29).
	OriginBstExternal = "bst-external"
	// OriginBuildstreamPlugins is the 2.x package buildstream-plugins.
	OriginBuildstreamPlugins = "buildstream-plugins"
	// OriginCommunity is the 2.x package buildstream-plugins-community.
	OriginCommunity = "community"
	// OriginFreedesktopSDKLocal is a project-local plugin of the
	// freedesktop-sdk project (plugins/{elements,sources}/*.py).
	OriginFreedesktopSDKLocal = "freedesktop-sdk-local"
)
