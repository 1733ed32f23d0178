package element

// SourcesCached reports whether every source of e is available locally
// without fetching: as checked against the source cache by the stream
// (SetSourcesCached), or else, for kinds bst cannot fetch yet, true only
// for sources held in the project (local, patch, patch queues).
func (e *Element) SourcesCached() bool {
	if e.sourcesChecked {
		return e.sourcesCached
	}
	for _, s := range e.Sources {
		switch s.Kind {
		case "local", "patch", "patch_queue":
		default:
			return false
		}
	}
	return true
}

// Cached reports whether e's artifact is in the local cache, as checked by
// the stream (SetCached); false until checked.
func (e *Element) Cached() bool { return e.cached }

// SetCached records whether e's artifact is in the local cache.
func (e *Element) SetCached(cached bool) { e.cached = cached }

// CachedFailure reports whether the local cache holds a failed build of
// e under its strong key (BuildStream 2 caches failed builds; `bst show`
// prints them as "failed" and `bst build` reports them again unless
// --retry-failed is given).
func (e *Element) CachedFailure() bool { return e.cachedFailure }

// SetCachedFailure records whether a failed build of e is cached.
func (e *Element) SetCachedFailure(failed bool) { e.cachedFailure = failed }

// State is e's state as `bst show` prints it: "no reference", "failed",
// "cached", "fetch needed", "buildable" or "waiting".
func (e *Element) State() string {
	switch {
	case e.Keys.NoRef:
		return "no reference"
	case e.CachedFailure():
		return "failed"
	case e.Cached():
		return "cached"
	case !e.SourcesCached():
		return "fetch needed"
	}
	for _, d := range e.BuildDependencies() {
		if !d.Cached() {
			return "waiting"
		}
	}
	return "buildable"
}

// SetSourcesCached records whether e's sources are in the source cache.
func (e *Element) SetSourcesCached(cached bool) {
	e.sourcesChecked, e.sourcesCached = true, cached
}
