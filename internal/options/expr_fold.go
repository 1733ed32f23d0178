package options

import (
	"math"
	"slices"
)

// jinja2 folds constant subexpressions when it compiles a template
// (jinja2/optimizer.py with each node's as_const). This is visible: an
// error met while folding (a folded Undefined used by "and", "or", "~" or
// an inline if) is raised before anything is evaluated, and a folded float
// that is not finite is written into the generated code as a bare inf or
// nan, which Python then cannot resolve. fold reproduces both.

// fold replaces the constant subtrees of n, bottom-up, by their values.
func fold(n node) (node, error) {
	if err := foldChildren(n); err != nil {
		return nil, err
	}
	v, ok, err := asConst(n)
	if err != nil {
		return nil, err
	}
	if ok && safeRepr(v) {
		return &constNode{v}, nil
	}
	return n, nil
}

// foldChildren folds the children of n in jinja2's field order.
func foldChildren(n node) error {
	for _, c := range children(n) {
		if *c == nil {
			continue
		}
		r, err := fold(*c)
		if err != nil {
			return err
		}
		*c = r
	}
	return nil
}

// asConst is jinja2's Node.as_const: the value of n if it is constant
// (ok), or not (!ok); err is an error that escapes the folding.
func asConst(n node) (v value, ok bool, err error) {
	switch n := n.(type) {
	case *constNode:
		return n.v, true, nil
	case *listNode:
		vals, ok, err := asConstAll(n.items)
		return listValue(vals), ok, err
	case *tupleNode:
		vals, ok, err := asConstAll(n.items)
		return tupleValue(vals), ok, err
	case *condNode:
		test, ok, err := asConst(n.test)
		if !ok || err != nil {
			return value{}, false, err
		}
		t, err := test.truth()
		if err != nil {
			return value{}, false, err
		}
		if t {
			return asConst(n.then)
		}
		if n.els == nil {
			return value{}, false, nil
		}
		return asConst(n.els)
	case *orNode:
		return asConstLogic(n.l, n.r, true)
	case *andNode:
		return asConstLogic(n.l, n.r, false)
	case *concatNode:
		s := ""
		for _, it := range n.items {
			iv, ok, err := asConst(it)
			if !ok || err != nil {
				return value{}, false, err
			}
			str, err := pyStr(iv)
			if err != nil {
				return value{}, false, err
			}
			s += str
		}
		return strValue(s), true, nil
	case *sliceNode:
		var parts [3]value
		for i, p := range []node{n.start, n.stop, n.step} {
			parts[i] = noneValue
			if p != nil {
				if parts[i], ok, err = asConst(p); !ok || err != nil {
					return value{}, false, err
				}
			}
		}
		return value{kind: kindSlice, items: parts[:]}, true, nil
	case *notNode, *unaryNode, *binNode, *compareNode, *getattrNode, *getitemNode, *filterNode, *testNode:
		// These swallow every error: the expression is then left to run time.
		// Where Python would have computed a value bst cannot represent,
		// say so now rather than let evaluation take another path.
		v, ok, err := asConstGuarded(n)
		if ee, isEval := err.(*evalError); isEval && ee.limit {
			return value{}, false, err
		}
		if err != nil {
			return value{}, false, nil
		}
		return v, ok, nil
	}
	return value{}, false, nil
}

func asConstAll(ns []node) ([]value, bool, error) {
	vals := make([]value, len(ns))
	for i, n := range ns {
		v, ok, err := asConst(n)
		if !ok || err != nil {
			return nil, false, err
		}
		vals[i] = v
	}
	return vals, true, nil
}

// asConstLogic is And.as_const and Or.as_const: not guarded, so a folded
// Undefined fails the compilation here.
func asConstLogic(ln, rn node, or bool) (value, bool, error) {
	l, ok, err := asConst(ln)
	if !ok || err != nil {
		return value{}, false, err
	}
	t, err := l.truth()
	if err != nil {
		return value{}, false, err
	}
	if t == or {
		return l, true, nil
	}
	return asConst(rn)
}

// asConstGuarded computes the nodes whose as_const turns any exception
// into Impossible; a returned error means Impossible.
func asConstGuarded(n node) (value, bool, error) {
	operand := func(x node) (value, error) {
		v, ok, err := asConst(x)
		if err == nil && !ok {
			err = errImpossible
		}
		return v, err
	}
	switch n := n.(type) {
	case *notNode:
		x, err := operand(n.x)
		if err != nil {
			return value{}, false, err
		}
		t, err := x.truth()
		return boolValue(!t), true, err
	case *unaryNode:
		x, err := operand(n.x)
		if err != nil {
			return value{}, false, err
		}
		v, err := unaryOp(n.neg, x)
		return v, true, err
	case *binNode:
		l, err := operand(n.l)
		if err != nil {
			return value{}, false, err
		}
		r, err := operand(n.r)
		if err != nil {
			return value{}, false, err
		}
		v, err := binaryOp(n.op, l, r)
		return v, true, err
	case *compareNode:
		left, err := operand(n.first)
		if err != nil {
			return value{}, false, err
		}
		for _, op := range n.ops {
			right, err := operand(op.x)
			if err != nil {
				return value{}, false, err
			}
			ok, err := compare(op.op, left, right)
			if err != nil || !ok {
				return falseValue, true, err
			}
			left = right
		}
		return trueValue, true, nil
	case *getattrNode:
		x, err := operand(n.x)
		if err != nil {
			return value{}, false, err
		}
		v, err := getAttr(x, n.name)
		return v, true, err
	case *getitemNode:
		x, err := operand(n.x)
		if err != nil {
			return value{}, false, err
		}
		if s, isSlice := n.arg.(*sliceNode); isSlice {
			var parts [3]value
			for i, p := range []node{s.start, s.stop, s.step} {
				parts[i] = noneValue
				if p != nil {
					if parts[i], err = operand(p); err != nil {
						return value{}, false, err
					}
				}
			}
			v, err := getItemSlice(x, parts)
			return v, true, err
		}
		arg, err := operand(n.arg)
		if err != nil {
			return value{}, false, err
		}
		v, err := getItem(x, arg)
		return v, true, err
	case *filterNode, *testNode:
		return asConstFilter(n, operand)
	}
	return value{}, false, errImpossible
}

var errImpossible = &evalError{msg: "impossible"}

// getItemSlice is Environment.getitem(obj, slice(...)), as constant
// folding calls it.
func getItemSlice(obj value, parts [3]value) (value, error) {
	if obj.kind == kindUndefined {
		return value{}, undefinedErr(obj)
	}
	v, err := sliceValue(obj, parts)
	if err == nil {
		return v, nil
	}
	if err.Error() == errSliceStep {
		return value{}, err // a ValueError escapes Environment.getitem
	}
	return undefinedValue(obj.objectTypeRepr() + " has no element slice(" +
		pyRepr(parts[0]) + ", " + pyRepr(parts[1]) + ", " + pyRepr(parts[2]) + ")"), nil
}

// safeRepr is jinja2's has_safe_repr: whether a value can be written into
// the generated code.
func safeRepr(v value) bool {
	switch v.kind {
	case kindNone, kindBool, kindInt, kindFloat, kindStr:
		return true
	case kindList, kindTuple:
		for _, it := range v.items {
			if !safeRepr(it) {
				return false
			}
		}
		return true
	}
	return false
}

// nonFinite returns "inf" or "nan" if repr(v) mentions one, else "".
func nonFinite(v value) string {
	switch v.kind {
	case kindFloat:
		if math.IsInf(v.f, 0) {
			return "inf"
		}
		if math.IsNaN(v.f) {
			return "nan"
		}
	case kindList, kindTuple:
		for _, it := range v.items {
			if s := nonFinite(it); s != "" {
				return s
			}
		}
	}
	return ""
}

// asConstFilter is _FilterTestCommon.as_const: builtin filters and tests
// are folded when their operand and arguments are constant.
func asConstFilter(n node, operand func(node) (value, error)) (value, bool, error) {
	var x node
	var name string
	var a callArgs
	names := jinjaFilters
	if f, isFilter := n.(*filterNode); isFilter {
		x, name, a = f.x, f.name, f.args
	} else {
		t := n.(*testNode)
		x, name, a, names = t.x, t.name, t.args, jinjaTests
	}
	if !slices.Contains(names, name) || a.dynKw != nil {
		return value{}, false, errImpossible
	}
	args := make([]value, len(a.pos))
	var err error
	for i, p := range a.pos {
		if args[i], err = operand(p); err != nil {
			return value{}, false, err
		}
	}
	var kw []kwarg
	for i, k := range a.kwNames {
		v, err := operand(a.kwVals[i])
		if err != nil {
			return value{}, false, err
		}
		kw = append(kw, kwarg{k, v})
	}
	if a.dynArgs != nil {
		d, err := operand(a.dynArgs)
		if err != nil {
			return value{}, false, err
		}
		items, err := iterate(d)
		if err != nil {
			return value{}, false, err
		}
		args = append(args, items...)
	}
	xv, err := operand(x)
	if err != nil {
		return value{}, false, err
	}
	var v value
	if _, isFilter := n.(*filterNode); isFilter {
		v, err = applyFilter(name, xv, args, kw)
	} else {
		v, err = applyTest(name, xv, args, kw)
	}
	return v, true, err
}
