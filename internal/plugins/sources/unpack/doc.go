// Package unpack stages archives for the source kinds that unpack what
// they download without being the tar or zip kinds themselves: pypi and
// cpan (an sdist with its top directory stripped), cargo, cargo2 and
// crate (crate tarballs), docker (image layers). It is not a kind.
//
// Tarballs are recognised by their magic number: gzip and bzip2 are
// decompressed in process; xz, zstd and lzip (whose Go modules are not
// dependencies) with the host tools through SourceEnv.Exec into a
// temporary file. Members are written through download.Tree, so nothing
// is ever written outside the staging directory.
//
// It may import plugin, bsterr and the download helper.
package unpack
