// Package ostree implements the `ostree` source kind (BuildStream 1 core,
// community plugin in BuildStream 2) and freedesktop-sdk's project-local
// `ostree_mirror`, with the ostree command run through the source
// environment's Executor (plugins/sources/hostexec).
//
// Both keep a mirror repository (archive-z2) in the source cache at
// SourceDir/<kind>/<URLDirectoryName(url as written)>, where BuildStream
// keeps its own, guarded by a lock file beside it. Each URL the
// environment gives (mirrors first) is a remote of that repository, named
// "origin" for the URL as written and after the URL's directory name for
// the others, as BuildStream names them.
//
//   - ostree: the ref is a commit checksum. Track pulls the `track` branch
//     and returns the commit it names; Fetch pulls that one commit (no
//     history) unless the mirror has it complete; Stage checks it out with
//     `ostree checkout --user-mode` (BuildStream's mode) into a temporary
//     directory inside the staging directory and moves the entries into
//     place. With `gpg-key` (a project file), the remote verifies
//     signatures with that key; without it, verification is off.
//   - ostree_mirror: the ref is a list of {ref, checksum}. Track lists the
//     remote's branches (the remote needs a summary file), keeps those
//     matching `match` (Python's fnmatch), pulls them in mirror mode and
//     records their commits in name order; Fetch pulls the commits the
//     mirror lacks; Stage makes the staging directory an archive
//     repository holding those commits under those branch names. The
//     `gpg` key is always imported and signatures always verified, as
//     the plugin's remote has OSTree's default gpg-verify=true.
//
// Cached needs no command: a commit is cached when its commit object is
// in the mirror and no unfinished pull of it is marked in state/.
//
// Failed pulls are explained: ostree says "HTTP 404" both for an unknown
// ref and for a URL that serves no repository, so the URL's config file
// is probed to tell them apart (reasons RefNotFound, NotARepository); a
// server that cannot be reached is FetchFailed and Temporary (retried);
// a bad signature is GPGVerificationFailed; a missing ostree command is
// a PROG_NOT_FOUND error that says which package provides it.
//
// It may import plugin, yamlnode, bsterr, lockedfile, and the download
// (URLDirectoryName, Fnmatch) and local (ProjectPath) source packages.
package ostree
