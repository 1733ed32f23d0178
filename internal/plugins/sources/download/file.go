package download

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/yamlnode"
)

// Reasons of the errors of downloadable sources.
const (
	// ChecksumMismatch: the content's sha256 is not the ref.
	ChecksumMismatch bsterr.Reason = "checksum-mismatch"
	// DownloadFailed: no URL could be downloaded (network, HTTP status).
	DownloadFailed bsterr.Reason = "download-failed"
	// NoRef: the source has no usable ref to fetch or stage.
	NoRef bsterr.Reason = "no-ref"
	// StageFailed: the cached file could not be staged.
	StageFailed bsterr.Reason = "stage-failed"
)

// File is a downloadable file: the url/ref part of a tar, zip or remote
// source. Kinds embed it and add Stage.
type File struct {
	Kind    string             // the source kind: names the mirror directory
	URL     string             // as written in the element (possibly alias:path)
	Gen     int                // BuildStream generation, 1 or 2
	Element string             // the element's full name, for messages
	Prov    *bsterr.Provenance // the source's provenance, for messages

	// Backoff is the pause before the n-th retry (n >= 1) of one URL; nil
	// means a short linear backoff.
	Backoff func(n int) time.Duration
	// IdleTimeout aborts a download that receives nothing for this long;
	// zero means ten minutes (BuildStream 2's socket timeout).
	IdleTimeout time.Duration

	ref     string
	refNode yamlnode.Node
}

// Configure reads the keys every downloadable source has (url, ref) from
// spec. The kind's own keys are the caller's; key validation is the
// loader's.
func Configure(spec plugin.SourceSpec) (*File, error) {
	url, err := spec.Config.RequiredString("url")
	if err != nil {
		return nil, err
	}
	f := &File{Kind: spec.Kind, URL: url, Gen: spec.Gen, Element: spec.Element, Prov: spec.Config.Pos()}
	if _, _, err := spec.Config.String("ref"); err != nil {
		return nil, err
	}
	f.SetRef(spec.Config.Get("ref"))
	return f, nil
}

// Errorf returns a SOURCE error located at the source, its message
// prefixed with the element's name.
func (f *File) Errorf(r bsterr.Reason, format string, args ...any) *bsterr.Error {
	return bsterr.Source(r, f.Prov, "%s: %s", f.Element, sprintf(format, args...))
}

// Ref returns the ref (a scalar holding the sha256), or nil without one.
func (f *File) Ref() yamlnode.Node {
	if f.ref == "" {
		return nil
	}
	return f.refNode
}

// SetRef replaces the ref; a null or non-scalar node clears it.
func (f *File) SetRef(n yamlnode.Node) {
	f.ref, f.refNode = "", nil
	if sc, ok := n.(*yamlnode.Scalar); ok && !sc.Null && sc.Str() != "" {
		f.ref, f.refNode = sc.Str(), sc
	}
}

// RefString returns the ref, "" without one.
func (f *File) RefString() string { return f.ref }

// MirrorDir is where the files of this URL are kept:
// SourceDir/<kind>/<URLDirectoryName(url as written)>.
func (f *File) MirrorDir(env *plugin.SourceEnv) string {
	return filepath.Join(env.SourceDir, f.Kind, URLDirectoryName(f.URL))
}

// Path is the cached file of the ref, "" when there is no usable ref.
func (f *File) Path(env *plugin.SourceEnv) string {
	if !validRef(f.ref) {
		return ""
	}
	return filepath.Join(f.MirrorDir(env), f.ref)
}

// validRef reports whether ref can name a file in the mirror directory.
// (BuildStream does not check; a ref it cannot use simply never matches.)
func validRef(ref string) bool {
	return ref != "" && ref != "." && ref != ".." && !strings.ContainsAny(ref, "/\x00") && !strings.HasPrefix(ref, ".")
}

// Cached reports whether the ref's file is in the mirror directory.
func (f *File) Cached(env *plugin.SourceEnv) bool {
	p := f.Path(env)
	if p == "" {
		return false
	}
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// TranslatedURL is the URL with its alias replaced by the alias's own
// value (the last URL SourceEnv.URLs gives), as BuildStream's
// translate_url returns it.
func (f *File) TranslatedURL(env *plugin.SourceEnv) string {
	if env == nil || env.URLs == nil {
		return f.URL
	}
	urls := env.URLs(f.URL)
	if len(urls) == 0 {
		return f.URL
	}
	return urls[len(urls)-1]
}

// Fetch downloads the ref's file into the mirror directory unless it is
// there, verifying its sha256. A file with another digest is not kept.
func (f *File) Fetch(ctx context.Context, env *plugin.SourceEnv, _ string) error {
	if f.ref == "" {
		return f.Errorf(NoRef, "Cannot fetch %s: the source has no ref", f.URL)
	}
	if f.Cached(env) {
		return nil
	}
	_, err := f.mirror(ctx, env, "Fetching", f.ref)
	return err
}

// Track downloads the file and returns its sha256 as the new ref. The
// file is kept under its digest, so a following Fetch has nothing to do.
func (f *File) Track(ctx context.Context, env *plugin.SourceEnv, _ string) (yamlnode.Node, error) {
	sha, err := f.mirror(ctx, env, "Tracking", "")
	if err != nil {
		return nil, err
	}
	if f.ref != "" && f.ref != sha {
		f.logf(env, "WARNING: Potential man-in-the-middle attack!\n"+
			"  When tracking, new ref differs from current ref:\n"+
			"    Tracked URL: %s\n    Current ref: %s\n    New ref: %s\n", f.TranslatedURL(env), f.ref, sha)
	}
	return yamlnode.NewScalar(sha, bsterr.Provenance{}), nil
}
