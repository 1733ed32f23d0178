// Package cas is bst's local content-addressed storage layer, built on the
// REAPI data model: blobs named by digest and Directory messages forming
// Merkle trees.
//
// So far it computes the REAPI Directory digest of a filesystem tree
// (DirectoryDigest), the value BuildStream 2 uses as the unique key of the
// local and workspace sources, with the semantics of buildbox-casd's
// CaptureTree as re-serialized by BuildStream's CasBasedDirectory.
//
// Imports: internal/digest, internal/lockedfile and internal/bsterr from this
// module; the REAPI protos, google.golang.org/protobuf, golang.org/x/sync and
// golang.org/x/sys from outside.
package cas
