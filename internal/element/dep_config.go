package element

import (
	"example.org/bst/internal/loader"
	"example.org/bst/internal/plugins/elementkey"
	"example.org/bst/internal/project"
)

// dependencyConfig lists e's 2.x dependency configuration as
// Element._new_from_load_element hands it to configure_dependencies(): one
// entry per configuration node of each build dependency (one without
// configuration if it has none), in dependency order, the node's variables
// expanded with e's variables. A dependency's path is its name as written
// ("junction.bst:name" through a junction), not the name of the element it
// resolves to, so links and subproject elements key by what the element
// says.
func (e *Element) dependencyConfig() ([]elementkey.Dep, error) {
	if e.Load == nil || e.Project.Gen != project.Gen2 {
		return nil, nil
	}
	var out []elementkey.Dep
	for _, d := range e.Load.Deps {
		if d.Type == loader.DepRuntime {
			continue
		}
		dep := elementkey.Dep{Path: d.Name}
		if d.Junction != "" {
			dep.Path = d.Junction + ":" + d.Name
		}
		if le := d.Element; le != nil {
			dep.Name = le.Name
			for _, r := range le.RuntimeDeps() {
				dep.Runtime = append(dep.Runtime, r.Name)
			}
		}
		// The loader keeps no empty config mapping (Python: `if
		// config_node:`); skip any here too.
		n := 0
		for _, c := range d.Config {
			if c == nil || c.Len() == 0 {
				continue
			}
			c = c.CloneMapping()
			if err := expandNode(c, e.Vars); err != nil {
				return nil, err
			}
			withConfig := dep
			withConfig.Config = c
			out = append(out, withConfig)
			n++
		}
		if n == 0 {
			out = append(out, dep)
		}
	}
	return out, nil
}
