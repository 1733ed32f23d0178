package element

import (
	"example.org/bst/internal/bsterr"
	"sync"

	"example.org/bst/internal/loader"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sourcekey"
	"example.org/bst/internal/project"
	"example.org/bst/internal/variables"
	"example.org/bst/internal/yamlnode"
)

// Element is one loaded, resolved element.
type Element struct {
	Name        string // name within its project
	FullName    string // with junction prefix
	Kind        string
	Description string
	Project     *project.Project
	Load        *loader.LoadElement
	Plugin      *plugin.ElementKind
	IsJunction  bool

	BuildDeps   []*Element // direct, sorted
	RuntimeDeps []*Element // direct, sorted
	StrictDeps  []*Element // direct build deps declared strict

	Vars       *variables.Table
	Env        []KV // expanded environment, sorted by name
	EnvNocache []string
	Config     *yamlnode.Mapping // composited (Gen2: expanded) configuration
	Public     *yamlnode.Mapping // composited public data (split rules expanded)
	Sandbox    SandboxConfig
	Sources    []*Source
	// Workspace is the element's open workspace, if any.
	Workspace *Workspace

	Keys     Keys
	run      runClosure // Dependencies([e], ScopeRun)
	build    runClosure // Dependencies([e], ScopeBuild)
	weak     weakInputs
	keysOnce sync.Once
	keysErr  error
	// sourceKeys is the factory's cache of file-based source keys.
	sourceKeys *sourcekey.Cache
	// kind is what the factory shares between elements of e's kind.
	kind *kindEntry
	// seq numbers e among the elements of its factory fac (from 1; 0 for
	// an element made otherwise), for closure walks (elemSet).
	seq int32
	fac *Factory

	sourcesChecked, sourcesCached bool
	cached, cachedFailure         bool

	plugKey     any
	plugKeyErr  error
	plugKeyDone bool
}

// KV is one environment variable.
type KV struct{ Name, Value string }

// SandboxConfig is the element's sandbox configuration.
type SandboxConfig struct {
	BuildUID, BuildGID int
	BuildOS, BuildArch string
	HasUID, HasGID     bool // set explicitly (Gen2 keys only include them then)
}

// Source is one source of an element, with its composited configuration.
type Source struct {
	Kind      string
	Directory string
	Config    *yamlnode.Mapping // everything but kind and directory
	Plugin    *plugin.SourceKind
	Index     int
	// Prov locates the source's mapping; File is the file holding it, for
	// writing a tracked ref back.
	Prov bsterr.Provenance
	File string
}
