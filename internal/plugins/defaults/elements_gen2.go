package defaults

// Doubts about buildstream-plugins-community, whose 2.3.1 release (the one
// freedesktop-sdk 25.08.15 junctions) is not in the reference store.
const (
	doubtCommunityAssumed = "community 2.3.1 source not read: configure() and unique key assumed unchanged from bst-external 0.29"
	doubtCommunityYAML    = "community 2.3.1 YAML not read: values from bst-plugins-experimental, equal to BuildStream 1.6"
	doubtCollectManifest  = "read from a recent community revision (path, output-type, spdx-info, use-source-provenance; " +
		"25.08.15 sets use-source-provenance, so 2.3.1 has it); exact 2.3.1 text not verified"
	doubtFlatpakImage = "community 2.3.1 not pinned: this is the revision validating directory/include/exclude/metadata " +
		"with key version 2; a later revision adds component-ids (YAML default [] and key version 4)"
	doubtFlatpakRepo = "plugin code read from community; YAML values from bst-plugins-experimental (community YAML not read)"
	doubtSnapImage   = "plugin code read from community (artifact version 1); YAML values assumed equal to bst-external 0.29"
	doubtPyproject   = "community pyproject.yaml not in the reference store: reconstructed from second-hand quotes " +
		"(python, dist-dir, build-args, build-args-local, build and install commands); treat every value as unverified"
)

// elements2 is the BuildStream 2 table: core (master 97d5e4a5),
// buildstream-plugins (2.5.0, identical YAML on master 750fd6ce),
// buildstream-plugins-community kinds used by freedesktop-sdk 25.08.15 and
// its local collect_initial_scripts.
func elements2() []ElementKind {
	build := func(name, origin string) ElementKind {
		return ElementKind{Name: name, Origin: origin, Defaults: elementDefaults(Gen2, name),
			ConfigKeys: buildElementKeys2(), BuildElement: true, RunCommands: true}
	}
	withDoubt := func(k ElementKind, doubt string) ElementKind {
		k.Doubt = doubt
		return k
	}
	return []ElementKind{
		build("autotools", OriginBuildstreamPlugins),
		{Name: "check_forbidden", Origin: OriginCommunity, ConfigKeys: []string{"forbidden"},
			RunCommands: true, Doubt: doubtCommunityAssumed},
		build("cmake", OriginBuildstreamPlugins),
		{Name: "collect_initial_scripts", Origin: OriginFreedesktopSDKLocal, ConfigKeys: []string{"path"}, RunCommands: true},
		{Name: "collect_integration", Origin: OriginCommunity, ConfigKeys: []string{"ignore", "script-path"},
			RunCommands: true, Doubt: doubtCommunityAssumed},
		{Name: "collect_manifest", Origin: OriginCommunity, StrictRebuild: true, ArtifactVersion: 2, Doubt: doubtCollectManifest},
		{Name: "compose", Origin: OriginCore, Defaults: elementDefaults(Gen2, "compose"),
			ConfigKeys: []string{"exclude", "include", "include-orphans", "integrate"}, StrictRebuild: true, RunCommands: true},
		{Name: "filter", Origin: OriginCore, Defaults: elementDefaults(Gen2, "filter"),
			ConfigKeys: []string{"exclude", "include", "include-orphans", "pass-integration"}, StrictRebuild: true, ArtifactVersion: 1},
		{Name: "flatpak_image", Origin: OriginCommunity, Defaults: elementDefaults(Gen2, "flatpak_image"),
			ConfigKeys: []string{"directory", "exclude", "include", "metadata"}, StrictRebuild: true, RunCommands: true,
			Doubt: doubtFlatpakImage},
		{Name: "flatpak_repo", Origin: OriginCommunity, Defaults: elementDefaults(Gen2, "flatpak_repo"),
			ConfigKeys: []string{"arch", "branch", "copy-refs", "repo-mode"}, StrictRebuild: true, RunCommands: true,
			ArtifactVersion: 2, Doubt: doubtFlatpakRepo},
		{Name: "import", Origin: OriginCore, Defaults: elementDefaults(Gen2, "import"), ConfigKeys: []string{"source", "target"}},
		{Name: "junction", Origin: OriginCore, ConfigKeys: []string{"aliases", "map-aliases", "options", "overrides", "path"},
			RunCommands: true},
		{Name: "link", Origin: OriginCore, ConfigKeys: []string{"target"}, RunCommands: true},
		build("make", OriginBuildstreamPlugins),
		withDoubt(build("makemaker", OriginCommunity), doubtCommunityYAML),
		build("manual", OriginCore),
		build("meson", OriginBuildstreamPlugins),
		withDoubt(build("modulebuild", OriginCommunity), doubtCommunityYAML),
		build("pip", OriginBuildstreamPlugins),
		withDoubt(build("pyproject", OriginCommunity), doubtPyproject),
		{Name: "script", Origin: OriginCore, Defaults: elementDefaults(Gen2, "script"),
			ConfigKeys: []string{"commands", "root-read-only"}, StrictRebuild: true, RunCommands: true},
		build("setuptools", OriginBuildstreamPlugins),
		{Name: "snap_image", Origin: OriginCommunity, Defaults: elementDefaults(Gen2, "snap_image"),
			ConfigKeys: []string{"directory", "exclude", "include", "include-orphans", "metadata"}, RunCommands: true,
			ArtifactVersion: 1, Doubt: doubtSnapImage},
		{Name: "stack", Origin: OriginCore},
	}
}
