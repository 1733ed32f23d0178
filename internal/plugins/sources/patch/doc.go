// Package patch is the `patch` source kind: a project patch file applied
// with the host's `patch -p<strip-level> -i <file> -d <dir>` on the
// directory where the element's earlier sources are staged. It has no ref
// and is always cached.
//
// It may import plugin, yamlnode, bsterr, hostexec (for reasons) and the
// local kind (for project path checks).
package patch
