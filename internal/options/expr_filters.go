package options

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// jinjaFilters are jinja2 3.1's builtin filters; those bst does not
// implement are reported as unsupported rather than unknown.
var jinjaFilters = []string{"abs", "attr", "batch", "capitalize", "center", "count", "d", "default",
	"dictsort", "e", "escape", "filesizeformat", "first", "float", "forceescape", "format", "groupby",
	"indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min", "pprint",
	"random", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr",
	"slice", "sort", "string", "striptags", "sum", "title", "tojson", "trim", "truncate", "unique",
	"upper", "urlencode", "urlize", "wordcount", "wordwrap", "xmlattr"}

// filterSpec describes a filter bst implements: the Python function
// behind it (for argument errors), its hidden leading parameters (jinja2's
// environment or eval context), its parameters after the value, how many
// parameters are required (the value included), and the implementation,
// which gets the bound arguments (a[0] is the value) and which were given.
type filterSpec struct {
	fn       string
	hidden   int
	params   []string
	required int
	impl     func(a []value, set []bool) (value, error)
}

var filterSpecs = map[string]filterSpec{
	"default":    {"do_default", 0, []string{"value", "default_value", "boolean"}, 1, filterDefault},
	"d":          {"do_default", 0, []string{"value", "default_value", "boolean"}, 1, filterDefault},
	"lower":      {"do_lower", 0, []string{"s"}, 1, stringFilter(strings.ToLower)},
	"upper":      {"do_upper", 0, []string{"s"}, 1, stringFilter(strings.ToUpper)},
	"capitalize": {"do_capitalize", 0, []string{"s"}, 1, stringFilter(pyCapitalize)},
	"string":     {"soft_str", 0, []string{"s"}, 1, stringFilter(func(s string) string { return s })},
	"trim":       {"do_trim", 0, []string{"value", "chars"}, 1, filterTrim},
	"length":     {"len", 0, []string{"obj"}, 1, filterLength},
	"count":      {"len", 0, []string{"obj"}, 1, filterLength},
	"first":      {"sync_do_first", 1, []string{"seq"}, 1, func(a []value, _ []bool) (value, error) { return firstLast(a[0], "first") }},
	"last":       {"do_last", 1, []string{"seq"}, 1, func(a []value, _ []bool) (value, error) { return firstLast(a[0], "last") }},
	"list":       {"sync_do_list", 0, []string{"value"}, 1, func(a []value, _ []bool) (value, error) { items, err := iterate(a[0]); return listValue(items), err }},
	"join":       {"sync_do_join", 1, []string{"value", "d", "attribute"}, 1, filterJoin},
	"sort":       {"do_sort", 1, []string{"value", "reverse", "case_sensitive", "attribute"}, 1, filterSort},
	"int":        {"do_int", 0, []string{"value", "default", "base"}, 1, filterInt},
	"abs":        {"abs", 0, []string{"x"}, 1, filterAbs},
	"replace":    {"do_replace", 1, []string{"s", "old", "new", "count"}, 3, filterReplace},
}

func applyFilter(name string, x value, args []value, kw []kwarg) (value, error) {
	spec, ok := filterSpecs[name]
	if !ok {
		if slices.Contains(jinjaFilters, name) {
			return value{}, pyErr("filter %s is not supported by bst", pyStrRepr(name))
		}
		return value{}, templateErr("No filter named %s found.", pyStrRepr(name))
	}
	a, set, err := bindArgs(spec.fn, spec.hidden, spec.params, spec.required, append([]value{x}, args...), kw)
	if err != nil {
		return value{}, err
	}
	return spec.impl(a, set)
}

func filterDefault(a []value, set []bool) (value, error) {
	x, def := a[0], strValue("")
	if set[1] {
		def = a[1]
	}
	if x.kind == kindUndefined {
		return def, nil
	}
	if set[2] {
		b, err := a[2].truth()
		if err != nil {
			return value{}, err
		}
		if b {
			t, err := x.truth()
			if err != nil || !t {
				return def, err
			}
		}
	}
	return x, nil
}

// stringFilter makes a filter of a function of soft_str(value).
func stringFilter(f func(string) string) func([]value, []bool) (value, error) {
	return func(a []value, _ []bool) (value, error) {
		s, err := softStr(a[0])
		return strValue(f(s)), err
	}
}

func filterTrim(a []value, set []bool) (value, error) {
	s, err := softStr(a[0])
	if err != nil {
		return value{}, err
	}
	if set[1] {
		return callStrMethod(s, "strip", a[1:2])
	}
	return callStrMethod(s, "strip", nil)
}

func filterLength(a []value, _ []bool) (value, error) {
	switch x := a[0]; {
	case x.kind == kindUndefined && !x.lenient:
		return value{}, undefinedErr(x)
	case x.kind == kindUndefined:
		return intValue(0), nil
	case isSequence(x):
		return intValue(int64(seqLen(x))), nil
	}
	return value{}, pyErr("object of type '%s' has no len()", a[0].typeName())
}

func firstLast(x value, name string) (value, error) {
	items, err := iterate(x)
	if err != nil {
		if name == "last" && x.kind != kindUndefined {
			err = pyErr("'%s' object is not reversible", x.typeName())
		}
		return value{}, err
	}
	if len(items) == 0 {
		return undefinedValue("No " + name + " item, sequence was empty."), nil
	}
	if name == "first" {
		return items[0], nil
	}
	return items[len(items)-1], nil
}

func filterJoin(a []value, set []bool) (value, error) {
	var items []value
	var err error
	attr := set[2] && a[2].kind != kindNone
	if attr { // map() over the items comes first
		if items, err = iterate(a[0]); err != nil {
			return value{}, err
		}
	}
	sep := ""
	if set[1] {
		if sep, err = softStr(a[1]); err != nil {
			return value{}, err
		}
	}
	if !attr {
		if items, err = iterate(a[0]); err != nil {
			return value{}, err
		}
	}
	parts := make([]string, len(items))
	for i, it := range items {
		if attr {
			if it, err = getAttrPath(it, a[2]); err != nil {
				return value{}, err
			}
		}
		if parts[i], err = softStr(it); err != nil {
			return value{}, err
		}
	}
	return strValue(strings.Join(parts, sep)), nil
}

func filterAbs(a []value, _ []bool) (value, error) {
	switch x := a[0]; x.kind {
	case kindUndefined:
		return value{}, undefinedErr(x)
	case kindBool, kindInt:
		if x.asInt() < 0 {
			return unaryOp(true, x)
		}
		return intValue(x.asInt()), nil
	case kindFloat:
		if x.f < 0 {
			return floatValue(-x.f), nil
		}
		return x, nil
	}
	return value{}, pyErr("bad operand type for abs(): '%s'", a[0].typeName())
}

func filterReplace(a []value, set []bool) (value, error) {
	var strs [3]string
	for i := range strs {
		var err error
		if strs[i], err = softStr(a[i]); err != nil {
			return value{}, err
		}
	}
	rest := []value{strValue(strs[1]), strValue(strs[2])}
	if set[3] && a[3].kind != kindNone {
		rest = append(rest, a[3])
	}
	return callStrMethod(strs[0], "replace", rest)
}

func filterSort(a []value, set []bool) (value, error) {
	x := a[0]
	var err error
	if set[3] {
		return value{}, pyErr("sort(attribute=...) is not supported by bst")
	}
	reverse, caseSensitive := false, false
	if set[2] {
		if caseSensitive, err = a[2].truth(); err != nil {
			return value{}, err
		}
	}
	items, err := iterate(x)
	if err != nil {
		return value{}, err
	}
	if set[1] {
		// list.sort takes reverse as an integer.
		if a[1].kind != kindBool && a[1].kind != kindInt {
			return value{}, pyErr("'%s' object cannot be interpreted as an integer", a[1].typeName())
		}
		reverse = a[1].asInt() != 0
	}
	key := func(v value) value {
		if !caseSensitive && v.kind == kindStr {
			return strValue(strings.ToLower(v.s))
		}
		return v
	}
	out := slices.Clone(items)
	var sortErr error
	sort.SliceStable(out, func(i, j int) bool {
		if sortErr != nil {
			return false
		}
		l, r := key(out[i]), key(out[j])
		if reverse {
			l, r = r, l
		}
		lt, err := pyOrder("<", l, r)
		if err != nil {
			sortErr = err
		}
		return lt
	})
	return listValue(out), sortErr
}

func filterInt(a []value, set []bool) (value, error) {
	x := a[0]
	def := intValue(0)
	if set[1] {
		def = a[1]
	}
	base := 10
	if set[2] {
		if a[2].kind != kindInt {
			return def, nil
		}
		base = int(a[2].i)
	}
	switch x.kind {
	case kindUndefined:
		return value{}, undefinedErr(x)
	case kindBool, kindInt:
		return intValue(x.asInt()), nil
	case kindFloat:
		return intValue(int64(x.f)), nil
	case kindStr:
		s := strings.ReplaceAll(strings.TrimFunc(x.s, isPySpace), "_", "")
		if i, err := strconv.ParseInt(s, base, 64); err == nil {
			return intValue(i), nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return intValue(int64(f)), nil
		}
	}
	return def, nil
}

// bindArgs maps positional and keyword arguments onto the parameters of
// the Python function fn, whose first hidden parameters (jinja2's
// environment or eval context) are passed implicitly, failing as Python
// does.
func bindArgs(fn string, hidden int, params []string, required int, args []value, kw []kwarg) ([]value, []bool, error) {
	out := make([]value, len(params))
	set := make([]bool, len(params))
	if len(args) > len(params) {
		switch {
		case fn == "len" || fn == "abs" || fn == "callable":
			return nil, nil, pyErr("%s() takes exactly one argument (%d given)", fn, len(args))
		case required == len(params):
			n := hidden + len(params)
			return nil, nil, pyErr("%s() takes %d positional argument%s but %d were given", fn, n, plural(n), hidden+len(args))
		}
		return nil, nil, pyErr("%s() takes from %d to %d positional arguments but %d were given",
			fn, hidden+required, hidden+len(params), hidden+len(args))
	}
	for i, a := range args {
		out[i], set[i] = a, true
	}
	for _, k := range kw {
		name, v := k.name, k.v
		i := slices.Index(params, name)
		if i < 0 {
			return nil, nil, pyErr("%s() got an unexpected keyword argument %s", fn, pyStrRepr(name))
		}
		if set[i] {
			return nil, nil, pyErr("%s() got multiple values for argument %s", fn, pyStrRepr(name))
		}
		out[i], set[i] = v, true
	}
	var missing []string
	for i := 0; i < required; i++ {
		if !set[i] {
			missing = append(missing, pyStrRepr(params[i]))
		}
	}
	switch len(missing) {
	case 0:
		return out, set, nil
	case 1:
		return nil, nil, pyErr("%s() missing 1 required positional argument: %s", fn, missing[0])
	}
	last := missing[len(missing)-1]
	return nil, nil, pyErr("%s() missing %d required positional arguments: %s and %s",
		fn, len(missing), strings.Join(missing[:len(missing)-1], ", "), last)
}

// getAttrPath is what jinja2's make_attrgetter returns, applied to item:
// a dotted attribute ("a.0.b", digits meaning indices) or a single key.
func getAttrPath(item, attribute value) (value, error) {
	var parts []value
	if attribute.kind == kindStr {
		for _, p := range strings.Split(attribute.s, ".") {
			if n, err := strconv.Atoi(p); err == nil && p != "" && strings.Trim(p, "0123456789") == "" {
				parts = append(parts, intValue(int64(n)))
			} else {
				parts = append(parts, strValue(p))
			}
		}
	} else {
		parts = []value{attribute}
	}
	var err error
	for _, p := range parts {
		if item, err = getItem(item, p); err != nil {
			return value{}, err
		}
	}
	return item, nil
}

// softStr is jinja2's soft_str: str() of the value.
func softStr(v value) (string, error) { return pyStr(v) }
