package stream

import (
	"os"
	"path/filepath"
	"strings"
	"sync"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
	"example.org/bst/internal/yamlnode"
)

// Workspace is one open workspace, as the project's workspaces file
// records it.
type Workspace struct {
	Element string
	// Path is the directory as recorded: relative to the project when
	// it was opened below it, else absolute.
	Path string
	// Directory is Path joined to the project directory, as BuildStream's
	// get_absolute_path (os.path.join, which does not normalise).
	Directory string

	// 1.x state: whether configure commands already ran, the strong key
	// of the last successful build, and the files of runtime dependencies
	// that changed since (by dependency name).
	Prepared       bool
	LastSuccessful string
	RunningFiles   map[string][]string

	// 2.x state: the key of the last build.
	LastBuild string
}

// Workspace file format versions (BST_WORKSPACE_FORMAT_VERSION).
const (
	workspaceFormat1 = 3
	workspaceFormat2 = 4
	// workspaceProjectFile is what 2.x writes into each workspace, so
	// that bst can be run from inside it.
	workspaceProjectFile = ".bstproject.yaml"
)

// workspaces is a project's workspaces file: .bst/workspaces.yml (1.x) or
// .bst2/workspaces.yml (2.x), in the toplevel project.
type workspaces struct {
	file       string
	gen        project.Generation
	projectDir string
	list       []*Workspace // 2.x: in the file's order; 1.x: sorted when saved
	// mu orders the updates of parallel builds (recordBuild).
	mu sync.Mutex
}

// workspacesFile is where a project records its workspaces.
func workspacesFile(p *project.Project) string {
	if p.Gen == project.Gen2 {
		return filepath.Join(p.Dir, ".bst2", "workspaces.yml")
	}
	return filepath.Join(p.Dir, ".bst", "workspaces.yml")
}

// loadWorkspaces reads the toplevel project's workspaces file (none: no
// workspaces).
func loadWorkspaces(p *project.Project) (*workspaces, error) {
	w := &workspaces{file: workspacesFile(p), gen: p.Gen, projectDir: p.Dir}
	if _, err := os.Stat(w.file); err != nil {
		return w, nil
	}
	short := w.file
	if p.Gen == project.Gen2 {
		short = "workspaces.yml"
	}
	node, err := yamlnode.LoadFile(w.file, short)
	if err != nil {
		return nil, err
	}
	version, err := node.Int("format-version", 0)
	if err != nil {
		if p.Gen == project.Gen2 {
			return nil, bsterr.Load(bsterr.InvalidData, nil, "Format version is not an integer in workspace configuration")
		}
		return nil, err
	}
	maxVersion := workspaceFormat1
	if p.Gen == project.Gen2 {
		maxVersion = workspaceFormat2
		if version < workspaceFormat2 {
			return nil, bsterr.Load(bsterr.InvalidData, nil,
				"Workspace configuration format version %d not supported.Please recreate this workspace.", version)
		}
	}
	if version > maxVersion {
		return nil, bsterr.Load(bsterr.InvalidData, nil,
			"Workspace configuration format version %d not supported.Your version of buildstream may be too old. Max supported version: %d",
			version, maxVersion)
	}
	if version == 0 {
		return w, w.loadLegacy(node)
	}
	ws, err := node.MappingAt("workspaces")
	if err != nil || ws == nil {
		return w, err
	}
	for i, name := range ws.Keys {
		m, ok := ws.Vals[i].(*yamlnode.Mapping)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, ws.Vals[i].Pos(), "Value of '%s' is not of the expected type 'dict'", name)
		}
		if err := w.loadOne(name, m); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// loadLegacy reads a 1.x file of format 0: element: path (or element:
// {source index: path}, with one source).
func (w *workspaces) loadLegacy(node *yamlnode.Mapping) error {
	for i, name := range node.Keys {
		switch v := node.Vals[i].(type) {
		case *yamlnode.Scalar:
			w.add(name, v.Str())
		case *yamlnode.Mapping:
			if len(v.Keys) != 1 {
				return bsterr.Load(bsterr.InvalidData, nil,
					"There are multiple workspaces open for '%s'.\nThis is not supported anymore.\nPlease remove this element from '%s'.", name, w.file)
			}
			sc, ok := v.Vals[0].(*yamlnode.Scalar)
			if !ok {
				return bsterr.Load(bsterr.InvalidData, nil, "Workspace config is in unexpected format.")
			}
			w.add(name, sc.Str())
		default:
			return bsterr.Load(bsterr.InvalidData, nil, "Workspace config is in unexpected format.")
		}
	}
	return nil
}

func (w *workspaces) loadOne(name string, m *yamlnode.Mapping) error {
	path, err := m.RequiredString("path")
	if err != nil {
		return err
	}
	ws := w.add(name, path)
	if w.gen == project.Gen2 {
		ws.LastBuild, err = m.StringDefault("last_build", "")
		return err
	}
	if ws.Prepared, err = m.Bool("prepared", false); err != nil {
		return err
	}
	if ws.LastSuccessful, err = m.StringDefault("last_successful", ""); err != nil {
		return err
	}
	rf, err := m.MappingAt("running_files")
	if err != nil || rf == nil {
		return err
	}
	for i, dep := range rf.Keys {
		seq, ok := rf.Vals[i].(*yamlnode.Sequence)
		if !ok {
			return bsterr.Load(bsterr.InvalidData, rf.Vals[i].Pos(), "Value of '%s' is not of the expected type 'list'", dep)
		}
		files := []string{}
		for _, it := range seq.Items {
			if sc, ok := it.(*yamlnode.Scalar); ok {
				files = append(files, sc.Str())
			}
		}
		ws.RunningFiles[dep] = files
	}
	return nil
}

// add records a workspace of name at path (as recorded).
func (w *workspaces) add(name, path string) *Workspace {
	dir := path
	if !filepath.IsAbs(path) {
		dir = strings.TrimSuffix(w.projectDir, "/") + "/" + path
	}
	ws := &Workspace{Element: name, Path: path, Directory: dir, RunningFiles: map[string][]string{}}
	w.list = append(w.list, ws)
	return ws
}

// get returns the workspace of the element with full name name, or nil.
func (w *workspaces) get(name string) *Workspace {
	for _, ws := range w.list {
		if ws.Element == name {
			return ws
		}
	}
	return nil
}

// create records a new workspace for name at the absolute directory dir.
// As BuildStream, a directory that starts with the project's directory
// (as a string) is recorded relative to it.
func (w *workspaces) create(name, dir string) *Workspace {
	w.delete(name)
	path := dir
	if strings.HasPrefix(dir, w.projectDir) {
		if rel, err := filepath.Rel(w.projectDir, dir); err == nil {
			path = rel
		}
	}
	return w.add(name, path)
}

// delete forgets the workspace of name.
func (w *workspaces) delete(name string) {
	for i, ws := range w.list {
		if ws.Element == name {
			w.list = append(w.list[:i], w.list[i+1:]...)
			return
		}
	}
}

// save writes the workspaces file in the generation's format.
func (w *workspaces) save() error {
	if err := os.MkdirAll(filepath.Dir(w.file), 0o755); err != nil {
		return bsterr.Stream(bsterr.Unknown, "cannot create %s: %v", filepath.Dir(w.file), err)
	}
	var text string
	if w.gen == project.Gen2 {
		list := yamlnode.Ordered{}
		for _, ws := range w.list {
			entry := yamlnode.Ordered{{Key: "path", Value: ws.Path}}
			if ws.LastBuild != "" {
				entry = append(entry, yamlnode.OrderedItem{Key: "last_build", Value: ws.LastBuild})
			}
			list = append(list, yamlnode.OrderedItem{Key: ws.Element, Value: entry})
		}
		text = yamlnode.Dump(yamlnode.Ordered{{Key: "format-version", Value: workspaceFormat2}, {Key: "workspaces", Value: list}})
	} else {
		list := map[string]any{}
		for _, ws := range w.list {
			running := map[string]any{}
			for dep, files := range ws.RunningFiles {
				running[dep] = append([]string(nil), files...)
			}
			entry := map[string]any{"path": ws.Path, "prepared": yamlnode.PyBool(ws.Prepared), "running_files": running}
			if ws.LastSuccessful != "" {
				entry["last_successful"] = ws.LastSuccessful
			}
			list[ws.Element] = entry
		}
		text = yamlnode.Dump(map[string]any{"format-version": workspaceFormat1, "workspaces": list})
	}
	return writeFileAtomic(w.file, []byte(text))
}

// writeWorkspaceProject writes 2.x's .bstproject.yaml into a workspace: the
// project that opened it and the element, so that bst can find both from
// inside it.
func writeWorkspaceProject(dir, projectDir, element string) error {
	text := yamlnode.DumpCompact(yamlnode.Ordered{
		{Key: "projects", Value: []any{yamlnode.Ordered{{Key: "project-path", Value: projectDir}, {Key: "element-name", Value: element}}}},
		{Key: "format-version", Value: 1},
	})
	return writeFileAtomic(filepath.Join(dir, workspaceProjectFile), []byte(text))
}

// writeFileAtomic replaces path with data through a temporary file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-")
	if err != nil {
		return bsterr.Stream(bsterr.Unknown, "cannot write %s: %v", path, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return bsterr.Stream(bsterr.Unknown, "cannot write %s: %v", path, werr)
	}
	return nil
}

// recordBuild records a successful build of the workspace of name under
// key and saves the file: 1.6 sets last_successful, marks the workspace
// prepared and forgets its running files; 2.x sets last_build.
func (w *workspaces) recordBuild(name, key string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	ws := w.get(name)
	if ws == nil {
		return nil
	}
	if w.gen == project.Gen2 {
		ws.LastBuild = key
	} else {
		ws.LastSuccessful, ws.Prepared = key, true
		ws.RunningFiles = map[string][]string{}
	}
	return w.save()
}
