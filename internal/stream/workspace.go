package stream

import (
	"context"
	"os"
	"path/filepath"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
	"example.org/bst/internal/yamlnode"
)

// Workspace is one open workspace.
type Workspace struct {
	Element   string
	Directory string // absolute
}

// workspacesFile is where a project records its workspaces:
// .bst/workspaces.yml (1.x) or .bst2/workspaces.yml (2.x).
func workspacesFile(p *project.Project) string {
	if p.Gen == project.Gen2 {
		return filepath.Join(p.Dir, ".bst2", "workspaces.yml")
	}
	return filepath.Join(p.Dir, ".bst", "workspaces.yml")
}

// WorkspaceList loads the project and returns its open workspaces.
func (s *Session) WorkspaceList(ctx context.Context) ([]Workspace, error) {
	if err := s.LoadProject(ctx); err != nil {
		return nil, err
	}
	path := workspacesFile(s.Project)
	if _, err := os.Stat(path); err != nil {
		return nil, nil
	}
	node, err := yamlnode.LoadFile(path, path)
	if err != nil {
		return nil, err
	}
	ws, err := node.MappingAt("workspaces")
	if err != nil || ws == nil {
		return nil, err
	}
	var out []Workspace
	for i, name := range ws.Keys {
		m, ok := ws.Vals[i].(*yamlnode.Mapping)
		if !ok {
			return nil, bsterr.Load(bsterr.InvalidData, ws.Vals[i].Pos(), "Value of '%s' is not of the expected type 'dict'", name)
		}
		dir, err := m.RequiredString("path")
		if err != nil {
			return nil, err
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(s.Project.Dir, dir)
		}
		out = append(out, Workspace{Element: name, Directory: filepath.Clean(dir)})
	}
	return out, nil
}
