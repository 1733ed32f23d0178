package zip

import (
	"archive/zip"
	"compress/bzip2"
	"context"
	"fmt"
	"io"
	"strings"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/unpack"
)

// zipBzip2 is the zip method number of bzip2 compression.
const zipBzip2 = 12

// Source is a zip source.
type Source struct {
	*download.File
	baseDir string // "" = the whole archive
}

var _ plugin.Source = (*Source)(nil)

// New configures a zip source from spec.
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

// Stage extracts the cached archive into dir.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	p := s.Path(env)
	if p == "" {
		return s.Errorf(download.NoRef, "Cannot stage %s: the source has no ref", s.URL)
	}
	if env.Log != nil {
		fmt.Fprintf(env.Log, "Staging %s into %s\n", s.URL, dir)
	}
	r, err := zip.OpenReader(p)
	if err != nil {
		return s.Errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
	}
	defer r.Close()
	r.RegisterDecompressor(zipBzip2, func(rd io.Reader) io.ReadCloser { return io.NopCloser(bzip2.NewReader(rd)) })
	base := ""
	if s.baseDir != "" {
		re, err := download.Glob(s.baseDir)
		if err != nil {
			return s.Errorf(download.StageFailed, "Invalid base-dir pattern %q: %v", s.baseDir, err)
		}
		var ok bool
		if base, ok = download.FindBaseDir(re, listPaths(r.File)); !ok {
			return s.Errorf(download.StageFailed, "Could not find base directory matching pattern: %s", s.baseDir)
		}
	}
	if err := extract(ctx, r.File, base, dir); err != nil {
		return s.Errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
	}
	return nil
}

// listPaths lists the candidate base directories as the plugin's
// _list_archive_paths: directory members as named (with their trailing
// '/'), and the directories implied by other members' paths unless a
// member has exactly that name (a directory member's name has the '/', so
// implied directories are listed even when they have a member).
func listPaths(files []*zip.File) []string {
	names := make(map[string]bool, len(files))
	for _, f := range files {
		names[f.Name] = true
	}
	var out []string
	visited := map[string]bool{}
	for _, f := range files {
		name := f.Name
		if !strings.HasSuffix(name, "/") {
			components := strings.Split(name, "/")
			for i := 1; i < len(components); i++ {
				dir := strings.Join(components[:i], "/")
				if visited[dir] {
					continue
				}
				visited[dir] = true
				if !names[dir] && dir != "." {
					out = append(out, dir)
				}
			}
			continue
		}
		if name == "." || name == "./" {
			continue
		}
		out = append(out, name)
	}
	return out
}

// extract stages the members under base (all when base is "") into dir.
func extract(ctx context.Context, files []*zip.File, base, dir string) error {
	tree, err := download.NewTree(dir)
	if err != nil {
		return err
	}
	prefix := ""
	if base != "" {
		prefix = strings.TrimSuffix(base, "/") + "/"
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := f.Name
		if prefix != "" {
			if name == prefix || !strings.HasPrefix(name, prefix) {
				continue
			}
			name = name[len(prefix):]
		}
		if err := unpack.ZipMember(tree, f, name); err != nil {
			return err
		}
	}
	return tree.Finish()
}
