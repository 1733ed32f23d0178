package local

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/yamlnode"
)

// StageFailed: the project files could not be copied.
const StageFailed bsterr.Reason = "stage-failed"

// Source is a local source.
type Source struct {
	gen     int
	element string
	prov    *bsterr.Provenance
	path    string // as written, project-relative
	full    string
}

var _ plugin.Source = (*Source)(nil)

// New configures a local source from spec.
func New(spec plugin.SourceSpec) (plugin.Source, error) {
	rel, full, err := ProjectPathStaged(spec.Config, "path", spec.ProjectDir, AnyPath, spec.Staging)
	if err != nil {
		return nil, err
	}
	return &Source{gen: spec.Gen, element: spec.Element, prov: spec.Config.Pos(), path: rel, full: full}, nil
}

// Ref is always nil: a local source has no ref.
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

// Stage copies the file, or the directory's contents, into dir.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	if env != nil && env.Log != nil {
		fmt.Fprintf(env.Log, "Staging local files at %s\n", s.path)
	}
	tree, err := download.NewTree(dir)
	if err != nil {
		return s.fail(err)
	}
	fi, err := os.Stat(s.full)
	if err != nil {
		return s.fail(err)
	}
	if !fi.IsDir() {
		err = s.copy(tree, s.full, filepath.Base(s.full))
	} else {
		err = s.copyTree(ctx, tree)
	}
	if err == nil {
		err = tree.Finish()
	}
	if err != nil {
		return s.fail(err)
	}
	return nil
}

func (s *Source) fail(err error) error {
	return bsterr.Source(StageFailed, s.prov, "%s: Error staging local files at %s: %v", s.element, s.path, err).Wrap(err)
}

// copyTree copies the directory's entries in sorted order.
func (s *Source) copyTree(ctx context.Context, tree *download.Tree) error {
	var rels []string
	err := filepath.WalkDir(s.full, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != s.full {
			rels = append(rels, filepath.ToSlash(strings.TrimPrefix(p, s.full+string(filepath.Separator))))
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(rels)
	for _, rel := range rels {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.copy(tree, filepath.Join(s.full, filepath.FromSlash(rel)), rel); err != nil {
			return err
		}
	}
	return nil
}

// copy stages the file src as rel.
func (s *Source) copy(tree *download.Tree, src, rel string) error {
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	switch m := fi.Mode(); {
	case m.IsDir():
		return tree.Dir(rel, 0o755, time.Time{})
	case m&os.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if s.gen < 2 {
			target = relativeTarget(tree.Path(""), tree.Path(rel), target)
		}
		return tree.Symlink(rel, target)
	case m.IsRegular():
		mode := os.FileMode(0o644)
		if m&0o100 != 0 {
			mode = 0o755
		}
		in, err := os.Open(src)
		if err != nil {
			return err
		}
		defer in.Close()
		return tree.File(rel, in, mode, fi.ModTime())
	}
	return fmt.Errorf("cannot stage %s: unsupported file type", rel)
}

// relativeTarget is utils._relative_symlink_target: an absolute target
// becomes relative to the link's directory, as if the staging root were
// "/"; relative targets are kept.
func relativeTarget(root, link, target string) string {
	if !filepath.IsAbs(target) {
		return target
	}
	linkDir := filepath.Dir(resolve(strings.TrimRight(link, "/")))
	full := filepath.Join(resolve(root), strings.TrimLeft(target, "/"))
	rel, err := filepath.Rel(linkDir, full)
	if err != nil {
		return target
	}
	return rel
}

// resolve is os.path.realpath: symbolic links resolved as far as the path
// exists.
func resolve(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	dir, base := filepath.Split(p)
	if dir == "" || dir == p {
		return p
	}
	return filepath.Join(resolve(filepath.Clean(dir)), base)
}
