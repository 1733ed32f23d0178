package element

import (
	"os"
	"path/filepath"
	"sync"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

// projectRefs caches a project's project.refs (or junction.refs) file.
type projectRefs struct {
	once sync.Once
	node *yamlnode.Mapping
	err  error
}

// RefsFile returns the file holding refs for elements of e's project when
// the project uses `ref-storage: project.refs`: junction elements' refs
// live in junction.refs, the others in project.refs.
func RefsFile(e *Element) string {
	name := "project.refs"
	if e.IsJunction {
		name = "junction.refs"
	}
	return filepath.Join(e.Project.Dir, name)
}

// applyProjectRef sets the ref of source index i from project.refs when
// the project keeps its refs there: the keys the ref occupies (refKeys,
// nil for just "ref") are cleared in cfg, then copied from the source's
// entry, as BuildStream clears a source's ref and calls load_ref on it.
func (f *Factory) applyProjectRef(e *Element, i int, cfg *yamlnode.Mapping, refKeys []string) error {
	if e.Project.RefStorage != "project.refs" {
		return nil
	}
	path := RefsFile(e)
	f.mu.Lock()
	if f.refs == nil {
		f.refs = map[string]*projectRefs{}
	}
	r := f.refs[path]
	if r == nil {
		r = &projectRefs{}
		f.refs[path] = r
	}
	f.mu.Unlock()
	r.once.Do(func() {
		if _, err := os.Stat(path); err != nil {
			r.node = yamlnode.NewMapping(bsterr.Provenance{File: filepath.Base(path)})
			return
		}
		r.node, r.err = yamlnode.LoadFile(path, filepath.Base(path))
	})
	if r.err != nil {
		return r.err
	}
	if refKeys == nil {
		refKeys = []string{"ref"}
	}
	for _, k := range refKeys {
		cfg.Delete(k)
	}
	projects, err := r.node.MappingAt("projects")
	if err != nil || projects == nil {
		return err
	}
	pm, err := projects.MappingAt(e.Project.Name)
	if err != nil || pm == nil {
		return err
	}
	list, err := pm.SequenceAt(e.Name)
	if err != nil || list == nil || i >= len(list.Items) {
		return err
	}
	entry, ok := list.Items[i].(*yamlnode.Mapping)
	if !ok {
		return bsterr.Load(bsterr.InvalidData, list.Items[i].Pos(), "Value of '%s[%d]' is not of the expected type 'dict'", e.Name, i)
	}
	for _, k := range refKeys {
		if v := entry.Get(k); v != nil {
			cfg.Set(k, v.Clone())
		}
	}
	return nil
}
