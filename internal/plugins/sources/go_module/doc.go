// Package gomodule is the community `go_module` source kind (BuildStream
// 2): one Go module dependency vendored from its git repository.
//
// The ref is {go-version, git-ref, explicit[, subdirectory]}: the
// module's version as go.sum gives it, the repository commit in
// git-describe form (or a bare commit for a pseudo-version), whether
// go.mod names the module, and the module's directory in the repository.
//
// Tracking reads go.mod and go.sum from the element's earlier sources
// (the `previous` directory): the first go.sum line for `module` that is
// not a /go.mod line gives the version. A pseudo-version
// (v0.0.0-<date>-<short commit>) is resolved to the full commit in the
// repository; a tagged version to its tag, looked up as
// <subdirectory>/<version> with the major-version suffix dropped from the
// subdirectory. The subdirectory of a github.com module is what follows
// owner/repository; of any other, what follows the base module its
// https://<module>?go-get=1 page's go-import meta tag names (Source.
// ImportURL).
//
// Fetching and staging use the git source helper (a git_repo mirror of
// `url` under SourceDir/go_module/). Staging checks the commit out in a
// temporary directory and copies the module (its subdirectory, and the
// vN directory of a major version N >= 2 when the repository has one)
// into vendor/<module> without .git, then appends the module to
// vendor/modules.txt as the plugin does ("# module version", "##
// explicit[; go 1.N]" for explicit modules, "# module" otherwise, then
// every package directory).
//
// It may import plugin, yamlnode, bsterr and the git, httpget and unpack
// helpers.
package gomodule
