// Package download is the behaviour BuildStream's DownloadableFileSource
// gives the tar, zip and remote kinds (it is not a kind itself): a file
// named by a URL, identified by the sha256 of its content (the source's
// ref), downloaded into the source cache as
// SourceDir/<kind>/<URLDirectoryName(url)>/<sha256>.
//
// Downloads try each URL that SourceEnv.URLs gives (mirrors first), with
// SourceEnv.Retries extra attempts each, stream into a temporary file in
// the mirror directory while hashing, and rename it into place only once
// complete and verified, so an interrupted or corrupted download never
// looks cached.
//
// It also holds what the archive kinds share: Glob and FindBaseDir
// (BuildStream's utils.glob and the base-dir choice) and Tree, which
// writes archive members under a staging directory and never outside it.
//
// It may import plugin, yamlnode and bsterr.
package download
