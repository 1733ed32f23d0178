package stream

import (
	"errors"
	"os"
	"path/filepath"
	"sync"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/element"
	"example.org/bst/internal/project"
	"example.org/bst/internal/yamlnode"
)

// refWriter writes tracked refs back to the files they belong in, one
// writer per file at a time: into the element file (or the include the
// source's mapping was read from) in place, or into project.refs.
//
// A ref spans one or more keys of the source's configuration (refValue);
// each is set, or removed when the source has no value for it, as
// BuildStream's Source.set_ref does on the source's node.
type refWriter struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (w *refWriter) lock(path string) func() {
	w.mu.Lock()
	l := w.locks[path]
	if l == nil {
		l = &sync.Mutex{}
		w.locks[path] = l
	}
	w.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// quoting is how e's generation of BuildStream writes scalars.
func quoting(e *element.Element) yamlnode.Quoting {
	if e.Project.Gen == project.Gen2 {
		return yamlnode.QuotePlain
	}
	return yamlnode.QuoteTyped
}

func (w *refWriter) write(e *element.Element, i int, values []refValue) error {
	if path := element.RefsFile(e); path != "" {
		return w.writeProjectRefs(e, path, i, values)
	}
	src := e.Sources[i]
	if src.File == "" {
		return bsterr.Source(bsterr.Reason("cannot-write-ref"), &src.Prov,
			"%s: cannot write the new ref: the source comes from a file bst cannot edit (%s)", e.FullName, src.Prov.File)
	}
	unlock := w.lock(src.File)
	defer unlock()
	text, err := os.ReadFile(src.File)
	if err != nil {
		return bsterr.Source(bsterr.MissingFile, &src.Prov, "cannot read %s: %v", src.File, err)
	}
	q := quoting(e)
	for _, kv := range values {
		if kv.node == nil {
			text, err = yamlnode.DeleteKey(text, src.Prov.File, src.Prov.Line, src.Prov.Col, kv.key)
		} else {
			text, err = yamlnode.SetKey(text, src.Prov.File, src.Prov.Line, src.Prov.Col, kv.key, kv.node, q)
		}
		if err != nil {
			return err
		}
	}
	return writeAtomic(src.File, text)
}

// writeProjectRefs sets the keys of projects.<project>.<element>[i] in
// path, the top-level project's project.refs (junction.refs for
// junctions), editing the file in place so that its comments stay, as
// BuildStream's round-trip dump keeps them. An entry that the file's
// conditionals give (BuildStream looks entries up in the file with its
// (?) processed) is edited where it is written, in the conditional's
// fragment; a missing one is added outside the conditionals. When the
// file's layout does not allow editing in place, it is written anew.
func (w *refWriter) writeProjectRefs(e *element.Element, path string, i int, values []refValue) error {
	unlock := w.lock(path)
	defer unlock()
	text, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return bsterr.Stream(bsterr.Unknown, "cannot read %s: %v", path, err)
	}
	base := filepath.Base(path)
	resolved, err := element.ParseRefs(text, base, element.RefsOptions(e))
	if err != nil {
		return err
	}
	root, err := yamlnode.Parse(text, base)
	if err != nil {
		return err
	}
	q := quoting(e)
	var out []byte
	if cur, err := element.RefEntry(resolved, e.Project.Name, e.Name, i); err != nil {
		return err
	} else if cur != nil && cur.Len() > 0 {
		out, err = editEntry(text, base, cur, values, q)
		if err != nil && bsterr.ReasonOf(err) != yamlnode.CannotEditInPlace {
			return err
		}
	} else if out, err = editProjectRefs(text, root, base, e.Project.Name, e.Name, i, values, q); err != nil {
		return err
	}
	if out == nil {
		setProjectRef(root, e.Project.Name, e.Name, i, values)
		out = []byte(yamlnode.DumpBlock(root, q))
	}
	return writeAtomic(path, out)
}

// editProjectRefs edits project.refs text (parsed as root) in place: the
// entry's keys when the entry exists, else the deepest existing mapping on
// its path gets what is missing below it. It returns nil (and no error)
// when the text cannot be edited in place (an empty file, flow style).
func editProjectRefs(text []byte, root *yamlnode.Mapping, file, proj, elem string, i int, values []refValue, q yamlnode.Quoting) ([]byte, error) {
	if root.Len() == 0 {
		return nil, nil
	}
	out, err := editRefsPath(text, root, file, proj, elem, i, values, q)
	if bsterr.ReasonOf(err) == yamlnode.CannotEditInPlace {
		return nil, nil
	}
	return out, err
}

func editRefsPath(text []byte, root *yamlnode.Mapping, file, proj, elem string, i int, values []refValue, q yamlnode.Quoting) ([]byte, error) {
	entry := yamlnode.NewMapping(bsterr.Provenance{})
	for _, kv := range values {
		if kv.node != nil {
			entry.Set(kv.key, kv.node)
		}
	}
	projects, err := root.MappingAt("projects")
	if err != nil {
		return nil, err
	}
	if projects == nil {
		pm := yamlnode.NewMapping(bsterr.Provenance{})
		pm.Set(proj, single(elem, i, entry))
		return yamlnode.SetKey(text, file, root.P.Line, root.P.Col, "projects", pm, q)
	}
	pm, err := projects.MappingAt(proj)
	if err != nil {
		return nil, err
	}
	if pm == nil {
		return yamlnode.SetKey(text, file, projects.P.Line, projects.P.Col, proj, single(elem, i, entry), q)
	}
	list, err := pm.SequenceAt(elem)
	if err != nil {
		return nil, err
	}
	var cur *yamlnode.Mapping
	if list != nil && i < len(list.Items) {
		cur, _ = list.Items[i].(*yamlnode.Mapping)
	}
	if cur == nil || cur.Len() == 0 {
		seq := &yamlnode.Sequence{}
		if list != nil {
			seq.Items = append(seq.Items, list.Items...)
		}
		for len(seq.Items) <= i {
			seq.Items = append(seq.Items, yamlnode.NewMapping(bsterr.Provenance{}))
		}
		seq.Items[i] = entry
		return yamlnode.SetKey(text, file, pm.P.Line, pm.P.Col, elem, seq, q)
	}
	return editEntry(text, file, cur, values, q)
}

// editEntry sets and removes the ref's keys in the entry mapping cur,
// where it stands in text.
func editEntry(text []byte, file string, cur *yamlnode.Mapping, values []refValue, q yamlnode.Quoting) ([]byte, error) {
	var err error
	for _, kv := range values {
		if kv.node == nil {
			text, err = yamlnode.DeleteKey(text, file, cur.P.Line, cur.P.Col, kv.key)
		} else {
			text, err = yamlnode.SetKey(text, file, cur.P.Line, cur.P.Col, kv.key, kv.node, q)
		}
		if err != nil {
			return nil, err
		}
	}
	return text, nil
}

// single is {elem: [{}, ..., entry]} with entry at index i.
func single(elem string, i int, entry *yamlnode.Mapping) *yamlnode.Mapping {
	seq := &yamlnode.Sequence{}
	for len(seq.Items) < i {
		seq.Items = append(seq.Items, yamlnode.NewMapping(bsterr.Provenance{}))
	}
	seq.Items = append(seq.Items, entry)
	m := yamlnode.NewMapping(bsterr.Provenance{})
	m.Set(elem, seq)
	return m
}

// setProjectRef sets the keys of projects.<proj>.<elem>[i] in the parsed
// project.refs root, creating what is missing on the way.
func setProjectRef(root *yamlnode.Mapping, proj, elem string, i int, values []refValue) {
	projects := childMapping(root, "projects")
	pm := childMapping(projects, proj)
	list, _ := pm.SequenceAt(elem)
	if list == nil {
		list = &yamlnode.Sequence{}
		pm.Set(elem, list)
	}
	for len(list.Items) <= i {
		list.Items = append(list.Items, yamlnode.NewMapping(list.P))
	}
	entry, ok := list.Items[i].(*yamlnode.Mapping)
	if !ok {
		entry = yamlnode.NewMapping(list.P)
		list.Items[i] = entry
	}
	for _, kv := range values {
		if kv.node == nil {
			entry.Delete(kv.key)
		} else {
			entry.Set(kv.key, kv.node)
		}
	}
}

func childMapping(m *yamlnode.Mapping, key string) *yamlnode.Mapping {
	if c, _ := m.MappingAt(key); c != nil {
		return c
	}
	c := yamlnode.NewMapping(m.P)
	m.Set(key, c)
	return c
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".bst-tmp"
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return bsterr.Stream(bsterr.Unknown, "cannot write %s: %v", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return bsterr.Stream(bsterr.Unknown, "cannot write %s: %v", path, err)
	}
	return nil
}
