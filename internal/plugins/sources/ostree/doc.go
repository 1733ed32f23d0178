// Package ostree stands for the `ostree` (BuildStream 1 core, community
// in BuildStream 2) and `ostree_mirror` (freedesktop-sdk local) source
// kinds, which bst does not implement: both need OSTree (BuildStream 1's
// plugin its GObject bindings, the others the ostree command) to pull
// commits into a repository and check them out, and the machines bst is
// built and tested on have no ostree. Their constructors return a
// NOT_IMPLEMENTED error that says so, and whether an ostree command was
// found, so that loading, showing and keying such elements still works
// and only fetching, tracking or staging them fails.
//
// It may import plugin and bsterr.
package ostree
