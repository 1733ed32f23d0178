package options

import "slices"

// jinjaTests are jinja2 3.1's builtin tests.
var jinjaTests = []string{"!=", "<", "<=", "==", ">", ">=", "boolean", "callable", "defined",
	"divisibleby", "eq", "equalto", "escaped", "even", "false", "filter", "float", "ge", "greaterthan",
	"gt", "in", "integer", "iterable", "le", "lessthan", "lower", "lt", "mapping", "ne", "none",
	"number", "odd", "sameas", "sequence", "string", "test", "true", "undefined", "upper"}

func applyTest(name string, x value, args []value, kw []kwarg) (value, error) {
	one := func(params ...string) ([]value, error) {
		fn, hidden := "test_"+name, 0
		switch name {
		case "callable":
			fn = "callable"
		case "filter", "test":
			hidden = 1
		}
		a, _, err := bindArgs(fn, hidden, append([]string{"value"}, params...), 1+len(params), append([]value{x}, args...), kw)
		return a, err
	}
	switch name {
	case "defined", "undefined", "none", "boolean", "false", "true", "integer", "float", "string",
		"mapping", "number", "sequence", "iterable", "callable", "escaped", "lower", "upper", "odd", "even":
		if _, err := one(); err != nil {
			return value{}, err
		}
		return simpleTest(name, x)
	case "divisibleby":
		a, err := one("num")
		if err != nil {
			return value{}, err
		}
		m, err := binaryOp("mod", x, a[1])
		if err != nil {
			return value{}, err
		}
		eq, err := pyEqual(m, intValue(0))
		return boolValue(eq), err
	case "sameas":
		a, err := one("other")
		if err != nil {
			return value{}, err
		}
		return boolValue(sameAs(x, a[1])), nil
	case "in":
		a, err := one("seq")
		if err != nil {
			return value{}, err
		}
		in, err := pyContains(a[1], x)
		return boolValue(in), err
	case "filter", "test":
		if _, err := one(); err != nil {
			return value{}, err
		}
		if x.kind == kindList {
			return value{}, pyErr("unhashable type: 'list'")
		}
		if x.kind == kindUndefined && !x.lenient {
			return value{}, undefinedErr(x)
		}
		names := jinjaFilters
		if name == "test" {
			names = jinjaTests
		}
		return boolValue(x.kind == kindStr && slices.Contains(names, x.s)), nil
	}
	if op, ok := operatorTests[name]; ok {
		if len(kw) > 0 {
			return value{}, pyErr("%s() takes no keyword arguments", op[1])
		}
		if len(args) != 1 {
			return value{}, pyErr("%s expected 2 arguments, got %d", op[1], 1+len(args))
		}
		r, err := compare(op[0], x, args[0])
		return boolValue(r), err
	}
	return value{}, templateErr("No test named %s found.", pyStrRepr(name))
}

// operatorTests maps the comparison tests to the compare operator and the
// name of Python's operator function.
var operatorTests = map[string][2]string{
	"==": {"eq", "eq"}, "eq": {"eq", "eq"}, "equalto": {"eq", "eq"}, "!=": {"ne", "ne"}, "ne": {"ne", "ne"},
	">": {"gt", "gt"}, "gt": {"gt", "gt"}, "greaterthan": {"gt", "gt"}, ">=": {"gteq", "ge"}, "ge": {"gteq", "ge"},
	"<": {"lt", "lt"}, "lt": {"lt", "lt"}, "lessthan": {"lt", "lt"}, "<=": {"lteq", "le"}, "le": {"lteq", "le"},
}

// sameAs approximates Python's "is": singletons and CPython's small
// integers are identical, an option's value is itself, equal string
// constants are one object, other values are distinct objects.
func sameAs(a, b value) bool {
	switch {
	case a.kind != b.kind:
		return false
	case a.kind == kindNone:
		return true
	case a.kind == kindBool:
		return a.b == b.b
	case a.kind == kindInt && a.i >= -5 && a.i <= 256:
		return a.i == b.i
	case a.id != 0 || b.id != 0:
		return a.id == b.id
	}
	return a.kind == kindStr && a.s == b.s
}

func simpleTest(name string, x value) (value, error) {
	undef := x.kind == kindUndefined
	switch name {
	case "defined":
		return boolValue(!undef), nil
	case "undefined":
		return boolValue(undef), nil
	case "none":
		return boolValue(x.kind == kindNone), nil
	case "boolean":
		return boolValue(x.kind == kindBool), nil
	case "false", "true":
		return boolValue(x.kind == kindBool && x.b == (name == "true")), nil
	case "integer":
		return boolValue(x.kind == kindInt), nil
	case "float":
		return boolValue(x.kind == kindFloat), nil
	case "string":
		return boolValue(x.kind == kindStr), nil
	case "mapping", "escaped":
		return falseValue, nil
	case "number":
		return boolValue(x.isNumber()), nil
	case "sequence":
		return boolValue(isSequence(x) || (undef && x.lenient)), nil
	case "iterable":
		if undef && !x.lenient {
			return value{}, undefinedErr(x)
		}
		return boolValue(isSequence(x) || undef), nil
	case "callable":
		return boolValue(undef || x.kind == kindMethod), nil
	case "lower", "upper":
		s, err := pyStr(x)
		if err != nil {
			return value{}, err
		}
		if name == "lower" {
			return boolValue(pyIsLower(s)), nil
		}
		return boolValue(pyIsUpper(s)), nil
	}
	// odd, even
	m, err := binaryOp("mod", x, intValue(2))
	if err != nil {
		return value{}, err
	}
	want := int64(0)
	if name == "odd" {
		want = 1
	}
	eq, err := pyEqual(m, intValue(want))
	return boolValue(eq), err
}
