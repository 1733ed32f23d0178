// Package stream is bst's use-case API, one method per command (Show,
// ...), each taking an explicit options struct. It loads the project and
// its elements and hands work to the lower layers.
//
// It may import every package below it.
package stream
