// Package remote is the `remote` source kind: one downloaded file staged
// under its filename (default: the basename of the translated URL), mode
// 0644, or 0755 with 2.x `executable: true`.
//
// It may import plugin, yamlnode, bsterr and the download helper.
package remote
