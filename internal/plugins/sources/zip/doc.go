// Package zip is the `zip` source kind: a downloaded zip archive staged
// from the directory its `base-dir` glob selects (default "*"), as
// BuildStream 1's zip plugin does: directories 0755, files 0644 (never
// executable, and symbolic links become files holding their target),
// member names stripped of empty, "." and ".." components (Python's
// zipfile), modification times not kept.
//
// It may import plugin, yamlnode, bsterr, the download helper and unpack
// (for staging one member with BuildStream's modes).
package zip
