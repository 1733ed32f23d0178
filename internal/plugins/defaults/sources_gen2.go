package defaults

// doubtCommunitySource marks community sources whose 2.3.1 code was not read.
const doubtCommunitySource = "community 2.3.1 source not read: config keys and unique key unknown (see KINDS.md)"

// sources2 is the BuildStream 2 table: core, buildstream-plugins (2.5.0;
// master 750fd6ce has the same keys), community kinds used by
// freedesktop-sdk 25.08.15 and its local ostree_mirror.
func sources2() []SourceKind {
	common := func(keys ...string) []string { return sortedKeys(append(keys, "directory", "kind", "provenance")) }
	downloadable := func(keys ...string) []string {
		return common(append(keys, "ref", "url", "version", "version-guess-pattern")...)
	}
	return []SourceKind{
		{Name: "bzr", Origin: OriginBuildstreamPlugins, ConfigKeys: common("ref", "track", "url", "version")},
		{Name: "cargo", Origin: OriginBuildstreamPlugins, ConfigKeys: common("cargo-lock", "ref", "url", "vendor-dir"),
			RequiresPreviousSourcesTrack: true},
		{Name: "cargo2", Origin: OriginCommunity, RequiresPreviousSourcesTrack: true, Doubt: doubtCommunitySource},
		{Name: "cpan", Origin: OriginCommunity, Doubt: doubtCommunitySource},
		{Name: "docker", Origin: OriginBuildstreamPlugins,
			ConfigKeys: common("architecture", "image", "os", "ref", "registry-url", "track", "url", "version")},
		{Name: "git", Origin: OriginBuildstreamPlugins, ConfigKeys: common("checkout-submodules", "ref", "ref-format",
			"submodules", "tags", "track", "track-tags", "url", "version", "version-guess-pattern")},
		{Name: "git_module", Origin: OriginCommunity, RequiresPreviousSourcesTrack: true, Doubt: doubtCommunitySource},
		{Name: "git_repo", Origin: OriginCommunity, Doubt: doubtCommunitySource},
		{Name: "go_module", Origin: OriginCommunity, ConfigKeys: common("module", "ref", "url"),
			RequiresPreviousSourcesTrack: true, RequiresPreviousSourcesStage: true,
			Doubt: "read from a community revision in the reference store, not pinned to 2.3.1"},
		{Name: "local", Origin: OriginCore, ConfigKeys: common("path")},
		{Name: "ostree", Origin: OriginCommunity, Doubt: doubtCommunitySource},
		{Name: "ostree_mirror", Origin: OriginFreedesktopSDKLocal, ConfigKeys: common("gpg", "match", "path", "ref", "url")},
		{Name: "patch", Origin: OriginBuildstreamPlugins, ConfigKeys: common("path", "strip-level"),
			RequiresPreviousSourcesStage: true},
		{Name: "patch_queue", Origin: OriginCommunity, Doubt: doubtCommunitySource},
		{Name: "pip", Origin: OriginBuildstreamPlugins, ConfigKeys: common("packages", "ref", "requirements-files", "url"),
			RequiresPreviousSourcesTrack: true},
		{Name: "pypi", Origin: OriginCommunity, Doubt: doubtCommunitySource},
		{Name: "remote", Origin: OriginCore, ConfigKeys: downloadable("executable", "filename")},
		{Name: "tar", Origin: OriginCore, ConfigKeys: downloadable("base-dir")},
		{Name: "workspace", Origin: OriginCore, ConfigKeys: []string{"kind", "last_build", "path"}},
		{Name: "zip", Origin: OriginCommunity, Doubt: doubtCommunitySource},
	}
}
