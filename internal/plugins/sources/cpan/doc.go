// Package cpan is the `cpan` source kind (bst-external in BuildStream 1,
// buildstream-plugins-community in BuildStream 2): the distribution
// tarball of a CPAN module, found by its `name` in the index's
// modules/02packages.details.txt.gz when tracking, downloaded and
// verified against `sha256sum`, and staged with its top directory
// stripped (".zip" as a zip archive, anything else as a tarball).
//
// The reference is not a `ref` key but two top-level keys: `url` and
// `sha256sum` in BuildStream 1 (the url is "cpan:authors/id/..." when
// `index` is the default https://cpan.metacpan.org/, else the index URL
// joined with authors/id/...), `suffix` and `sha256sum` in BuildStream 2
// (the download is `index` + suffix; freedesktop-sdk sets index to an
// alias). Ref returns a mapping of those keys and RefKeys names them, so
// that tracking writes them where they belong.
//
// The community 2.x plugin could not be read (see KINDS.md): its
// behaviour here is inferred from the corpus's use of it and from the
// 1.x plugin.
//
// Files are kept as SourceDir/cpan/<URLDirectoryName(url)>/<sha256>
// (BuildStream keeps them under the module name instead).
//
// It may import plugin, yamlnode, bsterr and the download, httpget and
// unpack helpers.
package cpan
