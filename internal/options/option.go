package options

import (
	"slices"
	"strings"

	"example.org/bst/internal/bsterr"
)

// Option types, as project.conf spells them.
const (
	TypeBool        = "bool"
	TypeEnum        = "enum"
	TypeFlags       = "flags"
	TypeElementMask = "element-mask"
	TypeArch        = "arch"
	TypeOS          = "os"
)

// gen2Types is the order BuildStream 2 lists the types in its message.
var gen2Types = []string{TypeBool, TypeEnum, TypeFlags, TypeElementMask, TypeArch, TypeOS}

// option is one declared project option and its current value.
type option struct {
	name     string
	typ      string
	variable string
	varProv  bsterr.Provenance
	values   []string // valid values (not bool)

	// The value: b for bool, s for enum/arch/os, list for flags and
	// element-mask. none marks a Python None (a null YAML value).
	b    bool
	s    string
	list []string
	none bool
}

func (o *option) isFlags() bool { return o.typ == TypeFlags || o.typ == TypeElementMask }

// exprValue is the value the option has in expressions.
func (o *option) exprValue() value {
	switch {
	case o.none:
		return noneValue
	case o.typ == TypeBool:
		return boolValue(o.b)
	case o.isFlags():
		return strList(o.list)
	}
	return strValue(o.s)
}

// printable is the option's value in string form (Option.get_value).
func (o *option) printable() string {
	switch {
	case o.typ == TypeBool:
		if o.b && !o.none {
			return "1"
		}
		return "0"
	case o.none:
		return "None"
	case o.isFlags():
		return strings.Join(o.list, ",")
	}
	return o.s
}

// invalidValue is the INVALID_DATA error for a value outside o.values.
func (o *option) invalidValue(prov *bsterr.Provenance, shown string) error {
	what := o.typ + " option"
	if o.isFlags() {
		what = "flags option"
	}
	// BuildStream puts the valid values on a second line of the message.
	return bsterr.Load(bsterr.InvalidData, prov, "Invalid value for %s '%s': %s\nValid values: %s",
		what, o.name, shown, strings.Join(o.values, ", "))
}

// validateEnum checks an enum, arch or os value.
func (o *option) validateEnum(v string, none bool, prov *bsterr.Provenance) error {
	if !none && slices.Contains(o.values, v) {
		return nil
	}
	if none {
		v = "None"
	}
	return o.invalidValue(prov, v)
}

// validateFlags checks a flags or element-mask value.
func (o *option) validateFlags(v []string, prov *bsterr.Provenance) error {
	for _, f := range v {
		if !slices.Contains(o.values, f) {
			return o.invalidValue(prov, pyListRepr(v))
		}
	}
	return nil
}

// setValue sets the value from a command line string (Option.set_value).
func (o *option) setValue(v string) error {
	switch {
	case o.typ == TypeBool:
		switch v {
		case "True", "true":
			o.b, o.none = true, false
		case "False", "false":
			o.b, o.none = false, false
		default:
			return bsterr.Load(bsterr.InvalidData, nil, "Invalid value for boolean option %s: %s", o.name, v)
		}
	case o.isFlags():
		list := strings.Split(strings.Join(strings.FieldsFunc(v, isPySpace), ""), ",")
		if err := o.validateFlags(list, nil); err != nil {
			return err
		}
		slices.Sort(list)
		o.list, o.none = list, false
	default:
		if err := o.validateEnum(v, false, nil); err != nil {
			return err
		}
		o.s, o.none = v, false
	}
	return nil
}

// resolve validates the final value (Option.resolve): arch and os options
// default to the host's, which the project may not support.
func (o *option) resolve() error {
	if o.typ == TypeArch || o.typ == TypeOS {
		return o.validateEnum(o.s, o.none, nil)
	}
	return nil
}
