package defaults

// elements1 is the BuildStream 1.6.8 table: core plugins, bst-external 0.29
// and the freedesktop-sdk 18.08/22.08 local element plugins.
func elements1() []ElementKind {
	build := func(name string) ElementKind {
		return ElementKind{Name: name, Origin: OriginCore, Defaults: elementDefaults(Gen1, name),
			ConfigKeys: buildElementKeys1(), BuildElement: true}
	}
	return []ElementKind{
		build("autotools"),
		{Name: "check_forbidden", Origin: OriginBstExternal, ConfigKeys: []string{"forbidden"}},
		{Name: "check_forbidden", Origin: OriginFreedesktopSDKLocal, ConfigKeys: []string{"forbidden"}},
		build("cmake"),
		{Name: "collect_initial_scripts", Origin: OriginFreedesktopSDKLocal, ConfigKeys: []string{"path"}},
		{Name: "collect_integration", Origin: OriginBstExternal, ConfigKeys: []string{"ignore", "script-path"}},
		{Name: "collect_manifest", Origin: OriginBstExternal, StrictRebuild: true, ArtifactVersion: 1, FormatVersion: 2},
		{Name: "compose", Origin: OriginCore, Defaults: elementDefaults(Gen1, "compose"),
			ConfigKeys: []string{"exclude", "include", "include-orphans", "integrate"}, StrictRebuild: true},
		build("distutils"),
		{Name: "filter", Origin: OriginCore, Defaults: elementDefaults(Gen1, "filter"),
			ConfigKeys: []string{"exclude", "include", "include-orphans"}, StrictRebuild: true, ArtifactVersion: 1},
		{Name: "flatpak_image", Origin: OriginBstExternal, Defaults: elementDefaults(Gen1, "flatpak_image"),
			ConfigKeys: []string{"directory", "exclude", "include", "metadata"}, StrictRebuild: true},
		{Name: "flatpak_repo", Origin: OriginBstExternal, Defaults: elementDefaults(Gen1, "flatpak_repo"),
			ConfigKeys: []string{"arch", "branch", "copy-refs", "environment", "repo-mode"}, StrictRebuild: true, ArtifactVersion: 1},
		{Name: "import", Origin: OriginCore, Defaults: elementDefaults(Gen1, "import")},
		{Name: "junction", Origin: OriginCore},
		build("make"),
		build("makemaker"),
		build("manual"),
		build("meson"),
		build("modulebuild"),
		build("pip"),
		build("qmake"),
		{Name: "script", Origin: OriginCore, Defaults: elementDefaults(Gen1, "script"),
			ConfigKeys: []string{"commands", "create-dev-shm", "layout", "root-read-only"}, StrictRebuild: true},
		{Name: "snap_image", Origin: OriginBstExternal, Defaults: elementDefaults(Gen1, "snap_image"),
			ConfigKeys: []string{"directory", "exclude", "include", "include-orphans", "metadata"}},
		{Name: "stack", Origin: OriginCore},
		{Name: "tar_element", Origin: OriginBstExternal, Defaults: elementDefaults(Gen1, "tar_element"),
			ConfigKeys: []string{"compression", "filename"}, StrictRebuild: true},
		{Name: "x86image", Origin: OriginBstExternal, Defaults: elementDefaults(Gen1, "x86image"),
			ConfigKeys: []string{"base", "filesystem-image-creation-commands", "filesystem-tree-setup-commands",
				"final-commands", "input", "partition-commands"}, StrictRebuild: true},
	}
}
