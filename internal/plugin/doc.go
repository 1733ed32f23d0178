// Package plugin describes element and source kinds to the core: their
// default configuration, the configuration keys they accept and the
// properties that shape cache keys. The Registry maps kind names to these
// descriptions per BuildStream generation; internal/plugins fills it with
// an explicit table (no init side effects).
//
// It may import yamlnode, sandbox (interfaces), cas, msg and bsterr.
package plugin
