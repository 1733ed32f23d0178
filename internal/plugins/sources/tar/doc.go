// Package tar is the `tar` source kind: a downloaded tarball (plain,
// gzip, bzip2, xz, zstd or lzip, told by its magic number) staged from the
// directory its `base-dir` glob selects (default "*": the first top-level
// directory in sorted order), with BuildStream's quirks (see base_dir.go).
//
// gzip and bzip2 are decompressed in process; xz, zstd and lzip (whose Go
// modules are not dependencies) with the host tools through
// SourceEnv.Exec, into a temporary file.
//
// It may import plugin, yamlnode, bsterr, the download helper and unpack
// (for telling and undoing compressions).
package tar
