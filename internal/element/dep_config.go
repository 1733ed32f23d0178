package element

import (
	"example.org/bst/internal/loader"
	"example.org/bst/internal/project"
	"example.org/bst/internal/yamlnode"
)

// depConfig is what BuildStream 2's BuildElement and ScriptElement read in
// configure_dependencies(): per staging location, and per
// digest-environment variable, the dependency paths in dependency order.
type depConfig struct {
	layout    map[string][]string
	digestEnv map[string][]string
}

// dependencyConfig collects e's 2.x dependency configuration as
// Element._new_from_load_element hands it to configure_dependencies(): one
// entry per configuration node of each build dependency (one without
// configuration if it has none), the node's variables expanded with e's
// variables. A dependency's path is its name as written ("junction.bst:name"
// through a junction), not the name of the element it resolves to, so
// links and subproject elements key by what the element says.
//
// validKeys are the configuration keys the kind accepts (BuildElement:
// digest-environment and location; ScriptElement: location).
func (e *Element) dependencyConfig(validKeys ...string) (depConfig, error) {
	dc := depConfig{layout: map[string][]string{}, digestEnv: map[string][]string{}}
	if e.Load == nil || e.Project.Gen != project.Gen2 {
		return dc, nil
	}
	for _, d := range e.Load.Deps {
		if d.Type == loader.DepRuntime {
			continue
		}
		path := d.Name
		if d.Junction != "" {
			path = d.Junction + ":" + d.Name
		}
		// An empty config mapping is no configuration (Python: `if
		// config_node:`).
		var configs []*yamlnode.Mapping
		for _, c := range d.Config {
			if c != nil && c.Len() > 0 {
				configs = append(configs, c)
			}
		}
		if len(configs) == 0 {
			dc.layout["/"] = append(dc.layout["/"], path)
			continue
		}
		for _, c := range configs {
			c = c.CloneMapping()
			if err := expandNode(c, e.Vars); err != nil {
				return dc, err
			}
			if err := c.ValidateKeys(validKeys...); err != nil {
				return dc, err
			}
			loc, ok, err := expandedString(c, "location")
			if err != nil {
				return dc, err
			}
			if !ok {
				loc = "/"
			}
			dc.layout[loc] = append(dc.layout[loc], path)
			v, ok, err := expandedString(c, "digest-environment")
			if err != nil {
				return dc, err
			}
			if ok {
				dc.digestEnv[v] = append(dc.digestEnv[v], path)
			}
		}
	}
	return dc, nil
}

// expandedString returns the string at key of a mapping whose scalars were
// expanded (stripped when loaded, then expanded: not stripped again).
func expandedString(m *yamlnode.Mapping, key string) (string, bool, error) {
	if _, ok, err := m.String(key); err != nil || !ok {
		return "", false, err
	}
	return m.Get(key).(*yamlnode.Scalar).Value, true, nil
}
