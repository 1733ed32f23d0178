package options

import (
	"slices"
	"strings"
	"unicode"
)

// Attributes of the Python types an expression can reach. Methods that bst
// implements are in callMethod; the others exist (so that "is defined" and
// truth tests see them) but fail when called.
var pyAttrs = map[kind][]string{
	kindStr: {"capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find",
		"format", "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit",
		"isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join",
		"ljust", "lower", "lstrip", "maketrans", "partition", "removeprefix", "removesuffix", "replace",
		"rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines",
		"startswith", "strip", "swapcase", "title", "translate", "upper", "zfill"},
	kindList:  {"append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"},
	kindTuple: {"count", "index"},
	kindInt:   {"as_integer_ratio", "bit_count", "bit_length", "conjugate", "from_bytes", "to_bytes"},
	kindBool:  {"as_integer_ratio", "bit_count", "bit_length", "conjugate", "from_bytes", "to_bytes"},
	kindFloat: {"as_integer_ratio", "conjugate", "fromhex", "hex", "is_integer"},
}

// lookupAttr is Python's getattr(obj, name) for the attributes bst knows.
func lookupAttr(obj value, name string) (value, bool) {
	if obj.isNumber() {
		switch name {
		case "real", "numerator":
			if obj.kind == kindFloat && name == "real" {
				return obj, true
			}
			if obj.kind != kindFloat {
				return intValue(obj.asInt()), true
			}
		case "imag":
			if obj.kind == kindFloat {
				return floatValue(0), true
			}
			return intValue(0), true
		case "denominator":
			if obj.kind != kindFloat {
				return intValue(1), true
			}
		}
	}
	if slices.Contains(pyAttrs[obj.kind], name) {
		return value{kind: kindMethod, s: name, items: []value{obj}}, true
	}
	return value{}, false
}

// callValue calls fn with the given arguments.
func callValue(fn value, args []value, kw []kwarg) (value, error) {
	switch fn.kind {
	case kindUndefined:
		return value{}, undefinedErr(fn)
	case kindMethod:
		if len(kw) > 0 {
			return value{}, pyErr("%s.%s() keyword arguments are not supported by bst", fn.items[0].typeName(), fn.s)
		}
		return callMethod(fn.items[0], fn.s, args)
	}
	return value{}, pyErr("'%s' object is not callable", fn.typeName())
}

// Python's builtin methods check their argument counts with one of these
// message styles.
const (
	arityNoArgs   = iota // str.upper() takes no arguments (1 given)
	arityOne             // str.join() takes exactly one argument (0 given)
	arityParse           // find() takes at least 1 argument (0 given)
	arityExpected        // replace expected at least 2 arguments, got 0
)

type arity struct{ lo, hi, style int }

var methodArity = map[string]arity{
	"str.lower": {0, 0, arityNoArgs}, "str.upper": {0, 0, arityNoArgs}, "str.capitalize": {0, 0, arityNoArgs},
	"str.isdigit": {0, 0, arityNoArgs}, "str.isalpha": {0, 0, arityNoArgs}, "str.isalnum": {0, 0, arityNoArgs},
	"str.islower": {0, 0, arityNoArgs}, "str.isupper": {0, 0, arityNoArgs}, "str.isspace": {0, 0, arityNoArgs},
	"str.join": {1, 1, arityOne}, "list.count": {1, 1, arityOne}, "tuple.count": {1, 1, arityOne},
	"str.find": {1, 3, arityParse}, "str.count": {1, 3, arityParse}, "str.startswith": {1, 3, arityParse},
	"str.endswith": {1, 3, arityParse}, "str.split": {0, 2, arityParse},
	"str.replace": {2, 3, arityExpected}, "str.strip": {0, 1, arityExpected}, "str.lstrip": {0, 1, arityExpected},
	"str.rstrip": {0, 1, arityExpected}, "list.index": {1, 3, arityExpected}, "tuple.index": {1, 3, arityExpected},
}

// wantArgs checks the number of arguments of the method typ.name.
func wantArgs(typ, name string, args []value) error {
	a := methodArity[typ+"."+name]
	n := len(args)
	if n >= a.lo && n <= a.hi {
		return nil
	}
	switch a.style {
	case arityNoArgs:
		return pyErr("%s.%s() takes no arguments (%d given)", typ, name, n)
	case arityOne:
		return pyErr("%s.%s() takes exactly one argument (%d given)", typ, name, n)
	case arityParse:
		if n < a.lo {
			return pyErr("%s() takes at least %d argument%s (%d given)", name, a.lo, plural(a.lo), n)
		}
		return pyErr("%s() takes at most %d argument%s (%d given)", name, a.hi, plural(a.hi), n)
	}
	if n < a.lo {
		return pyErr("%s expected at least %d argument%s, got %d", name, a.lo, plural(a.lo), n)
	}
	return pyErr("%s expected at most %d argument%s, got %d", name, a.hi, plural(a.hi), n)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// strArg checks a str argument; what names it in the message.
func strArg(what string, v value) (string, error) {
	if v.kind != kindStr {
		return "", pyErr("%smust be str, not %s", what, v.typeName())
	}
	return v.s, nil
}

func callMethod(recv value, name string, args []value) (value, error) {
	if recv.kind == kindStr {
		return callStrMethod(recv.s, name, args)
	}
	if (recv.kind == kindList || recv.kind == kindTuple) && (name == "count" || name == "index") {
		if err := wantArgs(recv.typeName(), name, args); err != nil {
			return value{}, err
		}
		if len(args) > 1 {
			return value{}, pyErr("%s.index() start and stop are not supported by bst", recv.typeName())
		}
		n := int64(0)
		for i, it := range recv.items {
			eq, err := pyEqual(it, args[0])
			if err != nil {
				return value{}, err
			}
			if eq {
				if name == "index" {
					return intValue(int64(i)), nil
				}
				n++
			}
		}
		if name == "index" && recv.kind == kindList {
			return value{}, pyErr("%s is not in list", pyRepr(args[0]))
		}
		if name == "index" {
			return value{}, pyErr("tuple.index(x): x not in tuple")
		}
		return intValue(n), nil
	}
	return value{}, pyErr("%s.%s() is not supported by bst", recv.typeName(), name)
}

func callStrMethod(s, name string, args []value) (value, error) {
	if _, ok := methodArity["str."+name]; !ok {
		return value{}, pyErr("str.%s() is not supported by bst", name)
	}
	if err := wantArgs("str", name, args); err != nil {
		return value{}, err
	}
	switch name {
	case "startswith", "endswith":
		return strAffix(s, name, args)
	case "strip", "lstrip", "rstrip":
		return strStrip(s, name, args)
	case "split":
		return strSplit(s, args)
	case "replace":
		return strReplace(s, args)
	case "count", "find":
		return strFind(s, name, args)
	case "join":
		return strJoin(s, args)
	}
	return strCase(s, name), nil
}

// strCase implements the methods without arguments.
func strCase(s, name string) value {
	switch name {
	case "lower":
		return strValue(strings.ToLower(s))
	case "upper":
		return strValue(strings.ToUpper(s))
	case "capitalize":
		return strValue(pyCapitalize(s))
	case "islower":
		return boolValue(pyIsLower(s))
	case "isupper":
		return boolValue(pyIsUpper(s))
	}
	return boolValue(s != "" && strings.IndexFunc(s, func(r rune) bool {
		switch name {
		case "isdigit":
			return !unicode.IsDigit(r)
		case "isalpha":
			return !unicode.IsLetter(r)
		case "isspace":
			return !isPySpace(r)
		}
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsNumber(r)
	}) < 0)
}

func strAffix(s, name string, args []value) (value, error) {
	if len(args) > 1 {
		return value{}, pyErr("str.%s() start and end are not supported by bst", name)
	}
	match := func(p string) bool {
		return (name == "startswith" && strings.HasPrefix(s, p)) || (name == "endswith" && strings.HasSuffix(s, p))
	}
	switch a := args[0]; a.kind {
	case kindStr:
		return boolValue(match(a.s)), nil
	case kindTuple:
		for _, it := range a.items {
			if it.kind != kindStr {
				return value{}, pyErr("tuple for %s must only contain str, not %s", name, it.typeName())
			}
			if match(it.s) {
				return trueValue, nil
			}
		}
		return falseValue, nil
	}
	return value{}, pyErr("%s first arg must be str or a tuple of str, not %s", name, args[0].typeName())
}

func strStrip(s, name string, args []value) (value, error) {
	cut := isPySpace
	if len(args) == 1 && args[0].kind != kindNone {
		if args[0].kind != kindStr {
			return value{}, pyErr("%s arg must be None or str", name)
		}
		chars := args[0].s
		cut = func(r rune) bool { return strings.ContainsRune(chars, r) }
	}
	if name != "rstrip" {
		s = strings.TrimLeftFunc(s, cut)
	}
	if name != "lstrip" {
		s = strings.TrimRightFunc(s, cut)
	}
	return strValue(s), nil
}

func strReplace(s string, args []value) (value, error) {
	old, err := strArg("replace() argument 1 ", args[0])
	if err != nil {
		return value{}, err
	}
	repl, err := strArg("replace() argument 2 ", args[1])
	if err != nil {
		return value{}, err
	}
	n := -1
	if len(args) == 3 {
		if args[2].kind != kindInt && args[2].kind != kindBool {
			return value{}, pyErr("'%s' object cannot be interpreted as an integer", args[2].typeName())
		}
		n = int(args[2].asInt())
	}
	if len(repl) > len(old) && strings.Count(s, old)*(len(repl)-len(old)) > maxSeqLen {
		return value{}, pyErr("replace result too large for bst")
	}
	return strValue(strings.Replace(s, old, repl, n)), nil
}

func strFind(s, name string, args []value) (value, error) {
	if len(args) > 1 {
		return value{}, pyErr("str.%s() start and end are not supported by bst", name)
	}
	sub, err := strArg("", args[0])
	if err != nil {
		return value{}, err
	}
	if name == "count" {
		return intValue(int64(strings.Count(s, sub))), nil
	}
	i := strings.Index(s, sub)
	if i > 0 {
		i = len([]rune(s[:i]))
	}
	return intValue(int64(i)), nil
}

func strJoin(s string, args []value) (value, error) {
	items, err := iterate(args[0])
	if err != nil {
		return value{}, pyErr("can only join an iterable")
	}
	parts := make([]string, len(items))
	for i, it := range items {
		if it.kind != kindStr {
			return value{}, pyErr("sequence item %d: expected str instance, %s found", i, it.typeName())
		}
		parts[i] = it.s
	}
	return strValue(strings.Join(parts, s)), nil
}

func strSplit(s string, args []value) (value, error) {
	max := -1
	if len(args) == 2 {
		if args[1].kind != kindInt && args[1].kind != kindBool {
			return value{}, pyErr("'%s' object cannot be interpreted as an integer", args[1].typeName())
		}
		max = int(args[1].asInt())
	}
	var parts []string
	if len(args) == 0 || args[0].kind == kindNone {
		rest := strings.TrimLeftFunc(s, isPySpace)
		for rest != "" {
			if max >= 0 && len(parts) == max {
				parts = append(parts, strings.TrimRightFunc(rest, isPySpace))
				break
			}
			i := strings.IndexFunc(rest, isPySpace)
			if i < 0 {
				parts = append(parts, rest)
				break
			}
			parts = append(parts, rest[:i])
			rest = strings.TrimLeftFunc(rest[i:], isPySpace)
		}
	} else {
		if args[0].kind != kindStr {
			return value{}, pyErr("must be str or None, not %s", args[0].typeName())
		}
		sep := args[0].s
		if sep == "" {
			return value{}, pyErr("empty separator")
		}
		if max < 0 {
			parts = strings.Split(s, sep)
		} else {
			parts = strings.SplitN(s, sep, max+1)
		}
	}
	return strList(parts), nil
}

func pyCapitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(strings.ToLower(s))
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

func pyIsLower(s string) bool {
	cased := false
	for _, r := range s {
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			return false
		}
		if unicode.IsLower(r) {
			cased = true
		}
	}
	return cased
}

func pyIsUpper(s string) bool {
	cased := false
	for _, r := range s {
		if unicode.IsLower(r) || unicode.IsTitle(r) {
			return false
		}
		if unicode.IsUpper(r) {
			cased = true
		}
	}
	return cased
}
