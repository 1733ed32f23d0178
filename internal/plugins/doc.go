// Package plugins lists every element and source kind bst implements, in
// one explicit table (Registry), the way cmd/go lists its commands: no
// registration through init side effects.
//
// It may import plugin and every package under plugins/.
package plugins
