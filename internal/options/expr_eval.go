package options

import (
	"math"
	"strings"
	"unicode/utf8"
)

// maxSeqLen bounds the strings and lists that repetition may build; Python
// would build them, bst refuses rather than exhaust memory.
const maxSeqLen = 1 << 20

// kwarg is a keyword argument of a call, filter or test.
type kwarg struct {
	name string
	v    value
}

// scope holds the option values an expression sees.
type scope map[string]value

func (sc scope) eval(n node) (value, error) {
	switch n := n.(type) {
	case *constNode:
		if name := nonFinite(n.v); name != "" {
			// jinja2 wrote the folded value into Python code as a bare name.
			return value{}, pyErr("name '%s' is not defined", name)
		}
		return n.v, nil
	case *nameNode:
		if v, ok := sc[n.name]; ok {
			return v, nil
		}
		return undefinedValue(pyStrRepr(n.name) + " is undefined"), nil
	case *listNode:
		items, err := sc.evalAll(n.items)
		return listValue(items), err
	case *tupleNode:
		items, err := sc.evalAll(n.items)
		return tupleValue(items), err
	case *dictNode:
		if _, err := sc.evalAll(append(append([]node{}, n.keys...), n.vals...)); err != nil {
			return value{}, err
		}
		return value{}, pyErr("dict literals are not supported by bst")
	case *condNode:
		return sc.evalCond(n)
	case *orNode:
		return sc.evalLogic(n.l, n.r, true)
	case *andNode:
		return sc.evalLogic(n.l, n.r, false)
	case *notNode:
		x, err := sc.eval(n.x)
		if err != nil {
			return x, err
		}
		t, err := x.truth()
		return boolValue(!t), err
	case *compareNode:
		return sc.evalCompare(n)
	case *binNode:
		l, err := sc.eval(n.l)
		if err != nil {
			return l, err
		}
		r, err := sc.eval(n.r)
		if err != nil {
			return r, err
		}
		return binaryOp(n.op, l, r)
	case *concatNode:
		return sc.evalConcat(n)
	case *unaryNode:
		x, err := sc.eval(n.x)
		if err != nil {
			return x, err
		}
		return unaryOp(n.neg, x)
	case *getattrNode:
		x, err := sc.eval(n.x)
		if err != nil {
			return x, err
		}
		return getAttr(x, n.name)
	case *getitemNode:
		return sc.evalGetitem(n)
	case *sliceNode:
		parts, err := sc.evalSliceParts(n)
		return value{kind: kindSlice, items: parts[:]}, err
	case *callNode, *filterNode, *testNode:
		return sc.evalCall(n)
	}
	panic("options: unknown expression node")
}

// evalLogic is Python's "l or r" (or) and "l and r" (!or).
func (sc scope) evalLogic(ln, rn node, or bool) (value, error) {
	l, err := sc.eval(ln)
	if err != nil {
		return l, err
	}
	if t, err := l.truth(); err != nil || t == or {
		return l, err
	}
	return sc.eval(rn)
}

// evalConcat is jinja2's ~: every operand first, then str() of each.
func (sc scope) evalConcat(n *concatNode) (value, error) {
	items, err := sc.evalAll(n.items)
	if err != nil {
		return value{}, err
	}
	var b strings.Builder
	for _, it := range items {
		s, err := pyStr(it)
		if err != nil {
			return value{}, err
		}
		b.WriteString(s)
	}
	return strValue(b.String()), nil
}

// evalCall evaluates calls, filters and tests: the callee or operand, then
// the arguments, then the call.
func (sc scope) evalCall(n node) (value, error) {
	var x node
	var a callArgs
	switch n := n.(type) {
	case *callNode:
		x, a = n.fn, n.args
	case *filterNode:
		x, a = n.x, n.args
	case *testNode:
		x, a = n.x, n.args
	}
	xv, err := sc.eval(x)
	if err != nil {
		return xv, err
	}
	args, kw, err := sc.evalArgs(a)
	if err != nil {
		return value{}, err
	}
	switch n := n.(type) {
	case *filterNode:
		return applyFilter(n.name, xv, args, kw)
	case *testNode:
		return applyTest(n.name, xv, args, kw)
	}
	return callValue(xv, args, kw)
}

func (sc scope) evalAll(nodes []node) ([]value, error) {
	out := make([]value, len(nodes))
	for i, n := range nodes {
		v, err := sc.eval(n)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (sc scope) evalCond(n *condNode) (value, error) {
	test, err := sc.eval(n.test)
	if err != nil {
		return test, err
	}
	t, err := test.truth()
	if err != nil {
		return value{}, err
	}
	if t {
		return sc.eval(n.then)
	}
	if n.els != nil {
		return sc.eval(n.els)
	}
	return value{kind: kindUndefined, lenient: true,
		s: sprintf("the inline if-expression on line %d evaluated to false and no else section was defined.", n.line)}, nil
}

// evalCompare evaluates a chained comparison as Python does.
func (sc scope) evalCompare(n *compareNode) (value, error) {
	left, err := sc.eval(n.first)
	if err != nil {
		return left, err
	}
	for _, op := range n.ops {
		right, err := sc.eval(op.x)
		if err != nil {
			return right, err
		}
		ok, err := compare(op.op, left, right)
		if err != nil || !ok {
			return falseValue, err
		}
		left = right
	}
	return trueValue, nil
}

func compare(op string, l, r value) (bool, error) {
	switch op {
	case "eq":
		return pyEqual(l, r)
	case "ne":
		eq, err := pyNotEqual(l, r)
		return eq, err
	case "lt":
		return pyOrder("<", l, r)
	case "lteq":
		return pyOrder("<=", l, r)
	case "gt":
		return pyOrder(">", l, r)
	case "gteq":
		return pyOrder(">=", l, r)
	case "in":
		return pyContains(r, l)
	}
	in, err := pyContains(r, l)
	return !in, err
}

// pyNotEqual is Python's a != b (jinja2's Undefined defines __ne__ too).
func pyNotEqual(a, b value) (bool, error) {
	eq, err := pyEqual(a, b)
	return !eq, err
}

func (sc scope) evalArgs(a callArgs) ([]value, []kwarg, error) {
	args, err := sc.evalAll(a.pos)
	if err != nil {
		return nil, nil, err
	}
	var kw []kwarg
	for i, name := range a.kwNames {
		v, err := sc.eval(a.kwVals[i])
		if err != nil {
			return nil, nil, err
		}
		kw = append(kw, kwarg{name, v})
	}
	if a.dynArgs != nil {
		v, err := sc.eval(a.dynArgs)
		if err != nil {
			return nil, nil, err
		}
		items, err := iterate(v)
		if err != nil {
			if v.kind != kindUndefined {
				err = pyErr("Value after * must be an iterable, not %s", v.typeName())
			}
			return nil, nil, err
		}
		args = append(args, items...)
	}
	if a.dynKw != nil {
		v, err := sc.eval(a.dynKw)
		if err != nil {
			return nil, nil, err
		}
		if v.kind == kindUndefined && !v.lenient {
			return nil, nil, undefinedErr(v)
		}
		return nil, nil, pyErr("jinja2.runtime.Context.call() argument after ** must be a mapping, not %s", v.typeName())
	}
	return args, kw, nil
}

// iterate is Python's list(iter(v)).
func iterate(v value) ([]value, error) {
	switch v.kind {
	case kindList, kindTuple:
		return v.items, nil
	case kindStr:
		var out []value
		for _, r := range v.s {
			out = append(out, strValue(string(r)))
		}
		return out, nil
	case kindUndefined:
		if v.lenient {
			return nil, nil
		}
		return nil, undefinedErr(v)
	}
	return nil, pyErr("'%s' object is not iterable", v.typeName())
}

func (sc scope) evalGetitem(n *getitemNode) (value, error) {
	x, err := sc.eval(n.x)
	if err != nil {
		return x, err
	}
	if s, ok := n.arg.(*sliceNode); ok {
		parts, err := sc.evalSliceParts(s)
		if err != nil {
			return value{}, err
		}
		return sliceValue(x, parts)
	}
	arg, err := sc.eval(n.arg)
	if err != nil {
		return arg, err
	}
	return getItem(x, arg)
}

func (sc scope) evalSliceParts(s *sliceNode) ([3]value, error) {
	var parts [3]value
	for i, p := range []node{s.start, s.stop, s.step} {
		parts[i] = noneValue
		if p != nil {
			v, err := sc.eval(p)
			if err != nil {
				return parts, err
			}
			parts[i] = v
		}
	}
	return parts, nil
}

// getItem is jinja2's Environment.getitem: obj[arg], else the attribute
// named arg, else an Undefined.
func getItem(obj, arg value) (value, error) {
	if obj.kind == kindUndefined {
		return value{}, undefinedErr(obj)
	}
	if arg.kind == kindSlice {
		return getItemSlice(obj, [3]value(arg.items))
	}
	if (arg.kind == kindInt || arg.kind == kindBool) && isSequence(obj) {
		n := seqLen(obj)
		i := arg.asInt()
		if i < 0 {
			i += int64(n)
		}
		if i >= 0 && i < int64(n) {
			return seqIndex(obj, int(i)), nil
		}
	}
	if arg.kind == kindStr {
		if m, ok := lookupAttr(obj, arg.s); ok {
			return m, nil
		}
		return undefinedValue(pyStrRepr(obj.objectTypeRepr()) + " has no attribute " + pyStrRepr(arg.s)), nil
	}
	return undefinedValue(obj.objectTypeRepr() + " has no element " + pyRepr(arg)), nil
}

// getAttr is jinja2's Environment.getattr.
func getAttr(obj value, name string) (value, error) {
	if obj.kind == kindUndefined {
		return value{}, undefinedErr(obj)
	}
	if m, ok := lookupAttr(obj, name); ok {
		return m, nil
	}
	return undefinedValue(pyStrRepr(obj.objectTypeRepr()) + " has no attribute " + pyStrRepr(name)), nil
}

func isSequence(v value) bool {
	return v.kind == kindStr || v.kind == kindList || v.kind == kindTuple
}

func seqLen(v value) int {
	if v.kind == kindStr {
		return utf8.RuneCountInString(v.s)
	}
	return len(v.items)
}

func seqIndex(v value, i int) value {
	if v.kind == kindStr {
		return strValue(string([]rune(v.s)[i]))
	}
	return v.items[i]
}

const errSliceStep = "slice step cannot be zero"

// sliceValue is Python's obj[start:stop:step].
func sliceValue(obj value, parts [3]value) (value, error) {
	if obj.kind == kindUndefined {
		return value{}, undefinedErr(obj)
	}
	if !isSequence(obj) {
		return value{}, pyErr("'%s' object is not subscriptable", obj.typeName())
	}
	// PySlice_Unpack reads the step first.
	var idx [3]*int64
	for _, i := range []int{2, 0, 1} {
		switch p := parts[i]; p.kind {
		case kindNone:
		case kindInt, kindBool:
			x := p.asInt()
			idx[i] = &x
		default:
			return value{}, pyErr("slice indices must be integers or None or have an __index__ method")
		}
		if i == 2 && idx[2] != nil && *idx[2] == 0 {
			return value{}, pyErr(errSliceStep)
		}
	}
	step := int64(1)
	if idx[2] != nil {
		step = *idx[2]
	}
	n := int64(seqLen(obj))
	start, stop := adjustSlice(idx[0], idx[1], step, n)
	var picked []int
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		picked = append(picked, int(i))
	}
	if obj.kind == kindStr {
		runes := []rune(obj.s)
		out := make([]rune, len(picked))
		for j, i := range picked {
			out[j] = runes[i]
		}
		return strValue(string(out)), nil
	}
	items := make([]value, len(picked))
	for j, i := range picked {
		items[j] = obj.items[i]
	}
	return value{kind: obj.kind, items: items}, nil
}

// adjustSlice is CPython's PySlice_AdjustIndices.
func adjustSlice(startp, stopp *int64, step, n int64) (int64, int64) {
	var start, stop int64
	if step > 0 {
		start, stop = 0, n
	} else {
		start, stop = n-1, -1
	}
	clamp := func(x int64, lowFloor, highCeil int64) int64 {
		if x < 0 {
			x += n
			if x < 0 {
				return lowFloor
			}
		} else if x >= n {
			return highCeil
		}
		return x
	}
	if startp != nil {
		if step > 0 {
			start = clamp(*startp, 0, n)
		} else {
			start = clamp(*startp, -1, n-1)
		}
	}
	if stopp != nil {
		if step > 0 {
			stop = clamp(*stopp, 0, n)
		} else {
			stop = clamp(*stopp, -1, n-1)
		}
	}
	return start, stop
}

func unaryOp(neg bool, x value) (value, error) {
	op := "+"
	if neg {
		op = "-"
	}
	switch x.kind {
	case kindUndefined:
		return value{}, undefinedErr(x)
	case kindBool, kindInt:
		if !neg {
			return intValue(x.asInt()), nil
		}
		if x.asInt() == math.MinInt64 {
			return value{}, overflow()
		}
		return intValue(-x.asInt()), nil
	case kindFloat:
		if neg {
			return floatValue(-x.f), nil
		}
		return x, nil
	}
	return value{}, pyErr("bad operand type for unary %s: '%s'", op, x.typeName())
}

func overflow() error {
	return &evalError{msg: "integer overflow (bst limits integers to 64 bits)", limit: true}
}

var binOpText = map[string]string{
	"add": "+", "sub": "-", "mul": "*", "div": "/", "floordiv": "//", "mod": "%", "pow": "** or pow()",
}

// binaryOp implements Python's arithmetic operators.
func binaryOp(op string, l, r value) (value, error) {
	if op == "mod" && l.kind == kindStr {
		return strFormat(l.s, r)
	}
	if l.kind == kindUndefined {
		return value{}, undefinedErr(l)
	}
	if r.kind == kindUndefined {
		return value{}, undefinedErr(r)
	}
	if l.isNumber() && r.isNumber() {
		if l.kind == kindFloat || r.kind == kindFloat || op == "div" {
			return floatOp(op, l.asFloat(), r.asFloat(), l.kind != kindFloat && r.kind != kindFloat)
		}
		return intOp(op, l.asInt(), r.asInt())
	}
	unsupported := pyErr("unsupported operand type(s) for %s: '%s' and '%s'", binOpText[op], l.typeName(), r.typeName())
	switch op {
	case "add":
		if isSequence(l) || l.kind == kindTuple {
			if l.kind != r.kind {
				return value{}, pyErr("can only concatenate %s (not \"%s\") to %s", l.typeName(), r.typeName(), l.typeName())
			}
			if l.kind == kindStr {
				return strValue(l.s + r.s), nil
			}
			items := append(append([]value{}, l.items...), r.items...)
			return value{kind: l.kind, items: items}, nil
		}
	case "mul":
		seq, count := l, r
		if !isSequence(l) {
			seq, count = r, l
		}
		if isSequence(seq) {
			if count.kind != kindInt && count.kind != kindBool {
				return value{}, pyErr("can't multiply sequence by non-int of type '%s'", count.typeName())
			}
			return repeat(seq, count.asInt())
		}
	}
	return value{}, unsupported
}

// strFormat is Python's format % args for formats without conversions;
// bst does not implement printf-style conversions.
func strFormat(format string, args value) (value, error) {
	if strings.Contains(strings.ReplaceAll(format, "%%", ""), "%") {
		return value{}, pyErr("printf-style string formatting is not supported by bst")
	}
	result := strValue(strings.ReplaceAll(format, "%%", "%"))
	switch args.kind {
	case kindTuple:
		if len(args.items) == 0 {
			return result, nil
		}
	case kindList, kindUndefined:
		// Anything with __getitem__ is taken as a mapping of named arguments.
		return result, nil
	}
	return value{}, pyErr("not all arguments converted during string formatting")
}

func repeat(seq value, n int64) (value, error) {
	if n <= 0 || (seq.s == "" && len(seq.items) == 0) {
		if seq.kind == kindStr {
			return strValue(""), nil
		}
		return value{kind: seq.kind, items: []value{}}, nil
	}
	size := int64(len(seq.s) + len(seq.items))
	if size != 0 && n > maxSeqLen/size {
		return value{}, pyErr("repetition result too large for bst")
	}
	if seq.kind == kindStr {
		return strValue(strings.Repeat(seq.s, int(n))), nil
	}
	items := make([]value, 0, int(n)*len(seq.items))
	for i := int64(0); i < n; i++ {
		items = append(items, seq.items...)
	}
	return value{kind: seq.kind, items: items}, nil
}

func intOp(op string, a, b int64) (value, error) {
	switch op {
	case "add":
		s := a + b
		if (s > a) != (b > 0) {
			return value{}, overflow()
		}
		return intValue(s), nil
	case "sub":
		s := a - b
		if (s < a) != (b > 0) {
			return value{}, overflow()
		}
		return intValue(s), nil
	case "mul":
		if a == 0 || b == 0 {
			return intValue(0), nil
		}
		p := a * b
		if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
			return value{}, overflow()
		}
		return intValue(p), nil
	case "floordiv", "mod":
		if b == 0 {
			if op == "mod" {
				return value{}, pyErr("integer modulo by zero")
			}
			return value{}, pyErr("integer division or modulo by zero")
		}
		if a == math.MinInt64 && b == -1 {
			if op == "mod" {
				return intValue(0), nil
			}
			return value{}, overflow()
		}
		q, m := a/b, a%b
		if m != 0 && (m < 0) != (b < 0) {
			q--
			m += b
		}
		if op == "mod" {
			return intValue(m), nil
		}
		return intValue(q), nil
	}
	// pow
	if b < 0 {
		if a == 0 {
			return value{}, pyErr("0.0 cannot be raised to a negative power")
		}
		return floatValue(math.Pow(float64(a), float64(b))), nil
	}
	result := int64(1)
	base := a
	for e := b; e > 0; e >>= 1 {
		if e&1 == 1 {
			v, err := intOp("mul", result, base)
			if err != nil {
				return v, err
			}
			result = v.i
		}
		if e > 1 {
			v, err := intOp("mul", base, base)
			if err != nil {
				return v, err
			}
			base = v.i
		}
	}
	return intValue(result), nil
}

// floatOp does float arithmetic; ints tells that both operands were
// integers (for true division's messages).
func floatOp(op string, a, b float64, ints bool) (value, error) {
	switch op {
	case "add":
		return floatValue(a + b), nil
	case "sub":
		return floatValue(a - b), nil
	case "mul":
		return floatValue(a * b), nil
	case "div":
		if b == 0 {
			if ints {
				return value{}, pyErr("division by zero")
			}
			return value{}, pyErr("float division by zero")
		}
		return floatValue(a / b), nil
	case "floordiv":
		if b == 0 {
			return value{}, pyErr("float floor division by zero")
		}
		return floatValue(math.Floor(a / b)), nil
	case "mod":
		if b == 0 {
			return value{}, pyErr("float modulo")
		}
		m := math.Mod(a, b)
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return floatValue(m), nil
	}
	if a == 0 && b < 0 {
		return value{}, pyErr("0.0 cannot be raised to a negative power")
	}
	if a < 0 && b != math.Trunc(b) {
		return value{}, pyErr("complex results are not supported by bst")
	}
	r := math.Pow(a, b)
	if math.IsInf(r, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
		return value{}, pyErr("(34, 'Numerical result out of range')")
	}
	return floatValue(r), nil
}
