package plugins

import (
	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/defaults"
	"example.org/bst/internal/plugins/sources/cargo"
	"example.org/bst/internal/plugins/sources/cpan"
	"example.org/bst/internal/plugins/sources/crate"
	"example.org/bst/internal/plugins/sources/docker"
	"example.org/bst/internal/plugins/sources/git"
	gomodule "example.org/bst/internal/plugins/sources/go_module"
	"example.org/bst/internal/plugins/sources/local"
	"example.org/bst/internal/plugins/sources/ostree"
	"example.org/bst/internal/plugins/sources/patch"
	patchqueue "example.org/bst/internal/plugins/sources/patch_queue"
	"example.org/bst/internal/plugins/sources/pypi"
	"example.org/bst/internal/plugins/sources/remote"
	"example.org/bst/internal/plugins/sources/tar"
	"example.org/bst/internal/plugins/sources/zip"
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
	// Run-time behaviour of the source kinds bst can fetch and stage.
	for kind, c := range map[string]plugin.SourceConstructor{
		"cargo":         cargo.New,
		"cargo2":        cargo.NewCargo2,
		"cpan":          cpan.New,
		"crate":         crate.New,
		"docker":        docker.New,
		"go_module":     gomodule.New,
		"ostree":        ostree.New,
		"ostree_mirror": ostree.NewMirror,
		"pypi":          pypi.New,
		"git":           git.NewGit,
		"git_tag":       git.NewGitTag,
		"git_module":    git.NewGitModule,
		"git_repo":      git.NewGitRepo,
		"local":         local.New,
		"patch":         patch.New,
		"patch_queue":   patchqueue.New,
		"remote":        remote.New,
		"tar":           tar.New,
		"zip":           zip.New,
	} {
		r.SetSourceConstructor(kind, c)
	}
	for gen := 1; gen <= 2; gen++ {
		r.SetSourceRefKeys(gen, "git", git.RefKeys(gen))
		r.SetSourceRefKeys(gen, "cpan", cpan.RefKeys(gen))
	}
	return r
}
