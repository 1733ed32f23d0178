package project

import (
	"path/filepath"
	"strings"
	"sync"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/variables"
	"example.org/bst/internal/yamlnode"
)

// JunctionResolver gives the project behind a junction element, for includes
// of the form "junction.bst:file.yml". The loader implements it.
type JunctionResolver interface {
	// prov is where the include naming the junction is written.
	JunctionProject(from *Project, junction string, prov *bsterr.Provenance) (*Project, error)
}

// Includes processes `(@)` directives, caching parsed include files. It is
// safe for concurrent use and shared by every project of a session.
type Includes struct {
	mu     sync.Mutex
	files  map[string]*includeEntry
	Resolv JunctionResolver
}

type includeEntry struct {
	once sync.Once
	node *yamlnode.Mapping
	err  error
}

// NewIncludes returns an include processor resolving junctions with r (may be nil).
func NewIncludes(r JunctionResolver) *Includes {
	return &Includes{files: map[string]*includeEntry{}, Resolv: r}
}

// Process resolves every `(@)` in node (recursively), compositing included
// files under the including mapping (the includer wins). With onlyLocal,
// includes from junctions are skipped (first pass). With processOptions, the
// project's `(?)` and `(!)` directives are resolved first.
func (inc *Includes) Process(node *yamlnode.Mapping, p *Project, onlyLocal, processOptions bool) error {
	return inc.process(node, p, map[string]bool{}, onlyLocal, processOptions)
}

func (inc *Includes) process(node *yamlnode.Mapping, p *Project, included map[string]bool, onlyLocal, processOptions bool) error {
	if processOptions {
		if err := p.Second.Options.Process(node); err != nil {
			return err
		}
	}
	return inc.processNode(node, p, included, onlyLocal, processOptions)
}

func (inc *Includes) processNode(node *yamlnode.Mapping, p *Project, included map[string]bool, onlyLocal, processOptions bool) error {
	if node.Has("(@)") {
		var list []string
		var provs []*bsterr.Provenance // where each include is written
		incProv := node.Get("(@)").Pos()
		if p.Gen == Gen1 {
			incProv = &node.P
		}
		switch v := node.Get("(@)").(type) {
		case *yamlnode.Scalar:
			list, provs = []string{v.Str()}, []*bsterr.Provenance{v.Pos()}
		default:
			l, err := node.StringList("(@)")
			if err != nil {
				return err
			}
			list = l
			if seq, ok := v.(*yamlnode.Sequence); ok {
				for _, it := range seq.Items {
					provs = append(provs, it.Pos())
				}
			}
		}
		node.Delete("(@)")
		for i := len(list) - 1; i >= 0; i-- {
			include := list[i]
			if onlyLocal && strings.Contains(include, ":") {
				continue
			}
			// 2.x reports an include it cannot load at the include
			// itself; 1.x at the mapping holding the directive.
			at := incProv
			if p.Gen == Gen2 {
				at = provs[i]
			}
			inode, path, sub, err := inc.includeFile(include, p, at)
			if err != nil {
				return err
			}
			if included[path] {
				return bsterr.Load(bsterr.RecursiveInclude, incProv, "trying to recursively include %s", path)
			}
			inode = inode.CloneMapping()
			included[path] = true
			err = inc.process(inode, sub, included, onlyLocal, processOptions || sub != p)
			delete(included, path)
			if err != nil {
				return err
			}
			if err := yamlnode.Composite(inode, node); err != nil {
				return err
			}
			node.Keys, node.Vals = inode.Keys, inode.Vals
		}
	}
	for _, v := range node.Vals {
		if err := inc.processValue(v, p, included, onlyLocal, processOptions); err != nil {
			return err
		}
	}
	return nil
}

func (inc *Includes) processValue(v yamlnode.Node, p *Project, included map[string]bool, onlyLocal, processOptions bool) error {
	switch t := v.(type) {
	case *yamlnode.Mapping:
		return inc.processNode(t, p, included, onlyLocal, processOptions)
	case *yamlnode.Sequence:
		for _, it := range t.Items {
			if err := inc.processValue(it, p, included, onlyLocal, processOptions); err != nil {
				return err
			}
		}
	}
	return nil
}

func (inc *Includes) includeFile(include string, p *Project, prov *bsterr.Provenance) (*yamlnode.Mapping, string, *Project, error) {
	shortname := include
	sub := p
	file := include
	if i := strings.LastIndexByte(include, ':'); i >= 0 {
		j, f := include[:i], include[i+1:]
		if inc.Resolv == nil {
			return nil, "", nil, bsterr.Load(bsterr.InvalidData, prov, "Junction includes are not available here: %s", include)
		}
		var jprov *bsterr.Provenance // 1.x junction errors keep their own place
		if p.Gen == Gen2 {
			jprov = prov
		}
		jp, err := inc.Resolv.JunctionProject(p, j, jprov)
		if err != nil {
			return nil, "", nil, err
		}
		sub, file = jp, f
	}
	path := filepath.Join(sub.Dir, file)
	node, err := inc.load(path, shortname)
	if err == nil && sub != p && p.Gen == Gen2 {
		// 2.x expands a subproject's include with the subproject's
		// variables before it is composited into the includer.
		node, err = inc.expanded(path, node, sub)
	}
	if err != nil {
		if p.Gen == Gen2 {
			switch bsterr.ReasonOf(err) {
			case bsterr.MissingFile:
				return nil, "", nil, bsterr.Load(bsterr.MissingFile, prov, "Include block references a file that could not be found: '%s'.", include)
			case bsterr.LoadingDirectory:
				return nil, "", nil, bsterr.Load(bsterr.LoadingDirectory, prov, "Include block references a directory instead of a file: '%s'.", include)
			}
		}
		return nil, "", nil, err
	}
	return node, path, sub, nil
}

// expanded returns node with every string expanded with sub's variables
// (cached per file).
func (inc *Includes) expanded(path string, node *yamlnode.Mapping, sub *Project) (*yamlnode.Mapping, error) {
	inc.mu.Lock()
	e := inc.files[path+"\x00expanded"]
	if e == nil {
		e = &includeEntry{}
		inc.files[path+"\x00expanded"] = e
	}
	inc.mu.Unlock()
	e.once.Do(func() {
		var defs []variables.Def
		vars := sub.Second.Variables
		for i, k := range vars.Keys {
			if sc, ok := vars.Vals[i].(*yamlnode.Scalar); ok {
				defs = append(defs, variables.Def{Name: k, Value: sc.Str(), Prov: sc.P})
			}
		}
		table := variables.NewTable(variables.NewParser(), variables.BuildStream2, defs)
		n := node.CloneMapping()
		e.err = expandStrings(n, table)
		e.node = n
	})
	return e.node, e.err
}

func expandStrings(n yamlnode.Node, t *variables.Table) error {
	switch v := n.(type) {
	case *yamlnode.Mapping:
		for _, x := range v.Vals {
			if err := expandStrings(x, t); err != nil {
				return err
			}
		}
	case *yamlnode.Sequence:
		for _, x := range v.Items {
			if err := expandStrings(x, t); err != nil {
				return err
			}
		}
	case *yamlnode.Scalar:
		if !v.Null {
			s, err := t.Expand(v.Str(), v.P)
			if err != nil {
				return err
			}
			v.Value = s
		}
	}
	return nil
}

func (inc *Includes) load(path, shortname string) (*yamlnode.Mapping, error) {
	inc.mu.Lock()
	e := inc.files[path]
	if e == nil {
		e = &includeEntry{}
		inc.files[path] = e
	}
	inc.mu.Unlock()
	e.once.Do(func() {
		e.node, e.err = yamlnode.LoadFile(path, shortname)
		if e.err != nil && bsterr.ReasonOf(e.err) == bsterr.MissingFile {
			e.err = bsterr.Load(bsterr.MissingFile, nil, "Could not find file at %s", path)
		}
	})
	return e.node, e.err
}
