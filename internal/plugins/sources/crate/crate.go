package crate

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/unpack"
)

// Source is a crate source.
type Source struct {
	*download.File
	subdir string
}

var _ plugin.Source = (*Source)(nil)

// New configures a crate source from spec.
func New(spec plugin.SourceSpec) (plugin.Source, error) {
	f, err := download.Configure(spec)
	if err != nil {
		return nil, err
	}
	s := &Source{File: f}
	if s.subdir, err = spec.Config.StringDefault("subdir", "crates"); err != nil {
		return nil, err
	}
	return s, nil
}

// Stage extracts the cached crate into dir/subdir.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	p := s.Path(env)
	if p == "" {
		return s.Errorf(download.NoRef, "Cannot stage %s: the source has no ref", s.URL)
	}
	if !s.Cached(env) {
		return s.Errorf(download.StageFailed, "Cannot stage %s: it is not fetched", s.URL)
	}
	if env.Log != nil {
		fmt.Fprintf(env.Log, "Staging %s into %s\n", s.URL, filepath.Join(dir, s.subdir))
	}
	rel, err := download.CleanMember(s.subdir)
	if err != nil {
		return s.Errorf(download.StageFailed, "Invalid subdir %q: %v", s.subdir, err)
	}
	tree, err := download.NewTree(dir)
	if err != nil {
		return s.Errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
	}
	if err := tree.Dir(rel, 0, time.Time{}); err != nil {
		return s.Errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
	}
	tmp := ""
	if env.SourceDir != "" {
		tmp = filepath.Join(env.SourceDir, ".tmp")
	}
	if err := unpack.Crate(ctx, env, p, tree.Path(rel), s.RefString(), unpack.CrateOptions{TmpParent: tmp}); err != nil {
		return s.Errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
	}
	return nil
}
