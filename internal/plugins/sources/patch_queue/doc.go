// Package patchqueue (directory patch_queue) is the `patch_queue` source
// kind (bst-external in 1.x, buildstream-plugins-community in 2.x): every
// file of a project directory, in sorted order, applied to what the
// element's earlier sources staged. In 1.x they are given to one
// `git apply` (which stops at the first that fails); in 2.x each to
// `patch -N -p<strip>`. It has no ref and is always cached.
//
// `strip` (default 1) is honoured as the strip level; upstream accepts the
// key but always strips one component, which is the same for the default.
//
// It may import plugin, yamlnode, bsterr and the local and patch kinds.
package patchqueue
