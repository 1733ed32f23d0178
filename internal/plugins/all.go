package plugins

import (
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/defaults"
)

// Registry returns a registry of every kind bst implements.
func Registry() *plugin.Registry {
	r := plugin.NewRegistry()
	for _, g := range []defaults.Generation{defaults.Gen1, defaults.Gen2} {
		gen := int(g)
		r.SetProjectDefaults(gen, defaults.Project(g))
		for _, k := range defaults.Elements(g) {
			r.AddElement(gen, plugin.ElementKind{
				Name: k.Name, Origin: k.Origin, Defaults: k.Defaults, ConfigKeys: k.ConfigKeys,
				BuildElement: k.BuildElement, StrictRebuild: k.StrictRebuild, RunCommands: k.RunCommands,
				ArtifactVersion: k.ArtifactVersion,
			})
		}
		for _, k := range defaults.Sources(g) {
			r.AddSource(gen, plugin.SourceKind{Name: k.Name, Origin: k.Origin, Defaults: k.Defaults, ConfigKeys: k.ConfigKeys})
		}
	}
	return r
}
