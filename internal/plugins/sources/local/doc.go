// Package local is the `local` source kind: a file or directory of the
// project, copied into the staging directory. It has no ref, is always
// cached and never touches the network. Directories are staged 0755,
// files 0755 when executable and 0644 otherwise, with their modification
// times; in 1.x absolute symbolic link targets are made relative to the
// staging root, as utils.copy_files does.
//
// ProjectPath, the check of node_get_project_path, is shared with the
// patch and patch_queue kinds.
//
// It may import plugin, yamlnode, bsterr and the download helper.
package local
