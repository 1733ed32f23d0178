package defaults

import "embed"

// files holds the YAML data. An embed.FS is read-only, so this is the one
// package-level variable and it carries no mutable state.
//
//go:embed bst1 bst2
var files embed.FS

// Project returns the builtin project defaults of gen (BuildStream's
// data/projectconfig.yaml), onto which project.conf is composited. It
// returns nil for an unknown generation. The slice is a fresh copy.
func Project(gen Generation) []byte {
	switch gen {
	case Gen1:
		return mustRead("bst1/projectconfig.yaml")
	case Gen2:
		return mustRead("bst2/projectconfig.yaml")
	}
	return nil
}

// mustRead returns a copy of an embedded file. A missing file is a broken
// table in this package, which the tests catch, so it panics.
func mustRead(name string) []byte {
	data, err := files.ReadFile(name)
	if err != nil {
		panic("defaults: embedded file missing: " + name)
	}
	return data
}

// elementDefaults returns the default YAML of an element kind of gen, or nil
// when the plugin ships none.
func elementDefaults(gen Generation, kind string) []byte {
	dir := "bst1"
	if gen == Gen2 {
		dir = "bst2"
	}
	return mustRead(dir + "/elements/" + kind + ".yaml")
}
