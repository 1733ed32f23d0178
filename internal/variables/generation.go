package variables

import (
	"fmt"

	"example.org/bst/internal/bsterr"
)

// Generation selects the BuildStream major version whose behaviour to follow
// where the two differ.
type Generation uint8

// The supported generations.
const (
	BuildStream1 Generation = 1 // BuildStream 1.6
	BuildStream2 Generation = 2 // BuildStream 2.x
)

// String returns "1" or "2".
func (g Generation) String() string { return fmt.Sprintf("%d", uint8(g)) }

func (g Generation) valid() bool { return g == BuildStream1 || g == BuildStream2 }

// parseBool reads the raw (unexpanded) value of a boolean variable such as
// notparallel. BuildStream 1.6 accepts true/True/false/False (_yaml.node_get);
// 2.x also accepts 1 and 0 (ScalarNode.as_bool). The messages name the type
// as each version does.
func (g Generation) parseBool(name, raw string, prov bsterr.Provenance) (bool, error) {
	switch raw {
	case "true", "True":
		return true, nil
	case "false", "False":
		return false, nil
	case "1":
		if g == BuildStream2 {
			return true, nil
		}
	case "0":
		if g == BuildStream2 {
			return false, nil
		}
	}
	typ := "boolean"
	if g == BuildStream1 {
		typ = "bool"
	}
	return false, bsterr.Load(bsterr.InvalidData, &prov,
		"Value of '%s' is not of the expected type '%s'", name, typ)
}
