package cargo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/unpack"
)

// Stage extracts the crates into dir/vendor-dir and writes .cargo/config.
func (s *Source) Stage(ctx context.Context, env *plugin.SourceEnv, dir string) error {
	if len(s.crates) == 0 {
		return s.errorf(download.NoRef, "Cannot stage: the source has no ref")
	}
	tree, err := download.NewTree(dir)
	if err != nil {
		return s.stageError(err)
	}
	rel, err := download.CleanMember(s.vendor)
	if err != nil {
		return s.errorf(download.StageFailed, "Invalid vendor-dir %q: %v", s.vendor, err)
	}
	if err := tree.Dir(rel, 0, time.Time{}); err != nil {
		return s.stageError(err)
	}
	vendorDir := tree.Path(rel)
	tmp := tmpParent(env)
	for _, cr := range s.crates {
		if cr.kind != KindRegistry {
			continue
		}
		f := s.file(cr)
		if cr.sha == "" || !f.Cached(env) {
			return s.errorf(download.StageFailed, "Cannot stage crate %s %s: it is not fetched", cr.name, cr.version)
		}
		err := unpack.Crate(ctx, env, f.Path(env), vendorDir, cr.sha, unpack.CrateOptions{Filtered: s.gen >= 2, TmpParent: tmp})
		if err != nil {
			return s.stageError(fmt.Errorf("crate %s %s: %w", cr.name, cr.version, err))
		}
	}
	groups := s.gitGroups()
	for _, g := range groups {
		if err := s.stageGit(ctx, env, g, vendorDir, tmp); err != nil {
			return err
		}
	}
	config := s.vendorConfig(env, groups)
	if err := tree.File(".cargo/config", strings.NewReader(config), 0o644, time.Time{}); err != nil {
		return s.stageError(err)
	}
	return tree.Finish()
}

func (s *Source) stageError(err error) error {
	return s.errorf(download.StageFailed, "Error staging source: %v", err).Wrap(err)
}

// tmpParent is where temporary files go: the source cache, not a
// possibly small tmpfs.
func tmpParent(env *plugin.SourceEnv) string {
	if env == nil || env.SourceDir == "" {
		return ""
	}
	return filepath.Join(env.SourceDir, ".tmp")
}

// translate expands the alias of u (the alias's own value, the last of
// SourceEnv.URLs).
func translate(env *plugin.SourceEnv, u string) string {
	if env == nil || env.URLs == nil {
		return u
	}
	if urls := env.URLs(u); len(urls) > 0 {
		return urls[len(urls)-1]
	}
	return u
}

// vendorConfig is the .cargo/config the plugins write, plus (cargo2) a
// replacement entry for each git source.
func (s *Source) vendorConfig(env *plugin.SourceEnv, groups []*gitGroup) string {
	var b strings.Builder
	b.WriteString("[source.crates-io]\n")
	fmt.Fprintf(&b, "registry = %s\n", quoteTOML(translate(env, s.baseURL())))
	b.WriteString("replace-with = \"vendored-sources\"\n")
	seen := map[string]bool{}
	for _, g := range groups {
		repo := translate(env, g.repo)
		key := g.sourceKey(repo)
		if seen[key] {
			continue
		}
		seen[key] = true
		fmt.Fprintf(&b, "[source.%s]\n", quoteTOML(key))
		fmt.Fprintf(&b, "git = %s\n", quoteTOML(repo))
		for _, kv := range g.query {
			switch kv[0] {
			case "rev", "branch", "tag":
				fmt.Fprintf(&b, "%s = %s\n", kv[0], quoteTOML(kv[1]))
			}
		}
		b.WriteString("replace-with = \"vendored-sources\"\n")
	}
	b.WriteString("[source.vendored-sources]\n")
	fmt.Fprintf(&b, "directory = %s\n", quoteTOML(s.vendor))
	return b.String()
}

// quoteTOML quotes a string as the plugin's template does ("..."),
// escaping what TOML needs escaped.
func quoteTOML(v string) string { return formatString(v) }

// stageGit stages a repository's commit into a temporary directory and
// copies each of its crates into the vendor directory.
func (s *Source) stageGit(ctx context.Context, env *plugin.SourceEnv, g *gitGroup, vendorDir, tmp string) error {
	src, err := s.gitSource(g)
	if err != nil {
		return err
	}
	if tmp != "" {
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return s.stageError(err)
		}
	}
	checkout, err := os.MkdirTemp(tmp, "cargo-git-")
	if err != nil {
		return s.stageError(err)
	}
	defer os.RemoveAll(checkout)
	if err := src.Stage(ctx, env, checkout); err != nil {
		return err
	}
	for _, cr := range g.crates {
		pkgDir, err := findPackage(checkout, cr.name)
		if err != nil {
			return s.stageError(err)
		}
		if pkgDir == "" {
			return s.errorf(CrateNotFound, "No crate named %s in %s at %s", cr.name, g.repo, g.commit)
		}
		dest := filepath.Join(vendorDir, cr.name+"-"+cr.version)
		if err := copyCrate(pkgDir, dest); err != nil {
			return s.stageError(err)
		}
		if err := inheritWorkspace(checkout, pkgDir, dest); err != nil {
			return s.stageError(fmt.Errorf("crate %s: %w", cr.name, err))
		}
		if err := writeChecksumNull(dest); err != nil {
			return s.stageError(err)
		}
	}
	return nil
}

// writeChecksumNull writes the .cargo-checksum.json of a git crate
// (which has no package checksum).
func writeChecksumNull(dir string) error {
	return os.WriteFile(filepath.Join(dir, ".cargo-checksum.json"), []byte(`{"package": null, "files": {}}`), 0o644)
}
