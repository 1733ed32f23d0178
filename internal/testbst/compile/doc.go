// Package compile builds real C projects with `bst build`: an autotools
// library and program (served as a tarball on 127.0.0.1, so the default
// commands run autoreconf), a cmake program and a meson program that finds
// the library with pkg-config, all on a toolchain sysroot assembled from
// Debian packages (internal/testbst/sysroot, cached between runs). It
// checks the checked-out layouts against golden listings, BuildStream's
// default strip step on the ELF files, the split domains through compose
// elements, and runs the programs in the sysroot with bubblewrap.
//
// With BuildStream 1.6.8 installed, the subtest BuildStream-1.6.8 builds
// the same project with it and compares cache keys and checked-out files
// byte for byte; `go test -run 'TestCompile/^$'` leaves it out. -update
// rewrites the golden listings.
//
// Test-only; it may import testbst and testbst/sysroot.
package compile
