package element

import (
	"os"
	"path/filepath"
	"sync"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/options"
	"example.org/bst/internal/project"
	"example.org/bst/internal/yamlnode"
)

// ProjectRefsStorage is the ref-storage value that keeps refs out of the
// element files.
const ProjectRefsStorage = "project.refs"

// projectRefs caches a project's project.refs (or junction.refs) file,
// with its conditionals resolved.
type projectRefs struct {
	once sync.Once
	node *yamlnode.Mapping
	err  error
}

// Toplevel returns the project at the top of p's chain of junctions: the
// project bst was started in.
func Toplevel(p *project.Project) *project.Project {
	for p.Junction != nil && p.Junction.Parent != nil {
		p = p.Junction.Parent
	}
	return p
}

// refsPath is p's project.refs, or its junction.refs for the refs of
// junction elements.
func refsPath(p *project.Project, junction bool) string {
	if junction {
		return filepath.Join(p.Dir, "junction.refs")
	}
	return filepath.Join(p.Dir, "project.refs")
}

// RefsFile returns the file that tracking writes e's refs to, or "" when
// they are written into the element itself. BuildStream (1.6 and 2.x
// alike, Source._set_ref) writes every ref to the top-level project's
// file when that project uses `ref-storage: project.refs`, also the refs
// of elements inside junctions, under their own project's name; the refs
// of junction elements go to junction.refs.
func RefsFile(e *Element) string {
	top := Toplevel(e.Project)
	if top.RefStorage != ProjectRefsStorage {
		return ""
	}
	return refsPath(top, e.IsJunction)
}

// applyProjectRef sets the ref of source index i the way BuildStream's
// Source._load_ref does, for both generations:
//
//   - in a subproject, when the top-level project uses project.refs and
//     its file has an entry for the source (under the subproject's name),
//     that entry overrides the ref;
//   - otherwise, when the element's own project uses project.refs, the
//     inline ref is cleared and the entry of that project's file (if any)
//     is loaded.
//
// The keys the ref occupies (refKeys, nil for just "ref") are replaced
// together, as load_ref sets all of them from the entry.
func (f *Factory) applyProjectRef(e *Element, i int, cfg *yamlnode.Mapping, refKeys []string) error {
	if refKeys == nil {
		refKeys = []string{"ref"}
	}
	if top := Toplevel(e.Project); top != e.Project && top.RefStorage == ProjectRefsStorage {
		entry, err := f.refEntry(top, e, i)
		if err != nil {
			return err
		}
		if entry != nil {
			loadRef(cfg, entry, refKeys)
			return nil
		}
	}
	if e.Project.RefStorage != ProjectRefsStorage {
		return nil
	}
	entry, err := f.refEntry(e.Project, e, i)
	if err != nil {
		return err
	}
	for _, k := range refKeys {
		cfg.Delete(k)
	}
	if entry != nil {
		loadRef(cfg, entry, refKeys)
	}
	return nil
}

func loadRef(cfg, entry *yamlnode.Mapping, refKeys []string) {
	for _, k := range refKeys {
		cfg.Delete(k)
		if v := entry.Get(k); v != nil {
			cfg.Set(k, v.Clone())
		}
	}
}

// refEntry returns projects.<e's project>.<e's name>[i] from p's refs
// file, or nil when there is none.
func (f *Factory) refEntry(p *project.Project, e *Element, i int) (*yamlnode.Mapping, error) {
	root, err := f.refsOf(p, e.IsJunction)
	if err != nil {
		return nil, err
	}
	return RefEntry(root, e.Project.Name, e.Name, i)
}

// RefEntry looks projects.<proj>.<elem>[i] up in a loaded refs file, as
// ProjectRefs.lookup_ref does: nil when any step is missing.
func RefEntry(root *yamlnode.Mapping, proj, elem string, i int) (*yamlnode.Mapping, error) {
	projects, err := root.MappingAt("projects")
	if err != nil || projects == nil {
		return nil, err
	}
	pm, err := projects.MappingAt(proj)
	if err != nil || pm == nil {
		return nil, err
	}
	list, err := pm.SequenceAt(elem)
	if err != nil || list == nil || i >= len(list.Items) {
		return nil, err
	}
	entry, ok := list.Items[i].(*yamlnode.Mapping)
	if !ok {
		return nil, bsterr.Load(bsterr.InvalidData, list.Items[i].Pos(), "Value of '%s[%d]' is not of the expected type 'dict'", elem, i)
	}
	return entry, nil
}

// refsOf loads p's project.refs (junction.refs for junction elements)
// once per factory.
func (f *Factory) refsOf(p *project.Project, junction bool) (*yamlnode.Mapping, error) {
	path := refsPath(p, junction)
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
		r.node, r.err = LoadRefs(path, refsPool(p, junction))
	})
	return r.node, r.err
}

// LoadRefs loads a project.refs or junction.refs file (see ParseRefs); a
// missing file is empty.
func LoadRefs(path string, pool *options.Pool) (*yamlnode.Mapping, error) {
	text, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return yamlnode.NewMapping(bsterr.Provenance{File: filepath.Base(path)}), nil
	}
	if err != nil {
		return nil, bsterr.Load(bsterr.MissingFile, &bsterr.Provenance{File: filepath.Base(path)}, "cannot read %s: %v", path, err)
	}
	return ParseRefs(text, filepath.Base(path), pool)
}

// ParseRefs parses the text of a refs file as BuildStream's
// ProjectRefs.load does: its (?) conditionals and (!) assertions are
// processed with the project's options, no list directive may remain, and
// `projects` is its only key. Every node keeps its place in the text, also
// those that came from a conditional's fragment, so that tracking edits an
// entry where it is written.
func ParseRefs(text []byte, file string, pool *options.Pool) (*yamlnode.Mapping, error) {
	root, err := yamlnode.Parse(text, file)
	if err != nil {
		return nil, err
	}
	if pool != nil {
		if err := pool.Process(root); err != nil {
			return nil, err
		}
	}
	if err := yamlnode.FinalAssertions(root); err != nil {
		return nil, err
	}
	if err := root.ValidateKeys("projects"); err != nil {
		return nil, err
	}
	return root, nil
}

// RefsOptions returns the options that resolve the conditionals of the
// refs file RefsFile(e): the top-level project's, of its first pass for
// junction.refs (BuildStream loads junction.refs before the second pass).
func RefsOptions(e *Element) *options.Pool {
	return refsPool(Toplevel(e.Project), e.IsJunction)
}

func refsPool(p *project.Project, junction bool) *options.Pool {
	if junction || p.Second.Options == nil {
		return p.First.Options
	}
	return p.Second.Options
}
