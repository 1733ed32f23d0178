package options

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// kind is the Python type of an expression value.
type kind uint8

const (
	kindUndefined kind = iota // jinja2 StrictUndefined, or plain Undefined when lenient
	kindNone
	kindBool
	kindInt
	kindFloat
	kindStr
	kindList
	kindTuple
	kindMethod // a bound method of a str or list (name in s, receiver in items[0])
	kindSlice  // a slice object (start, stop, step in items)
)

// value is a Python value as Jinja2 sees it. Values are immutable once
// built; lists are never modified in place.
type value struct {
	kind    kind
	b       bool
	lenient bool // undefined: jinja2's plain Undefined (the implicit else of "x if y")
	i       int64
	f       float64
	s       string  // str value; undefined: the error message; method: its name
	items   []value // list and tuple items; method: the receiver
	id      int     // identity of an option's value (1 + its index), for "is sameas"
}

var (
	noneValue  = value{kind: kindNone}
	trueValue  = value{kind: kindBool, b: true}
	falseValue = value{kind: kindBool}
)

func boolValue(b bool) value     { return value{kind: kindBool, b: b} }
func intValue(i int64) value     { return value{kind: kindInt, i: i} }
func floatValue(f float64) value { return value{kind: kindFloat, f: f} }
func strValue(s string) value    { return value{kind: kindStr, s: s} }
func listValue(v []value) value  { return value{kind: kindList, items: v} }
func tupleValue(v []value) value { return value{kind: kindTuple, items: v} }

// undefinedValue is a StrictUndefined whose every use fails with msg.
func undefinedValue(msg string) value { return value{kind: kindUndefined, s: msg} }

// strList converts option values to a Python list of str.
func strList(ss []string) value {
	items := make([]value, len(ss))
	for i, s := range ss {
		items[i] = strValue(s)
	}
	return listValue(items)
}

// evalError is an error raised while evaluating an expression. template
// errors are jinja2 TemplateErrors, which BuildStream reports; the others
// are Python exceptions (TypeError, ZeroDivisionError...) that crash
// BuildStream 1.6 and 2.x, which we report the same way instead.
type evalError struct {
	msg      string
	template bool
	limit    bool // a limit of bst (64-bit integers), not an error in Python
}

func (e *evalError) Error() string { return e.msg }

func templateErr(format string, args ...any) *evalError {
	return &evalError{msg: sprintf(format, args...), template: true}
}

func pyErr(format string, args ...any) *evalError {
	return &evalError{msg: sprintf(format, args...)}
}

// undefinedErr is the UndefinedError raised when an Undefined is used.
func undefinedErr(v value) *evalError { return &evalError{msg: v.s, template: true} }

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// typeName is Python's type(v).__name__.
func (v value) typeName() string {
	switch v.kind {
	case kindUndefined:
		if v.lenient {
			return "Undefined"
		}
		return "StrictUndefined"
	case kindNone:
		return "NoneType"
	case kindBool:
		return "bool"
	case kindInt:
		return "int"
	case kindFloat:
		return "float"
	case kindStr:
		return "str"
	case kindList:
		return "list"
	case kindTuple:
		return "tuple"
	case kindSlice:
		return "slice"
	}
	return "builtin_function_or_method"
}

// objectTypeRepr is jinja2.utils.object_type_repr.
func (v value) objectTypeRepr() string {
	if v.kind == kindNone {
		return "None"
	}
	return v.typeName() + " object"
}

func (v value) isNumber() bool {
	return v.kind == kindBool || v.kind == kindInt || v.kind == kindFloat
}

// asInt returns the integer value of a bool or int.
func (v value) asInt() int64 {
	if v.kind == kindBool {
		if v.b {
			return 1
		}
		return 0
	}
	return v.i
}

func (v value) asFloat() float64 {
	if v.kind == kindFloat {
		return v.f
	}
	return float64(v.asInt())
}

// truth is Python's bool(v).
func (v value) truth() (bool, error) {
	switch v.kind {
	case kindUndefined:
		if v.lenient {
			return false, nil
		}
		return false, undefinedErr(v)
	case kindNone:
		return false, nil
	case kindBool:
		return v.b, nil
	case kindInt:
		return v.i != 0, nil
	case kindFloat:
		return v.f != 0, nil
	case kindStr:
		return v.s != "", nil
	case kindList, kindTuple:
		return len(v.items) > 0, nil
	}
	return true, nil
}

// pyEqual is Python's a == b.
func pyEqual(a, b value) (bool, error) {
	if a.kind == kindUndefined {
		if !a.lenient {
			return false, undefinedErr(a)
		}
		if b.kind == kindUndefined && !b.lenient {
			// StrictUndefined subclasses Undefined: its reflected method runs first.
			return false, undefinedErr(b)
		}
		return b.kind == kindUndefined, nil
	}
	if b.kind == kindUndefined {
		if !b.lenient {
			return false, undefinedErr(b)
		}
		return false, nil
	}
	switch {
	case a.isNumber() && b.isNumber():
		if a.kind == kindFloat || b.kind == kindFloat {
			return a.asFloat() == b.asFloat(), nil
		}
		return a.asInt() == b.asInt(), nil
	case a.kind != b.kind:
		return false, nil
	}
	switch a.kind {
	case kindNone:
		return true, nil
	case kindStr:
		return a.s == b.s, nil
	case kindList, kindTuple, kindSlice:
		if len(a.items) != len(b.items) {
			return false, nil
		}
		for i := range a.items {
			eq, err := pyEqual(a.items[i], b.items[i])
			if err != nil || !eq {
				return false, err
			}
		}
		return true, nil
	case kindMethod:
		if a.s != b.s {
			return false, nil
		}
		return pyEqual(a.items[0], b.items[0])
	}
	return false, nil
}

// pyOrder implements <, <=, > and >= (op is the operator's text).
func pyOrder(op string, a, b value) (bool, error) {
	if a.kind == kindUndefined {
		if a.lenient && b.kind == kindUndefined && !b.lenient {
			return false, undefinedErr(b)
		}
		return false, undefinedErr(a)
	}
	if b.kind == kindUndefined {
		return false, undefinedErr(b)
	}
	var c int
	switch {
	case a.isNumber() && b.isNumber():
		if a.kind == kindFloat || b.kind == kindFloat {
			x, y := a.asFloat(), b.asFloat()
			if math.IsNaN(x) || math.IsNaN(y) {
				return false, nil
			}
			c = cmpFloat(x, y)
		} else {
			c = cmpInt(a.asInt(), b.asInt())
		}
	case a.kind == kindStr && b.kind == kindStr:
		c = strings.Compare(a.s, b.s)
	case a.kind == b.kind && (a.kind == kindList || a.kind == kindTuple || a.kind == kindSlice):
		n := min(len(a.items), len(b.items))
		for i := 0; i < n; i++ {
			eq, err := pyEqual(a.items[i], b.items[i])
			if err != nil {
				return false, err
			}
			if !eq {
				return pyOrder(op, a.items[i], b.items[i])
			}
		}
		c = cmpInt(int64(len(a.items)), int64(len(b.items)))
	default:
		return false, pyErr("'%s' not supported between instances of '%s' and '%s'", op, a.typeName(), b.typeName())
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// pyContains is Python's item in container.
func pyContains(container, item value) (bool, error) {
	switch container.kind {
	case kindUndefined:
		if container.lenient {
			return false, nil
		}
		return false, undefinedErr(container)
	case kindStr:
		if item.kind != kindStr {
			return false, pyErr("'in <string>' requires string as left operand, not %s", item.typeName())
		}
		return strings.Contains(container.s, item.s), nil
	case kindList, kindTuple:
		for _, el := range container.items {
			// CPython compares the element on the left.
			eq, err := pyEqual(el, item)
			if err != nil || eq {
				return eq, err
			}
		}
		return false, nil
	}
	return false, pyErr("argument of type '%s' is not iterable", container.typeName())
}

// pyStr is Python's str(v), as jinja2's ~ operator uses it.
func pyStr(v value) (string, error) {
	switch v.kind {
	case kindUndefined:
		if v.lenient {
			return "", nil
		}
		return "", undefinedErr(v)
	case kindStr:
		return v.s, nil
	}
	return pyRepr(v), nil
}

// pyRepr is Python's repr(v).
func pyRepr(v value) string {
	switch v.kind {
	case kindUndefined:
		return "Undefined"
	case kindNone:
		return "None"
	case kindBool:
		if v.b {
			return "True"
		}
		return "False"
	case kindInt:
		return strconv.FormatInt(v.i, 10)
	case kindFloat:
		return pyFloatRepr(v.f)
	case kindStr:
		return pyStrRepr(v.s)
	case kindList, kindTuple:
		var b strings.Builder
		open, close := "[", "]"
		if v.kind == kindTuple {
			open, close = "(", ")"
		}
		b.WriteString(open)
		for i, it := range v.items {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyRepr(it))
		}
		if v.kind == kindTuple && len(v.items) == 1 {
			b.WriteString(",")
		}
		b.WriteString(close)
		return b.String()
	case kindSlice:
		return "slice(" + pyRepr(v.items[0]) + ", " + pyRepr(v.items[1]) + ", " + pyRepr(v.items[2]) + ")"
	}
	return "<built-in method " + v.s + " of " + v.items[0].typeName() + " object>"
}

// pyStrRepr is Python's repr() of a str.
func pyStrRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + hex2(int(r)))
		case r < 0x7f:
			b.WriteRune(r)
		case isPyPrintable(r):
			b.WriteRune(r)
		case r <= 0xff:
			b.WriteString(`\x` + hex2(int(r)))
		case r <= 0xffff:
			b.WriteString(`\u` + leftPad(strconv.FormatInt(int64(r), 16), 4))
		default:
			b.WriteString(`\U` + leftPad(strconv.FormatInt(int64(r), 16), 8))
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// isPyPrintable approximates Python's str.isprintable for one character.
func isPyPrintable(r rune) bool {
	if r == ' ' {
		return true
	}
	if unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.Zl, unicode.Zp, unicode.Zs) {
		return false
	}
	return unicode.IsPrint(r) || unicode.IsGraphic(r)
}

func hex2(n int) string { return leftPad(strconv.FormatInt(int64(n), 16), 2) }

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// pyFloatRepr is Python's repr() of a float.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		return mant + "e" + sign + leftPad(strconv.Itoa(exp), 2)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyListRepr is repr() of a Python list of str, as BuildStream prints flags
// values in messages.
func pyListRepr(ss []string) string { return pyRepr(strList(ss)) }
