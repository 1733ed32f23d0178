package cargo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"example.org/bst/internal/plugins/sources/unpack"
)

// findPackage returns the directory under root whose Cargo.toml defines
// the package name ("" if none), looking in lexical order and skipping
// .git and target directories.
func findPackage(root, name string) (string, error) {
	found := ""
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (d.Name() == ".git" || d.Name() == "target") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "Cargo.toml" || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := parseTOML(string(data))
		if err != nil {
			return nil // not a manifest cargo could use either
		}
		if pkg := doc.sub("package"); pkg != nil && pkg.str("name") == name {
			found = filepath.Dir(p)
			return fs.SkipAll
		}
		return nil
	})
	return found, err
}

// copyCrate copies a package directory as cargo vendor does: without
// .git, target and nested packages (subdirectories with their own
// Cargo.toml); symbolic links are copied as links.
func copyCrate(src, dest string) error {
	return unpack.CopyTree(src, dest, func(rel string, d fs.DirEntry) bool {
		if !d.IsDir() {
			return false
		}
		if d.Name() == ".git" || rel == "target" {
			return true
		}
		_, err := os.Lstat(filepath.Join(src, filepath.FromSlash(rel), "Cargo.toml"))
		return err == nil
	})
}

// dependencyTables are the manifest tables whose entries may inherit
// from [workspace.dependencies].
var dependencyTables = []string{"dependencies", "dev-dependencies", "build-dependencies"}

// inheritWorkspace writes into dest/Cargo.toml the values the package
// (checked out at pkgDir, under the repository checkout root) inherits
// from its workspace with `workspace = true`, as cargo does when it
// packages a crate, since the vendored copy no longer sits in its
// workspace. Package fields come from [workspace.package], dependencies
// from [workspace.dependencies] (with the member's features added and its
// optional flag kept; a workspace path dependency that also gives a
// version loses its path, as in a published crate), lints from
// [workspace.lints]. The package's `workspace` key is dropped. A manifest
// that inherits nothing is left as it is.
func inheritWorkspace(root, pkgDir, dest string) error {
	manifest := filepath.Join(dest, "Cargo.toml")
	data, err := os.ReadFile(manifest)
	if err != nil {
		return err
	}
	doc, err := parseTOML(string(data))
	if err != nil {
		return fmt.Errorf("parsing Cargo.toml: %w", err)
	}
	if !inherits(doc) {
		return nil
	}
	ws, wsDir, err := findWorkspace(root, pkgDir, doc)
	if err != nil {
		return err
	}
	if pkg := doc.sub("package"); pkg != nil {
		pkg.remove("workspace")
		wp := ws.sub("package")
		for _, k := range pkg.keys {
			if !isInherited(pkg.vals[k]) {
				continue
			}
			v, ok := wp.get(k)
			if !ok {
				return fmt.Errorf("package.%s is inherited but [workspace.package] has no %s", k, k)
			}
			if k == "readme" || k == "license-file" {
				if s, ok := v.(string); ok {
					v = relocate(wsDir, pkgDir, s)
				}
			}
			pkg.set(k, v)
		}
	}
	if l, ok := doc.get("lints"); ok && isInherited(l) {
		wl, ok := ws.get("lints")
		if !ok {
			return errors.New("lints are inherited but the workspace has no [workspace.lints]")
		}
		doc.set("lints", wl)
	}
	wdeps := ws.sub("dependencies")
	for _, deps := range allDependencyTables(doc) {
		for _, name := range deps.keys {
			if !isInherited(deps.vals[name]) {
				continue
			}
			base, ok := wdeps.get(name)
			if !ok {
				return fmt.Errorf("dependency %s is inherited but [workspace.dependencies] has no %s", name, name)
			}
			deps.set(name, mergeDependency(base, deps.vals[name].(*table), wsDir, pkgDir))
		}
	}
	return os.WriteFile(manifest, []byte(formatTOML(doc)), 0o644)
}

// inherits reports whether anything in the manifest says workspace = true.
func inherits(doc *table) bool {
	if pkg := doc.sub("package"); pkg != nil {
		for _, k := range pkg.keys {
			if isInherited(pkg.vals[k]) {
				return true
			}
		}
	}
	if l, ok := doc.get("lints"); ok && isInherited(l) {
		return true
	}
	for _, deps := range allDependencyTables(doc) {
		for _, k := range deps.keys {
			if isInherited(deps.vals[k]) {
				return true
			}
		}
	}
	return false
}

// isInherited reports whether v is a table with workspace = true.
func isInherited(v any) bool {
	t, ok := v.(*table)
	return ok && t.vals["workspace"] == rawValue("true")
}

// allDependencyTables lists the dependency tables, those under
// [target.<cfg>] included.
func allDependencyTables(doc *table) []*table {
	var out []*table
	add := func(t *table) {
		for _, k := range dependencyTables {
			if d := t.sub(k); d != nil {
				out = append(out, d)
			}
		}
		if d := t.sub("build_dependencies"); d != nil {
			out = append(out, d)
		}
		if d := t.sub("dev_dependencies"); d != nil {
			out = append(out, d)
		}
	}
	add(doc)
	if targets := doc.sub("target"); targets != nil {
		for _, k := range targets.keys {
			if t := targets.sub(k); t != nil {
				add(t)
			}
		}
	}
	return out
}

// findWorkspace returns the workspace table of the package's workspace
// root and its directory: package.workspace's path if set, else the
// nearest Cargo.toml with a [workspace] from pkgDir up to root.
func findWorkspace(root, pkgDir string, doc *table) (*table, string, error) {
	var dirs []string
	if pkg := doc.sub("package"); pkg != nil && pkg.str("workspace") != "" {
		dirs = []string{filepath.Join(pkgDir, pkg.str("workspace"))}
	} else {
		for d := pkgDir; ; d = filepath.Dir(d) {
			dirs = append(dirs, d)
			if d == root || !strings.HasPrefix(d, root+string(filepath.Separator)) {
				break
			}
		}
	}
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(d, "Cargo.toml"))
		if err != nil {
			continue
		}
		m, err := parseTOML(string(data))
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", filepath.Join(d, "Cargo.toml"), err)
		}
		if ws := m.sub("workspace"); ws != nil {
			return ws, d, nil
		}
	}
	return nil, "", errors.New("the manifest inherits from a workspace but no workspace root was found")
}

// mergeDependency is a member's `name = { workspace = true, ... }`
// resolved against the workspace's entry for it.
func mergeDependency(base any, member *table, wsDir, pkgDir string) any {
	out := newTable()
	out.inline = true
	switch b := base.(type) {
	case string:
		out.set("version", b)
	case *table:
		for _, k := range b.keys {
			out.set(k, b.vals[k])
		}
	}
	if p, ok := out.vals["path"].(string); ok {
		if _, hasVersion := out.get("version"); hasVersion {
			out.remove("path")
		} else {
			out.set("path", relocate(wsDir, pkgDir, p))
		}
	}
	for _, k := range member.keys {
		switch k {
		case "workspace":
		case "features":
			feats, _ := out.vals["features"].([]any)
			seen := map[string]bool{}
			for _, f := range feats {
				if s, ok := f.(string); ok {
					seen[s] = true
				}
			}
			extra, _ := member.vals[k].([]any)
			for _, f := range extra {
				if s, ok := f.(string); ok && !seen[s] {
					feats = append(feats, s)
					seen[s] = true
				}
			}
			out.set("features", feats)
		default:
			out.set(k, member.vals[k])
		}
	}
	return out
}

// relocate turns a path relative to the workspace root into one
// relative to the package directory.
func relocate(wsDir, pkgDir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	rel, err := filepath.Rel(pkgDir, filepath.Join(wsDir, p))
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}
