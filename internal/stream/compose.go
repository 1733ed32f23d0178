package stream

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"example.org/bst/internal/artifact"
	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/sandbox"
	"example.org/bst/internal/sandbox/bwrap"
	"example.org/bst/internal/splitrules"
)

// assembleCompose builds a compose element as BuildStream's compose
// plugin: the build dependencies' artifacts are staged whole into a
// sandbox root (overlaps are reported there), their integration commands
// run in it when `integrate` is set, and the output is the whole root, or,
// when include, exclude or include-orphans ask for a split, the files of
// the selected split domains of each dependency plus what the
// integration added or changed, minus what it removed.
func (s *Session) assembleCompose(ctx context.Context, e *element.Element, files string) error {
	inc, exc, orphans, err := splitConfig(e, true)
	if err != nil {
		return err
	}
	integrate, err := e.Config.Bool("integrate", true)
	if err != nil {
		return err
	}
	requireSplit := len(inc) > 0 || len(exc) > 0 || !orphans
	deps := e.BuildDependencies()
	env := make([]string, 0, len(e.Env))
	for _, kv := range e.Env {
		env = append(env, kv.Name+"="+kv.Value)
	}
	var integration, shown []string
	if integrate {
		if integration, shown, err = integrationBatch(deps, env); err != nil {
			return err
		}
	}
	root, err := s.jobSysroot(ctx, e, "")
	if err != nil {
		return err
	}
	// Integration writes into the root: stage copies then, hardlinks
	// (never written) otherwise.
	if err := s.stageDependencies(ctx, e, root, len(integration) == 0); err != nil {
		return err
	}
	manifest := map[string]bool{}
	if requireSplit {
		ac, err := s.artifacts()
		if err != nil {
			return err
		}
		for _, d := range deps {
			paths, err := s.splitManifest(ctx, ac, e, d, inc, exc, orphans)
			if err != nil {
				return err
			}
			for _, p := range paths {
				manifest[p] = true
			}
		}
	}
	if len(integration) > 0 {
		var before map[string]time.Time
		if requireSplit {
			if before, err = mtimes(root); err != nil {
				return bsterr.Element(bsterr.Unknown, nil, "%s: %v", e.FullName, err)
			}
		}
		log := jobLog(ctx)
		cfg := sandbox.Config{BuildUID: e.Sandbox.BuildUID, BuildGID: e.Sandbox.BuildGID,
			BuildOS: e.Sandbox.BuildOS, BuildArch: e.Sandbox.BuildArch}
		opts, err := s.sandboxOptions(ctx, log)
		if err != nil {
			return err
		}
		sb, err := bwrap.New(ctx, root, cfg, opts)
		if err != nil {
			return err
		}
		if err := runBatch(ctx, sb, e, integration, shown, []string{"sh", "-e", "-c"}, "", "/", env, 0, log); err != nil {
			return err
		}
		if requireSplit {
			after, err := mtimes(root)
			if err != nil {
				return bsterr.Element(bsterr.Unknown, nil, "%s: %v", e.FullName, err)
			}
			added, modified, removed := 0, 0, 0
			for p := range manifest {
				t, now := after[p]
				was, then := before[p]
				switch {
				case now && then && !t.Equal(was):
					modified++
				case !now && then:
					delete(manifest, p)
					removed++
				}
			}
			for p := range after {
				if _, then := before[p]; !then {
					manifest[p] = true
					added++
				}
			}
			if log != nil {
				fmt.Fprintf(log, "Integration modified %d, added %d and removed %d files\n", modified, added, removed)
			}
		}
	}
	if !requireSplit {
		return moveTree(root, files)
	}
	paths := make([]string, 0, len(manifest))
	for p := range manifest {
		paths = append(paths, p)
	}
	slices.Sort(paths) // parents before their contents
	for _, p := range paths {
		if p == "." {
			continue
		}
		from := filepath.Join(root, filepath.FromSlash(p))
		if _, err := os.Lstat(from); err != nil {
			continue // listed by the split rules but not staged (a link to a directory's contents)
		}
		if err := copyEntry(from, filepath.Join(files, filepath.FromSlash(p))); err != nil {
			return bsterr.Element(bsterr.Unknown, nil, "%s: %v", e.FullName, err)
		}
	}
	return nil
}

// splitManifest lists the paths of d's artifact in the selected split
// domains (Element.compute_manifest).
func (s *Session) splitManifest(ctx context.Context, ac *artifact.Cache, e, d *element.Element, inc, exc []string, orphans bool) ([]string, error) {
	a, ok, err := s.lookupArtifact(ctx, ac, d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, bsterr.Element(bsterr.Reason("missing-dependency-artifact"), nil, "%s: the artifact of %s is missing", e.FullName, d.FullName)
	}
	tmp, err := s.mkTemp("split-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := ac.Checkout(ctx, a, tmp, true); err != nil {
		return nil, err
	}
	paths, err := splitrules.ListRelativePaths(tmp)
	if err != nil {
		return nil, bsterr.Element(bsterr.Unknown, nil, "%s: %v", e.FullName, err)
	}
	domains, err := splitDomains(d)
	if err != nil {
		return nil, err
	}
	return domains.Select(paths, inc, exc, orphans), nil
}

// mtimes maps the relative paths of the tree under dir (as
// list_relative_paths lists them) to their modification times.
func mtimes(dir string) (map[string]time.Time, error) {
	paths, err := splitrules.ListRelativePaths(dir)
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(paths))
	for _, p := range paths {
		fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		out[p] = fi.ModTime()
	}
	return out, nil
}
