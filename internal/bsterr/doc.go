// Package bsterr holds bst's single structured error type.
//
// Every error that reaches a user carries a Domain and a Reason (mirroring
// BuildStream's ErrorDomain and LoadErrorReason), a message and, when it came
// from user input, the provenance "file [line L column C]".
//
// bsterr is a leaf: it imports nothing outside the standard library.
package bsterr
