package tar

import (
	"context"
	"fmt"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
)

// Source is a tar source.
type Source struct {
	*download.File
	baseDir string // "" = the whole archive
}

var _ plugin.Source = (*Source)(nil)

// New configures a tar source from spec.
func New(spec plugin.SourceSpec) (plugin.Source, error) {
	f, err := download.Configure(spec)
	if err != nil {
		return nil, err
	}
	s := &Source{File: f}
	if s.baseDir, err = spec.Config.StringDefault("base-dir", "*"); err != nil {
		return nil, err
	}
	return s, nil
}

// Stage extracts the cached tarball into dir.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	p := s.Path(env)
	if p == "" {
		return s.Errorf(download.NoRef, "Cannot stage %s: the source has no ref", s.URL)
	}
	if env.Log != nil {
		fmt.Fprintf(env.Log, "Staging %s into %s\n", s.URL, dir)
	}
	arc, err := openArchive(ctx, env, p)
	if err != nil {
		return s.Errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
	}
	defer arc.Close()
	base := ""
	if s.baseDir != "" {
		re, err := download.Glob(s.baseDir)
		if err != nil {
			return s.Errorf(download.StageFailed, "Invalid base-dir pattern %q: %v", s.baseDir, err)
		}
		paths, err := listPaths(ctx, arc)
		if err != nil {
			return s.Errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
		}
		var ok bool
		if base, ok = download.FindBaseDir(re, paths); !ok {
			return s.Errorf(download.StageFailed, "Could not find base directory matching pattern: %s", s.baseDir)
		}
	}
	x := &extractor{gen: s.Gen, base: base, log: env.Log}
	if err := x.extract(ctx, arc, dir); err != nil {
		return s.Errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
	}
	return nil
}
