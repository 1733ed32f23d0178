// Package httpget makes the HTTP requests of source kinds that talk to
// an index or a registry API rather than download one file (pypi's JSON
// API, the CPAN package index, the Docker Registry API): GET with
// SourceEnv.HTTP, the BuildStream User-Agent, SourceEnv.Retries extra
// attempts on network errors and on answers that may change on retry
// (5xx, 408, 429), and failures as temporary SOURCE errors.
//
// Files named by a checksum are downloaded with the download helper
// instead, which also verifies and caches them.
//
// It may import plugin and bsterr.
package httpget
