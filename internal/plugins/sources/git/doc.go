// Package git implements the git source kinds: `git` (BuildStream 1 core
// and BuildStream 2 buildstream-plugins, chosen by the generation),
// `git_tag` and `git_module` (bst-external) and `git_repo` (community).
//
// Every kind keeps one bare mirror per repository URL, as written in the
// element, under SourceDir/<kind>/<URLDirectoryName(url)> (git_repo: the
// URL without ".git", then ".git"). A first fetch runs in a temporary
// repository renamed into place, so a failed fetch leaves nothing behind;
// a lock file next to each mirror serialises the goroutines and processes
// that change it. Fetching asks the remote for the reference's commit and
// the tags `git describe` needs (shallow when the reference names its tag;
// with the remote's tags on the commit's history otherwise), and falls
// back to fetching every branch and tag when the remote refuses. Tracking
// fetches every branch and tag, except git_repo, which reads the remote's
// refs and fetches only to describe a branch.
//
// Staging never copies a mirror: it writes a new repository holding the
// reference's commit with its tree, the commits back to the tags `git
// describe` needs (with their trees, marked shallow below), those tags and
// an index, then checks the commit out, detached. BuildStream 2 `git`
// stages a .git only when its `tags` are set, and submodules without one,
// as buildstream-plugins does.
//
// Host commands run only through plugin.Executor (SourceEnv.Exec).
//
// It may import plugin, yamlnode, bsterr, download (FnmatchRegexp) and
// lockedfile (the per-mirror lock shared with other goroutines and
// processes).
package git
