package options

// Generation selects the BuildStream behaviour to follow: 1 for
// BuildStream 1.x (format-version projects), 2 for BuildStream 2.x
// (min-version projects).
type Generation int

// The supported generations.
const (
	Gen1 Generation = 1
	Gen2 Generation = 2
)

// Host describes the machine bst runs on, as uname reports it. It is
// injected so that nothing in this package reads global state.
type Host struct {
	// Arch is the machine hardware name (uname -m), e.g. "x86_64". It is
	// the default of arch options (canonicalized in generation 2).
	Arch string
	// OS is the operating system name (uname -s), e.g. "Linux". It is the
	// default of os options (generation 2 only).
	OS string
}
