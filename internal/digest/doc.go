// Package digest provides Digest, the immutable, validated REAPI content
// digest (SHA-256 hash in lowercase hex plus size in bytes) that the CAS, the
// remote clients and artifact code pass around, and Set, an immutable sorted
// set of digests.
//
// A Digest can only be obtained through a constructor that validates it
// (New, NewFromBlob, NewFromProto, Parse, Generator.Sum), so code holding one
// never re-checks it. Digests are comparable and may be used as map keys.
// This follows bb-storage's pkg/digest, reduced to the single hash function
// BuildStream uses.
//
// Imports: the REAPI generated protos (github.com/bazelbuild/remote-apis)
// and internal/bsterr. Nothing else from this module.
package digest
