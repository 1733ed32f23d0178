package stream

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"example.org/bst/internal/artifact"
	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/cachekey"
	"example.org/bst/internal/cas"
	"example.org/bst/internal/element"
	"example.org/bst/internal/pipeline"
)

// ArtifactState is the cached state of an artifact, as `bst artifact show`
// prints it.
type ArtifactState string

// The states of BuildStream 2's show_state_of_artifacts (bst has no
// remotes here, so never "available").
const (
	ArtifactCached    ArtifactState = "cached"
	ArtifactFailed    ArtifactState = "failed"
	ArtifactNotCached ArtifactState = "not cached"
)

// ArtifactTarget is one artifact a `bst artifact` command works on: the
// artifact of an element (under its strong key) or one named by an
// artifact ref on the command line.
type ArtifactTarget struct {
	// Name is what BuildStream prints for it: the element's full name, or
	// the artifact name as given.
	Name string
	// Element is nil for an artifact ref.
	Element *element.Element
	// Ref is the artifact name looked up ("project/normal_name/key"); ""
	// if the element's key is not known (a source without a reference).
	Ref string
	// Artifact is nil if the artifact is not cached.
	Artifact *artifact.Artifact
}

// State is the target's cached state.
func (t *ArtifactTarget) State() ArtifactState {
	switch {
	case t.Artifact == nil:
		return ArtifactNotCached
	case !t.Artifact.BuildSuccess:
		return ArtifactFailed
	}
	return ArtifactCached
}

// ArtifactWarner receives the warnings of the `bst artifact` use cases
// (BuildStream's messenger.warn); nil drops them.
type ArtifactWarner func(msg string)

// isArtifactRef reports whether a command-line target names an artifact
// ("project/normal_name/key") rather than an element: as in BuildStream,
// element names end in ".bst".
func isArtifactRef(target string) bool { return !strings.HasSuffix(target, ".bst") }

// parseArtifactRef checks an artifact ref given on the command line.
func parseArtifactRef(ref string) (project, name, key string, err error) {
	parts := strings.Split(ref, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || !cachekey.IsKey(parts[2]) {
		return "", "", "", bsterr.Load(bsterr.Reason("invalid-artifact-name"), nil,
			"Invalid artifact name '%s': artifact names have the form <project>/<element>/<cache key>, and element names end in '.bst'", ref)
	}
	return parts[0], parts[1], parts[2], nil
}

// resolveArtifacts loads the targets (element names and artifact refs)
// and looks their artifacts up in the local cache. The selection deps
// applies to elements; an artifact ref stands for itself alone. With no
// targets, the project's default targets are used.
func (s *Session) resolveArtifacts(ctx context.Context, targets []string, deps pipeline.Scope) ([]*ArtifactTarget, *artifact.Cache, error) {
	var elems, refs []string
	for _, t := range targets {
		if isArtifactRef(t) {
			if _, _, _, err := parseArtifactRef(t); err != nil {
				return nil, nil, err
			}
			refs = append(refs, t)
		} else {
			elems = append(elems, t)
		}
	}
	var out []*ArtifactTarget
	if len(elems) > 0 || len(refs) == 0 {
		sel, err := s.selectTargets(ctx, elems, nil, deps, false)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range sel {
			if e.IsJunction {
				continue
			}
			t := &ArtifactTarget{Name: e.FullName, Element: e}
			if e.Keys.Known && !e.Keys.NoRef {
				t.Ref = artifact.Name(e.Project.Name, e.Name, e.Keys.Strong.String())
			}
			out = append(out, t)
		}
	}
	// Refs after elements, in command-line order; BuildStream loads them
	// apart from elements too.
	for _, r := range refs {
		out = append(out, &ArtifactTarget{Name: r, Ref: r})
	}
	ac, err := s.artifacts()
	if err != nil {
		return nil, nil, err
	}
	for _, t := range out {
		if t.Ref == "" {
			continue
		}
		a, ok, err := ac.LookupName(ctx, t.Ref)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			t.Artifact = a
		}
	}
	return out, ac, nil
}

// ArtifactShowOptions are the arguments of `bst artifact show`.
type ArtifactShowOptions struct {
	Targets []string
	Deps    pipeline.Scope // none (default), build, run, all
}

// ArtifactShow returns the selected artifacts with their cached state.
func (s *Session) ArtifactShow(ctx context.Context, o ArtifactShowOptions) ([]*ArtifactTarget, error) {
	ts, _, err := s.resolveArtifacts(ctx, o.Targets, o.Deps)
	return ts, err
}

// ArtifactLogFile is one build log of an artifact.
type ArtifactLogFile struct {
	Name string
	Data []byte
}

// ArtifactLogs are the build logs of one artifact.
type ArtifactLogs struct {
	Target *ArtifactTarget
	Logs   []ArtifactLogFile
}

// ArtifactLogOptions are the arguments of `bst artifact log`.
type ArtifactLogOptions struct {
	Targets []string
	// Out, if set, is a directory to create and write the logs into
	// instead of returning them for printing.
	Out  string
	Warn ArtifactWarner
}

// ArtifactLog returns the build logs of the targets' cached artifacts,
// warning about uncached ones and those without logs, as BuildStream's
// artifact_log does. It is an error if no target has a log.
//
// With Out, it creates that directory (which must not exist) and writes
// one file per artifact, "<name without .bst>.log", or, for an artifact
// with several logs, a directory "<name without .bst>" holding them.
func (s *Session) ArtifactLog(ctx context.Context, o ArtifactLogOptions) ([]ArtifactLogs, error) {
	ts, ac, err := s.resolveArtifacts(ctx, o.Targets, pipeline.ScopeNone)
	if err != nil {
		return nil, err
	}
	var out []ArtifactLogs
	for _, t := range ts {
		if t.Artifact == nil {
			warn(o.Warn, "%s is not cached", t.displayRef())
			continue
		}
		if len(t.Artifact.Logs) == 0 {
			warn(o.Warn, "%s is cached without log files", t.displayRef())
			continue
		}
		l := ArtifactLogs{Target: t}
		for _, f := range t.Artifact.Logs {
			data, err := ac.Log(ctx, t.Artifact, f.Name)
			if err != nil {
				return nil, err
			}
			l.Logs = append(l.Logs, ArtifactLogFile{Name: f.Name, Data: data})
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, bsterr.Stream(bsterr.Reason("artifact-not-cached"), "None of the specified artifacts are cached with build logs")
	}
	if o.Out == "" {
		return out, nil
	}
	dir := o.Out
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(s.Dir, dir)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if os.IsExist(err) {
			return nil, bsterr.Stream(bsterr.Reason("log-directory-exists"), "%s already exists", o.Out)
		}
		return nil, bsterr.Stream(bsterr.Reason("log-directory-failed"), "Cannot create %s: %v", o.Out, err)
	}
	for _, l := range out {
		base := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(l.Target.Name, ".bst")))
		files := map[string][]byte{}
		if len(l.Logs) == 1 {
			files[base+".log"] = l.Logs[0].Data
		} else {
			for _, f := range l.Logs {
				files[filepath.Join(base, f.Name)] = f.Data
			}
		}
		for p, data := range files {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, bsterr.Stream(bsterr.Reason("log-directory-failed"), "Cannot create %s: %v", filepath.Dir(p), err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return nil, bsterr.Stream(bsterr.Reason("log-directory-failed"), "Cannot write %s: %v", p, err)
			}
		}
	}
	return out, nil
}

// ArtifactContents are the files of one artifact, in BuildStream's
// list_relative_paths order: the files (non-directories) of a directory
// in name order, then each subdirectory (its path, then its contents).
type ArtifactContents struct {
	Target  *ArtifactTarget
	Entries []cas.Entry
}

// ArtifactListContentsOptions are the arguments of `bst artifact
// list-contents`.
type ArtifactListContentsOptions struct {
	Targets []string
	Warn    ArtifactWarner
}

// ArtifactListContents lists the files of the targets' cached artifacts,
// warning about uncached ones. It is an error if none is cached.
func (s *Session) ArtifactListContents(ctx context.Context, o ArtifactListContentsOptions) ([]ArtifactContents, error) {
	ts, ac, err := s.resolveArtifacts(ctx, o.Targets, pipeline.ScopeNone)
	if err != nil {
		return nil, err
	}
	var out []ArtifactContents
	for _, t := range ts {
		if t.Artifact == nil {
			warn(o.Warn, "%s is not cached", t.displayRef())
			continue
		}
		entries, err := ac.ListContents(ctx, t.Artifact)
		if err != nil {
			return nil, err
		}
		out = append(out, ArtifactContents{Target: t, Entries: bstPathOrder(entries)})
	}
	if len(out) == 0 {
		return nil, bsterr.Stream(bsterr.Reason("artifact-not-cached"), "None of the specified artifacts are cached.")
	}
	return out, nil
}

// bstPathOrder reorders entries (depth first, name order, a directory
// before its contents) into CasBasedDirectory.list_relative_paths order.
func bstPathOrder(entries []cas.Entry) []cas.Entry {
	children := map[string][]cas.Entry{}
	for _, e := range entries {
		parent := ""
		if i := strings.LastIndexByte(e.Path, '/'); i >= 0 {
			parent = e.Path[:i]
		}
		children[parent] = append(children[parent], e)
	}
	out := make([]cas.Entry, 0, len(entries))
	var visit func(dir string)
	visit = func(dir string) {
		kids := children[dir]
		slices.SortStableFunc(kids, func(a, b cas.Entry) int { return strings.Compare(a.Path, b.Path) })
		for _, k := range kids {
			if k.Type != cas.DirectoryEntry {
				out = append(out, k)
			}
		}
		for _, k := range kids {
			if k.Type == cas.DirectoryEntry {
				out = append(out, k)
				visit(k.Path)
			}
		}
	}
	visit("")
	return out
}

// ArtifactDeleteOptions are the arguments of `bst artifact delete`.
type ArtifactDeleteOptions struct {
	Targets []string
	Deps    pipeline.Scope // none (default), run, build, all
	Warn    ArtifactWarner
}

// ArtifactDelete removes the artifact refs of the targets from the local
// cache: for an element, those under its strong and its weak key; for an
// artifact ref, that ref and, if it is cached, the refs under the
// artifact's other keys. Refs that are not cached are warned about, as
// BuildStream does. It returns the refs removed, sorted.
func (s *Session) ArtifactDelete(ctx context.Context, o ArtifactDeleteOptions) ([]string, error) {
	ts, ac, err := s.resolveArtifacts(ctx, o.Targets, o.Deps)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, t := range ts {
		if t.Ref == "" {
			warn(o.Warn, "%s is not cached", t.displayRef())
			continue
		}
		set[t.Ref] = true
		if e := t.Element; e != nil {
			set[artifact.Name(e.Project.Name, e.Name, e.WeakKey().String())] = true
		}
		if a := t.Artifact; a != nil {
			prefix := t.Ref[:strings.LastIndexByte(t.Ref, '/')+1]
			for _, k := range []string{a.StrongKey, a.WeakKey} {
				if k != "" {
					set[prefix+k] = true
				}
			}
		}
	}
	refs := make([]string, 0, len(set))
	for r := range set {
		refs = append(refs, r)
	}
	slices.Sort(refs)
	var removed []string
	for _, r := range refs {
		err := ac.DeleteName(ctx, r)
		var be *bsterr.Error
		if errors.As(err, &be) && be.Reason == artifact.NotFound {
			warn(o.Warn, "%s is not cached", r)
			continue
		}
		if err != nil {
			return removed, err
		}
		removed = append(removed, r)
	}
	return removed, nil
}

// displayRef is the artifact name BuildStream's warnings use.
func (t *ArtifactTarget) displayRef() string {
	if t.Ref != "" {
		return t.Ref
	}
	return t.Name
}

func warn(w ArtifactWarner, format string, args ...any) {
	if w != nil {
		w(fmt.Sprintf(format, args...))
	}
}
