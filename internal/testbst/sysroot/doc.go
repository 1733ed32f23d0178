// Package sysroot assembles, for tests, a toolchain sysroot from Debian
// packages: the dependency closure of a package list is resolved and
// downloaded by apt-get (with an empty dpkg status, so nothing of the host
// counts as installed) and unpacked with dpkg-deb -x. Maintainer scripts do
// not run; the few things they would do that builds need are applied by
// hand (see Ensure).
//
// Sysroots are cached between runs under a directory named after the hash
// of the resolved package files (Debian file names carry the version), and
// built atomically: unpacked into a temporary directory beside the cache
// entry, then renamed into place, under a lock so that parallel test
// processes assemble it once.
//
// Test-only. It may import lockedfile; it runs apt-get, dpkg-deb and
// nothing else.
package sysroot
