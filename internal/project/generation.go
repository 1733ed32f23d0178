package project

// Generation is the BuildStream format generation a project is written for.
type Generation int

const (
	// Gen1 projects declare `format-version` (BuildStream 1.x).
	Gen1 Generation = 1
	// Gen2 projects declare `min-version: 2.N` (BuildStream 2.x).
	Gen2 Generation = 2
)

// MaxFormatVersion is the newest BuildStream 1 format version understood.
const MaxFormatVersion = 18

// MaxMinorVersion is the newest BuildStream 2 minor version understood.
const MaxMinorVersion = 8
