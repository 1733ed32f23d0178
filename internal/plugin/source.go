package plugin

import (
	"context"
	"io"
	"net/http"

	"example.org/bst/internal/yamlnode"
)

// SourceSpec is a configured source, handed to a kind's constructor.
type SourceSpec struct {
	Kind       string
	Gen        int               // 1 or 2
	Config     *yamlnode.Mapping // composited configuration, without kind and directory (2.x: expanded)
	Directory  string            // staging subdirectory ("" = element root)
	ProjectDir string            // directory of the element's project (for project-relative paths)
	Element    string            // the element's full name, for messages
	// Staging, when not nil, tells which paths under ProjectDir are links
	// bst made to stage a junction's subproject; they count as the files
	// they point to (BuildStream would have copied them).
	Staging interface{ IsLink(path string) bool }
}

// SourceEnv is what a source needs at run time. The stream fills it.
type SourceEnv struct {
	// SourceDir is the root of the source cache (user config `sourcedir`);
	// a kind keeps its mirrors under SourceDir/<kind>/.
	SourceDir string
	// URLs returns, for a URL as written in the element (possibly
	// "alias:path"), the URLs to try in order: mirrors of the alias
	// (default mirror first), then the alias's own value. A URL without a
	// known alias is returned as is.
	URLs func(url string) []string
	// HTTP is the client for downloads (tests inject one).
	HTTP *http.Client
	// Retries is the number of extra attempts for network operations.
	Retries int
	// Log receives the source's log lines (the element's log file).
	Log io.Writer
	// Progress, if set, is told about download progress.
	Progress func(done, total int64)
	// Exec runs host tools (git, ...) with a fixed environment; sources use
	// it instead of os/exec so that tests and logs see every command.
	Exec Executor
}

// Executor runs a host command in dir and returns its standard output.
type Executor interface {
	Run(ctx context.Context, dir string, stdin io.Reader, name string, args ...string) ([]byte, error)
}

// Source is a source kind's behaviour at run time: tracking a new
// reference, fetching what the reference names into the source cache, and
// staging it into a directory.
type Source interface {
	// Ref returns the source's reference (nil when it has none); its YAML
	// shape is the kind's (a string, a list, a mapping).
	Ref() yamlnode.Node
	// SetRef replaces the reference, after tracking.
	SetRef(ref yamlnode.Node)
	// Cached reports whether the reference's content is in the source
	// cache, so that Stage needs no network.
	Cached(env *SourceEnv) bool
	// Track resolves the tracking branch/URL to a new reference. previous
	// is the directory where the element's earlier sources are staged, for
	// kinds that need them (cargo, pip); "" otherwise.
	Track(ctx context.Context, env *SourceEnv, previous string) (yamlnode.Node, error)
	// Fetch downloads the content the reference names into the source
	// cache, verifying it. Nothing partial may remain visible on failure.
	Fetch(ctx context.Context, env *SourceEnv, previous string) error
	// Stage writes the source's content into dir (the element's staging
	// root joined with the source's directory).
	Stage(ctx context.Context, env *SourceEnv, dir string) error
}

// SourceConstructor makes a Source of one kind from its spec.
type SourceConstructor func(spec SourceSpec) (Source, error)

// MultiKeyRef is implemented by sources whose reference spans several keys
// of their configuration (2.x git: ref and tags; cpan: url and sha256sum).
// Their Ref and Track return a mapping of those keys. Tracking sets each
// key of the source's node (in the element file or its project.refs
// entry) and removes the keys missing from the mapping, as BuildStream's
// set_ref does with the node it is given. SourceKind.RefKeys names the
// same keys to the loader, which reads them from project.refs.
type MultiKeyRef interface {
	RefKeys() []string
}
