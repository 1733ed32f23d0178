package patchqueue

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/local"
	"example.org/bst/internal/plugins/sources/patch"
	"example.org/bst/internal/yamlnode"
)

// Source is a patch_queue source.
type Source struct {
	gen     int
	element string
	prov    *bsterr.Provenance
	path    string // as written
	full    string
	strip   int
}

var _ plugin.Source = (*Source)(nil)

// New configures a patch_queue source from spec.
func New(spec plugin.SourceSpec) (plugin.Source, error) {
	rel, full, err := local.ProjectPathStaged(spec.Config, "path", spec.ProjectDir, local.DirPath, spec.Staging)
	if err != nil {
		return nil, err
	}
	strip, err := spec.Config.Int("strip", 1)
	if err != nil {
		return nil, err
	}
	return &Source{gen: spec.Gen, element: spec.Element, prov: spec.Config.Pos(), path: rel, full: full, strip: strip}, nil
}

// Ref is always nil: a patch_queue source has no ref.
func (s *Source) Ref() yamlnode.Node { return nil }

// SetRef does nothing.
func (s *Source) SetRef(yamlnode.Node) {}

// Cached is always true.
func (s *Source) Cached(*plugin.SourceEnv) bool { return true }

// Track has nothing to track.
func (s *Source) Track(context.Context, *plugin.SourceEnv, string) (yamlnode.Node, error) {
	return nil, nil
}

// Fetch has nothing to fetch.
func (s *Source) Fetch(context.Context, *plugin.SourceEnv, string) error { return nil }

// Patches lists the queue's files in the order they are applied.
func (s *Source) Patches() ([]string, error) {
	ents, err := os.ReadDir(s.full)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, filepath.Join(s.full, e.Name()))
	}
	sort.Strings(names)
	return names, nil
}

// Stage applies the queue to what earlier sources staged in dir.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	if env.Log != nil {
		fmt.Fprintf(env.Log, "Applying patch queue: %s\n", s.path)
	}
	msg := "Failed to apply patches from " + s.path
	patches, err := s.Patches()
	if err != nil {
		return bsterr.Source(patch.Failed, s.prov, "%s: %s: %v", s.element, msg, err).Wrap(err)
	}
	if env.Exec == nil {
		return bsterr.Source(patch.Failed, s.prov, "%s: %s: no host command runner", s.element, msg)
	}
	strip := fmt.Sprintf("-p%d", s.strip)
	if s.gen < 2 {
		if len(patches) == 0 {
			return nil
		}
		args := append([]string{"-C", dir, "--git-dir", filepath.Join(dir, ".git"), "--work-tree", dir, "apply", strip}, patches...)
		if out, err := env.Exec.Run(ctx, dir, nil, "git", args...); err != nil {
			return patch.Failure(s.prov, s.element, msg, out, err)
		}
		return nil
	}
	for _, p := range patches {
		if out, err := env.Exec.Run(ctx, dir, nil, "patch", "-d", dir, fmt.Sprintf("-Np%d", s.strip), "-i", p); err != nil {
			return patch.Failure(s.prov, s.element, msg, out, err)
		}
	}
	return nil
}
