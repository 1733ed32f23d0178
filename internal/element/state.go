package element

// SourcesCached reports whether every source of e is available locally
// without fetching. Sources held in the project (local, patch, patch
// queues) always are; others need a fetch, and bst has no source cache
// yet, so they are never cached.
func (e *Element) SourcesCached() bool {
	for _, s := range e.Sources {
		switch s.Kind {
		case "local", "patch", "patch_queue":
		default:
			return false
		}
	}
	return true
}

// Cached reports whether e's artifact is in the local cache. bst has no
// artifact cache yet, so nothing is cached.
func (e *Element) Cached() bool { return false }

// State is e's state as `bst show` prints it: "no reference", "cached",
// "fetch needed", "buildable" or "waiting".
func (e *Element) State() string {
	switch {
	case e.Keys.NoRef:
		return "no reference"
	case e.Cached():
		return "cached"
	case !e.SourcesCached():
		return "fetch needed"
	}
	for _, d := range Dependencies([]*Element{e}, ScopeBuild) {
		if !d.Cached() {
			return "waiting"
		}
	}
	return "buildable"
}
