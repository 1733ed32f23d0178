// Package cargo implements the Rust crate source kinds: `cargo`
// (bst-external in BuildStream 1, buildstream-plugins in BuildStream 2)
// and `cargo2` (buildstream-plugins-community, BuildStream 2).
//
// Tracking reads the Cargo.lock (`cargo-lock`, default "Cargo.lock")
// that the element's earlier sources staged (the `previous` directory)
// and makes the ref: one entry per locked package that has a `source`,
// sorted by name then version, with its checksum as sha (from the
// package's `checksum`, else the old format's [metadata] table, else the
// sha256 of the crate downloaded for the purpose). cargo's entries are
// {name, version, sha}; BuildStream 2's cargo keeps each crate's
// `provenance` across tracking. cargo2's entries say their kind:
// {kind: registry, name, version, sha} or, for git dependencies,
// {kind: git, commit, repo, query, name, version}.
//
// Fetching downloads each registry crate from <url>/<name>/<name>-
// <version>.crate (url default https://static.crates.io/crates; in
// BuildStream 2 a '/' is added unless the url ends in ':' or '/') with
// the download helper, verified against its sha, into
// SourceDir/<kind>/<URLDirectoryName(crate URL)>/<sha256> (BuildStream
// keeps them under <url>/<name>/<version>/ instead), and each git
// repository's commit with the git source helper (a git_repo mirror under
// SourceDir/cargo2/).
//
// Staging extracts every crate into `vendor-dir` (default "crates") with
// a .cargo-checksum.json as cargo vendor writes it, and writes
// .cargo/config replacing crates.io (and, for cargo2, each git source)
// with the vendored directory. A git crate is copied from its repository
// checkout into <vendor-dir>/<name>-<version>, with the values its
// Cargo.toml inherits from its workspace written in (see inherit.go).
//
// The community cargo2 plugin could not be read (see KINDS.md): its
// behaviour here is inferred from its description and the corpus's refs.
//
// It may import plugin, yamlnode, bsterr and the download, git, unpack
// helpers.
package cargo
