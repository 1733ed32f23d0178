// Package crate is freedesktop-sdk 18.08's local `crate` source kind: a
// downloadable file (url, ref = its sha256, as tar and remote) holding a
// Rust crate, staged into `subdir` (default "crates") with a
// .cargo-checksum.json in the crate's directory, as the cargo kind stages
// each crate.
//
// It may import plugin, yamlnode, bsterr and the download and unpack
// helpers.
package crate
