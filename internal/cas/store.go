package cas

import (
	"context"
	"fmt"
	"io"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/digest"
)

// Store is a content-addressable store of blobs and REAPI Directory trees.
// Local implements it on disk; the remote package implements it over gRPC,
// and decorators compose the two (rule 10).
//
// Blobs read back are checked against their digest. A Directory stored with
// PutDirectory is a tree node: the store may rely on its children being
// stored before it.
type Store interface {
	// Has reports whether the blob is stored.
	Has(ctx context.Context, d digest.Digest) (bool, error)
	// FindMissing returns the digests of ds that are not stored, in the
	// order of ds, without duplicates.
	FindMissing(ctx context.Context, ds []digest.Digest) ([]digest.Digest, error)
	// Get returns a blob's content, checked against d.
	Get(ctx context.Context, d digest.Digest) ([]byte, error)
	// Open streams a blob; the reader's Read returns an error at the end of
	// the blob if the content does not match d.
	Open(ctx context.Context, d digest.Digest) (io.ReadCloser, error)
	// Put stores everything r yields and returns its digest.
	Put(ctx context.Context, r io.Reader) (digest.Digest, error)
	// PutBlob stores data and returns its digest.
	PutBlob(ctx context.Context, data []byte) (digest.Digest, error)
	// PutFile stores the content of the regular file at path.
	PutFile(ctx context.Context, path string) (digest.Digest, error)
	// GetDirectory reads and decodes a Directory message.
	GetDirectory(ctx context.Context, d digest.Digest) (*remoteexecution.Directory, error)
	// PutDirectory stores a Directory whose children are already stored
	// (files, and directories stored with PutDirectory) and returns its
	// digest. The message must be canonical: each node list sorted by name,
	// names unique and valid.
	PutDirectory(ctx context.Context, dir *remoteexecution.Directory) (digest.Digest, error)
}

// bsterr reasons of this package's errors (domain bsterr.DomainCAS), besides
// CaptureFailed.
const (
	// BlobNotFound: a blob or Directory is not in the store.
	BlobNotFound bsterr.Reason = "BLOB_NOT_FOUND"
	// BlobCorrupt: a stored blob does not match its digest. Local removes
	// it when it notices, so storing it again repairs the store.
	BlobCorrupt bsterr.Reason = "BLOB_CORRUPT"
	// InvalidTree: a Directory message is malformed (names, order,
	// duplicates) or names a child that is not stored.
	InvalidTree bsterr.Reason = "INVALID_TREE"
	// RefNotFound: GetRef or DeleteRef of a ref that does not exist.
	RefNotFound bsterr.Reason = "REF_NOT_FOUND"
	// InvalidRef: a malformed ref name or ref file.
	InvalidRef bsterr.Reason = "INVALID_REF"
	// CacheFull: Expire could not get usage under the quota because what
	// is left is protected or in use.
	CacheFull bsterr.Reason = "CACHE_FULL"
	// StoreFailed: an I/O error in the store (the wrapped error says which).
	StoreFailed bsterr.Reason = "STORE_FAILED"
	// CheckoutFailed: Checkout could not write the destination tree.
	CheckoutFailed bsterr.Reason = "CHECKOUT_FAILED"
)

func casError(reason bsterr.Reason, err error, format string, args ...any) *bsterr.Error {
	msg := fmt.Sprintf(format, args...)
	if err != nil {
		msg += ": " + unwrapPathError(err).Error()
	}
	return &bsterr.Error{Domain: bsterr.DomainCAS, Reason: reason, Msg: msg, Err: err}
}

func notFound(d digest.Digest, err error) *bsterr.Error {
	return &bsterr.Error{Domain: bsterr.DomainCAS, Reason: BlobNotFound, Msg: fmt.Sprintf("blob %s is not in the cache", d), Err: err}
}
