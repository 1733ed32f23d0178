package options

import (
	"slices"
	"strings"
)

// expression is a compiled (?) condition.
type expression struct {
	src  string
	root node
	// early records that the "%}" closing BuildStream's if tag appeared
	// inside the expression text; the rest of the text then becomes
	// template data and a true condition renders something that is neither
	// "True" nor "False".
	early bool
}

// errNotBool is reported when the rendered template is neither "True" nor
// "False" (BuildStream's "Failed to evaluate expression: EXPR").
var errNotBool = &evalError{msg: "", template: false}

// compileExpression parses src.
func compileExpression(src string) (*expression, error) {
	root, lx, err := parseExpression(src)
	if err != nil {
		return nil, err
	}
	if root, err = fold(root); err != nil {
		return nil, err
	}
	if strayslice(root) {
		// jinja2 generates Python code that does not compile.
		return nil, pyErr("invalid syntax: a slice inside a tuple subscript is not supported by bst")
	}
	if name := repeatedKeyword(root); name != "" {
		return nil, pyErr("keyword argument repeated: %s (refused by bst when compiling)", name)
	}
	e := &expression{src: src, root: root}
	if lx.earlyEnd() {
		rest := ""
		if lx.blockEndStop < lx.exprEnd {
			rest = lx.src[lx.blockEndStop:lx.exprEnd]
		}
		if strings.Contains(rest, "{%") || strings.Contains(rest, "{{") || strings.Contains(rest, "{#") {
			return nil, pyErr("template tags inside an expression are not supported by bst")
		}
		e.early = true
	}
	return e, nil
}

// eval evaluates the expression as the test of an if tag.
func (e *expression) eval(sc scope) (bool, error) {
	v, err := sc.eval(e.root)
	if err != nil {
		return false, err
	}
	t, err := v.truth()
	if err != nil {
		return false, err
	}
	if t && e.early {
		return false, errNotBool
	}
	return t, nil
}

// strayslice reports a slice that is not the whole argument of a
// subscript.
func strayslice(root node) bool {
	allowed := map[node]bool{}
	stray := false
	walk(root, func(n node) {
		switch n := n.(type) {
		case *getitemNode:
			if s, ok := n.arg.(*sliceNode); ok {
				allowed[s] = true
			}
		case *sliceNode:
			stray = stray || !allowed[n]
		}
	})
	return stray
}

// repeatedKeyword finds a call that repeats a keyword argument, which
// Python refuses to compile.
func repeatedKeyword(root node) (name string) {
	walk(root, func(n node) {
		var a callArgs
		switch n := n.(type) {
		case *callNode:
			a = n.args
		case *filterNode:
			a = n.args
		case *testNode:
			a = n.args
		default:
			return
		}
		for i, k := range a.kwNames {
			if name == "" && slices.Contains(a.kwNames[:i], k) {
				name = k
			}
		}
	})
	return name
}
