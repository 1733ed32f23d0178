package gomodule

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/unpack"
)

// Stage copies the module into dir/vendor/<module> and appends it to
// dir/vendor/modules.txt.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	g, err := s.refSource()
	if err != nil {
		return err
	}
	parent := ""
	if env.SourceDir != "" {
		parent = filepath.Join(env.SourceDir, ".tmp")
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return s.stageError(err)
		}
	}
	tmp, err := os.MkdirTemp(parent, "go_module-")
	if err != nil {
		return s.stageError(err)
	}
	defer os.RemoveAll(tmp)
	checkout := filepath.Join(tmp, "checkout")
	if err := g.Stage(ctx, env, checkout); err != nil {
		return err
	}
	moduleDir := checkout
	if s.ref.hasSubdir {
		rel, err := download.CleanMember(s.ref.subdirectory)
		if err != nil {
			return s.stageError(err)
		}
		moduleDir = filepath.Join(checkout, filepath.FromSlash(rel))
	}
	if m := versionRE.FindStringSubmatch(s.ref.goVersion); m != nil {
		major := m[2]
		n, _ := strconv.Atoi(major[1:])
		if fi, err := os.Stat(filepath.Join(moduleDir, major)); n >= 2 && err == nil && fi.IsDir() {
			moduleDir = filepath.Join(moduleDir, major)
		} else {
			logf(env, "Module %s, major version %s does not have a version subdirectory\n", s.module, major)
		}
	}
	tree, err := download.NewTree(dir)
	if err != nil {
		return s.stageError(err)
	}
	rel, err := download.CleanMember("vendor/" + s.module)
	if err != nil {
		return s.stageError(err)
	}
	if err := tree.Dir(rel, 0, time.Time{}); err != nil {
		return s.stageError(err)
	}
	vendorModule := tree.Path(rel)
	err = unpack.CopyTree(moduleDir, vendorModule, func(_ string, d fs.DirEntry) bool { return d.Name() == ".git" })
	if err != nil {
		return s.stageError(err)
	}
	if err := s.appendModulesTxt(tree.Path("vendor"), vendorModule); err != nil {
		return s.stageError(err)
	}
	return nil
}

func (s *Source) stageError(err error) error {
	return bsterr.Source(download.StageFailed, s.prov, "%s: Error staging source: %v", s, err).Wrap(err)
}

// goDirective is the "go 1.N" line of dir/go.mod, "" without one.
func goDirective(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "go ") {
			return strings.TrimRight(l, "\r")
		}
	}
	return ""
}

// appendModulesTxt appends the module's entry to vendor/modules.txt, as
// the plugin mimics go mod vendor.
func (s *Source) appendModulesTxt(vendorDir, moduleDir string) error {
	var b strings.Builder
	if s.ref.explicit {
		fmt.Fprintf(&b, "# %s %s\n", s.module, s.ref.goVersion)
		if d := goDirective(moduleDir); d != "" {
			fmt.Fprintf(&b, "## explicit; %s\n", d)
		} else {
			b.WriteString("## explicit\n")
		}
	} else {
		fmt.Fprintf(&b, "# %s\n", s.module)
	}
	err := filepath.WalkDir(moduleDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if d.Name() == ".git" {
			return filepath.SkipDir
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if !e.IsDir() && (e.Name() == "go.mod" || strings.HasSuffix(e.Name(), ".go")) {
				rel, err := filepath.Rel(vendorDir, p)
				if err != nil {
					return err
				}
				b.WriteString(filepath.ToSlash(rel) + "\n")
				break
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	p := filepath.Join(vendorDir, "modules.txt")
	if fi, err := os.Lstat(p); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", p)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func logf(env *plugin.SourceEnv, format string, args ...any) {
	if env != nil && env.Log != nil {
		fmt.Fprintf(env.Log, format, args...)
	}
}
