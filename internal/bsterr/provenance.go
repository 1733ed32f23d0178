package bsterr

import "fmt"

// Provenance locates a value in a user file. Line and Col are 1-based, as
// BuildStream prints them; a zero Line means "the file as a whole".
type Provenance struct {
	File string // path as shown to the user (relative to the project where possible)
	Line int32
	Col  int32
}

// String renders the provenance in BuildStream's shape: "file [line L column C]".
func (p Provenance) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s [line %d column %d]", p.File, p.Line, p.Col)
}
