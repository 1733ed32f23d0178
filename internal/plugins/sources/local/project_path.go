package local

import (
	"os"
	"path/filepath"
	"strings"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// PathKind is what a project path must name.
type PathKind int

// Kinds of project path.
const (
	AnyPath PathKind = iota
	FilePath
	DirPath
)

// ProjectPath reads the project-relative path at key of config and checks
// it as BuildStream's node_get_project_path does: it must not be a
// symbolic link, start with "..", be absolute or lead out of the project
// (after resolving links), must exist, must not be a socket, FIFO or block
// device, and must be a file or directory when kind asks. It returns the
// path as written and its full path.
func ProjectPath(config *yamlnode.Mapping, key, projectDir string, kind PathKind) (rel, full string, err error) {
	return ProjectPathStaged(config, key, projectDir, kind, nil)
}

// ProjectPathStaged is ProjectPath for a project staged behind a junction
// with links (see plugin.SourceSpec.Staging): a staging link on the path
// counts as the files it points to.
func ProjectPathStaged(config *yamlnode.Mapping, key, projectDir string, kind PathKind, staging interface{ IsLink(string) bool }) (rel, full string, err error) {
	if rel, err = config.RequiredString(key); err != nil {
		return "", "", err
	}
	prov := config.Pos()
	if v := config.Get(key); v != nil {
		prov = v.Pos()
	}
	full = filepath.Join(projectDir, rel)
	if filepath.IsAbs(rel) {
		full = filepath.Clean(rel)
	}
	staged := false
	if staging != nil {
		for p := full; len(p) > len(projectDir); p = filepath.Dir(p) {
			if staging.IsLink(p) {
				staged = true
				break
			}
		}
	}
	if fi, err := os.Lstat(full); err == nil && fi.Mode()&os.ModeSymlink != 0 && !(staged && staging.IsLink(full)) {
		return "", "", bsterr.Load(bsterr.ProjectPathInvalidKind, prov, "Specified path '%s' must not point to symbolic links ", rel)
	}
	if first := firstPart(rel); first == ".." {
		return "", "", bsterr.Load(bsterr.ProjectPathInvalid, prov, "Specified path '%s' first component must not be '..'", rel)
	}
	resolved, err := filepath.EvalSymlinks(full)
	if err != nil {
		return "", "", bsterr.Load(bsterr.MissingFile, prov, "Specified path '%s' does not exist", rel).Wrap(err)
	}
	project, err := filepath.EvalSymlinks(projectDir)
	if err != nil {
		project = projectDir
	}
	inside := resolved == project || strings.HasPrefix(resolved, project+string(filepath.Separator))
	if filepath.IsAbs(rel) || (!inside && !staged) {
		return "", "", bsterr.Load(bsterr.ProjectPathInvalid, prov, "Specified path '%s' must not lead outside of the project directory", rel)
	}
	fi, err := os.Stat(resolved)
	if err != nil {
		return "", "", bsterr.Load(bsterr.MissingFile, prov, "Specified path '%s' does not exist", rel).Wrap(err)
	}
	m := fi.Mode()
	if m&(os.ModeSocket|os.ModeNamedPipe) != 0 || (m&os.ModeDevice != 0 && m&os.ModeCharDevice == 0) {
		return "", "", bsterr.Load(bsterr.ProjectPathInvalidKind, prov, "Specified path '%s' points to an unsupported file kind", rel)
	}
	if kind == FilePath && !m.IsRegular() {
		return "", "", bsterr.Load(bsterr.ProjectPathInvalidKind, prov, "Specified path '%s' is not a regular file", rel)
	}
	if kind == DirPath && !m.IsDir() {
		return "", "", bsterr.Load(bsterr.ProjectPathInvalidKind, prov, "Specified path '%s' is not a directory", rel)
	}
	return rel, full, nil
}

// firstPart is the first component of p as pathlib sees it ("." parts
// dropped).
func firstPart(p string) string {
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			return c
		}
	}
	return ""
}
