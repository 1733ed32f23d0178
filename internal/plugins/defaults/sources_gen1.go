package defaults

// sources1 is the BuildStream 1.6.8 table: core plugins, bst-external 0.29
// and the freedesktop-sdk 18.08 (crate) and 22.08 (ostree_mirror) local
// source plugins.
func sources1() []SourceKind {
	common := func(keys ...string) []string { return sortedKeys(append(keys, "directory", "kind")) }
	downloadable := func(keys ...string) []string { return common(append(keys, "etag", "ref", "url")...) }
	return []SourceKind{
		{Name: "bzr", Origin: OriginCore, ConfigKeys: common("ref", "track", "url")},
		{Name: "cargo", Origin: OriginBstExternal, ConfigKeys: common("cargo-lock", "ref", "url", "vendor-dir"),
			RequiresPreviousSourcesTrack: true},
		{Name: "cpan", Origin: OriginBstExternal, ConfigKeys: common("index", "name", "sha256sum", "url")},
		{Name: "crate", Origin: OriginFreedesktopSDKLocal, ConfigKeys: downloadable("subdir")},
		{Name: "deb", Origin: OriginCore, ConfigKeys: downloadable("base-dir")},
		{Name: "docker", Origin: OriginBstExternal, ConfigKeys: common("image", "ref", "registry-url", "track", "url")},
		{Name: "git", Origin: OriginCore,
			ConfigKeys: common("checkout-submodules", "ref", "ref-format", "submodules", "track", "url")},
		{Name: "git_module", Origin: OriginBstExternal, ConfigKeys: common("full-clone", "path", "ref", "url", "use-lfs"),
			FormatVersion: 2, RequiresPreviousSourcesTrack: true, RequiresPreviousSourcesFetch: true},
		{Name: "git_tag", Origin: OriginBstExternal, ConfigKeys: common("checkout-submodules", "exclude", "full-clone",
			"match", "ref", "submodules", "track", "track-extra", "track-tags", "url", "use-lfs"), FormatVersion: 2},
		{Name: "local", Origin: OriginCore, ConfigKeys: common("path")},
		{Name: "ostree", Origin: OriginCore, ConfigKeys: common("gpg-key", "ref", "track", "url")},
		{Name: "ostree_mirror", Origin: OriginFreedesktopSDKLocal, ConfigKeys: common("gpg", "match", "path", "ref", "url")},
		{Name: "patch", Origin: OriginCore},
		{Name: "patch_queue", Origin: OriginBstExternal, ConfigKeys: common("path", "strip")},
		{Name: "pip", Origin: OriginCore, ConfigKeys: common("packages", "ref", "requirements-files", "url"),
			RequiresPreviousSourcesTrack: true},
		{Name: "pypi", Origin: OriginBstExternal, ConfigKeys: common("exclude", "include", "name", "ref", "url")},
		{Name: "remote", Origin: OriginCore, ConfigKeys: downloadable("filename")},
		{Name: "tar", Origin: OriginCore, ConfigKeys: downloadable("base-dir")},
		{Name: "zip", Origin: OriginCore, ConfigKeys: downloadable("base-dir")},
	}
}
