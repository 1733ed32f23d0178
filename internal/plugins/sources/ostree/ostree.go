package ostree

import (
	"os"
	"path/filepath"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
)

// New refuses an `ostree` source.
func New(spec plugin.SourceSpec) (plugin.Source, error) { return nil, notImplemented(spec) }

// NewMirror refuses an `ostree_mirror` source.
func NewMirror(spec plugin.SourceSpec) (plugin.Source, error) { return nil, notImplemented(spec) }

func notImplemented(spec plugin.SourceSpec) error {
	var prov *bsterr.Provenance
	if spec.Config != nil {
		prov = spec.Config.Pos()
	}
	why := "the ostree command is not installed here (Debian package ostree)"
	if p := lookPath("ostree"); p != "" {
		why = "bst has no implementation of it yet, although " + p + " is installed"
	}
	return bsterr.Source(bsterr.NotImplemented, prov,
		"%s: bst cannot fetch, track or stage '%s' sources: %s", spec.Element, spec.Kind, why).
		WithDetail("Loading, showing and computing the cache keys of elements with %s sources works; "+
			"fetch them with BuildStream, or import the checked-out tree with a local source.", spec.Kind)
}

// lookPath finds an executable file named name in PATH ("" if none).
func lookPath(name string) string {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}
