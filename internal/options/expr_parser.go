package options

// The parser follows jinja2's recursive descent (jinja2/parser.py) so that
// it accepts the same expressions and fails with the same messages.

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 500

type parser struct {
	lx       *lexer
	cur      token
	pushed   []token
	depth    int
	limitErr error // the first literal bst cannot represent
}

// parseExpression parses expr as BuildStream's template would: the test of
// an if tag. It returns the test and whether the tag was closed inside the
// expression text (see expression).
func parseExpression(expr string) (node, *lexer, error) {
	p := &parser{lx: newLexer(expr)}
	if err := p.next(); err != nil {
		return nil, nil, err
	}
	n, err := p.parseTuple(false, false)
	if err != nil {
		return nil, nil, err
	}
	// parse_statements: an optional colon, then the end of the tag.
	if _, err := p.skipIf("colon"); err != nil {
		return nil, nil, err
	}
	if err := p.expect(tokBlockEnd); err != nil {
		return nil, nil, err
	}
	if p.limitErr != nil {
		return nil, nil, p.limitErr
	}
	return n, p.lx, nil
}

func (p *parser) next() error {
	if len(p.pushed) > 0 {
		p.cur = p.pushed[0]
		p.pushed = p.pushed[1:]
		return nil
	}
	if p.cur.typ == tokEOF && p.lx.done {
		return nil
	}
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.cur = t
	return nil
}

// look returns the token after the current one.
func (p *parser) look() (token, error) {
	old := p.cur
	if err := p.next(); err != nil {
		return token{}, err
	}
	res := p.cur
	p.pushed = append(p.pushed, res)
	p.cur = old
	return res, nil
}

func (p *parser) is(typ string) bool { return p.cur.typ == typ }

func (p *parser) isName(v string) bool { return p.cur.typ == tokName && p.cur.val == v }

func (p *parser) skipIf(typ string) (bool, error) {
	if !p.is(typ) {
		return false, nil
	}
	return true, p.next()
}

func (p *parser) skipName(v string) (bool, error) {
	if !p.isName(v) {
		return false, nil
	}
	return true, p.next()
}

// expect is TokenStream.expect for a token type.
func (p *parser) expect(typ string) error {
	if p.cur.typ != typ {
		want := describeTokenType(typ)
		if p.cur.typ == tokEOF {
			return templateErr("unexpected end of template, expected %s.", pyStrRepr(want))
		}
		return templateErr("expected token %s, got %s", pyStrRepr(want), pyStrRepr(describeToken(p.cur)))
	}
	return p.next()
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return pyErr("expression nested too deeply for bst")
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) isTupleEnd() bool {
	return p.is(tokBlockEnd) || p.is("rparen") || p.is("variable_end")
}

// parseTuple is parse_tuple (not simplified, no extra end rules).
func (p *parser) parseTuple(withCondExpr, explicitParens bool) (node, error) {
	var args []node
	isTuple := false
	for {
		if len(args) > 0 {
			if err := p.expect("comma"); err != nil {
				return nil, err
			}
		}
		if p.isTupleEnd() {
			break
		}
		var n node
		var err error
		if withCondExpr {
			n, err = p.parseCondExpr()
		} else {
			n, err = p.parseOr()
		}
		if err != nil {
			return nil, err
		}
		args = append(args, n)
		if !p.is("comma") {
			break
		}
		isTuple = true
	}
	if !isTuple {
		if len(args) > 0 {
			return args[0], nil
		}
		if !explicitParens {
			return nil, templateErr("Expected an expression, got %s", pyStrRepr(describeToken(p.cur)))
		}
	}
	return &tupleNode{items: args}, nil
}

func (p *parser) parseExpr() (node, error) { return p.parseCondExpr() }

func (p *parser) parseCondExpr() (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	line := p.cur.line
	expr1, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	for p.isName("if") {
		if err := p.next(); err != nil {
			return nil, err
		}
		expr2, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		var expr3 node
		if ok, err := p.skipName("else"); err != nil {
			return nil, err
		} else if ok {
			if expr3, err = p.parseCondExpr(); err != nil {
				return nil, err
			}
		}
		expr1 = &condNode{test: expr2, then: expr1, els: expr3, line: line}
		line = p.cur.line
	}
	return expr1, nil
}

func (p *parser) parseOr() (node, error) {
	left, err := p.parseAnd()
	for err == nil && p.isName("or") {
		if err = p.next(); err != nil {
			break
		}
		var right node
		if right, err = p.parseAnd(); err == nil {
			left = &orNode{left, right}
		}
	}
	return left, err
}

func (p *parser) parseAnd() (node, error) {
	left, err := p.parseNot()
	for err == nil && p.isName("and") {
		if err = p.next(); err != nil {
			break
		}
		var right node
		if right, err = p.parseNot(); err == nil {
			left = &andNode{left, right}
		}
	}
	return left, err
}

func (p *parser) parseNot() (node, error) {
	if p.isName("not") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		if err := p.next(); err != nil {
			return nil, err
		}
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &notNode{x}, nil
	}
	return p.parseCompare()
}

var compareOperators = map[string]bool{"eq": true, "ne": true, "lt": true, "lteq": true, "gt": true, "gteq": true}

func (p *parser) parseCompare() (node, error) {
	expr, err := p.parseMath1()
	if err != nil {
		return nil, err
	}
	var ops []compareOp
	for {
		var op string
		switch {
		case compareOperators[p.cur.typ]:
			op = p.cur.typ
			if err := p.next(); err != nil {
				return nil, err
			}
		case p.isName("in"):
			op = "in"
			if err := p.next(); err != nil {
				return nil, err
			}
		case p.isName("not"):
			la, err := p.look()
			if err != nil {
				return nil, err
			}
			if la.typ != tokName || la.val != "in" {
				goto done
			}
			op = "notin"
			if err := p.next(); err != nil {
				return nil, err
			}
			if err := p.next(); err != nil {
				return nil, err
			}
		default:
			goto done
		}
		x, err := p.parseMath1()
		if err != nil {
			return nil, err
		}
		ops = append(ops, compareOp{op, x})
	}
done:
	if len(ops) == 0 {
		return expr, nil
	}
	return &compareNode{first: expr, ops: ops}, nil
}

func (p *parser) parseMath1() (node, error) {
	left, err := p.parseConcat()
	for err == nil && (p.is("add") || p.is("sub")) {
		op := p.cur.typ
		if err = p.next(); err != nil {
			break
		}
		var right node
		if right, err = p.parseConcat(); err == nil {
			left = &binNode{op, left, right}
		}
	}
	return left, err
}

func (p *parser) parseConcat() (node, error) {
	first, err := p.parseMath2()
	if err != nil {
		return nil, err
	}
	items := []node{first}
	for p.is("tilde") {
		if err := p.next(); err != nil {
			return nil, err
		}
		n, err := p.parseMath2()
		if err != nil {
			return nil, err
		}
		items = append(items, n)
	}
	if len(items) == 1 {
		return first, nil
	}
	return &concatNode{items}, nil
}

func (p *parser) parseMath2() (node, error) {
	left, err := p.parsePow()
	for err == nil && (p.is("mul") || p.is("div") || p.is("floordiv") || p.is("mod")) {
		op := p.cur.typ
		if err = p.next(); err != nil {
			break
		}
		var right node
		if right, err = p.parsePow(); err == nil {
			left = &binNode{op, left, right}
		}
	}
	return left, err
}

func (p *parser) parsePow() (node, error) {
	left, err := p.parseUnary(true)
	for err == nil && p.is("pow") {
		if err = p.next(); err != nil {
			break
		}
		var right node
		if right, err = p.parseUnary(true); err == nil {
			left = &binNode{"pow", left, right}
		}
	}
	return left, err
}

func (p *parser) parseUnary(withFilter bool) (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	var n node
	var err error
	switch {
	case p.is("sub"), p.is("add"):
		neg := p.is("sub")
		if err := p.next(); err != nil {
			return nil, err
		}
		x, err := p.parseUnary(false)
		if err != nil {
			return nil, err
		}
		n = &unaryNode{neg: neg, x: x}
	default:
		if n, err = p.parsePrimary(); err != nil {
			return nil, err
		}
	}
	if n, err = p.parsePostfix(n); err != nil {
		return nil, err
	}
	if withFilter {
		return p.parseFilterExpr(n)
	}
	return n, nil
}

func (p *parser) parsePrimary() (node, error) {
	t := p.cur
	switch t.typ {
	case tokName:
		var n node
		switch t.val {
		case "true", "True":
			n = &constNode{trueValue}
		case "false", "False":
			n = &constNode{falseValue}
		case "none", "None":
			n = &constNode{noneValue}
		default:
			n = &nameNode{t.val}
		}
		return n, p.next()
	case tokString:
		s := t.val
		if err := p.next(); err != nil {
			return nil, err
		}
		for p.is(tokString) {
			s += p.cur.val
			if err := p.next(); err != nil {
				return nil, err
			}
		}
		return &constNode{strValue(s)}, nil
	case tokInteger, tokFloat:
		if t.limit != nil && p.limitErr == nil {
			p.limitErr = t.limit
		}
		return &constNode{t.num}, p.next()
	case "lparen":
		if err := p.next(); err != nil {
			return nil, err
		}
		n, err := p.parseTuple(true, true)
		if err != nil {
			return nil, err
		}
		return n, p.expect("rparen")
	case "lbracket":
		return p.parseList()
	case "lbrace":
		return p.parseDict()
	}
	return nil, templateErr("unexpected %s", pyStrRepr(describeToken(t)))
}

func (p *parser) parseList() (node, error) {
	if err := p.expect("lbracket"); err != nil {
		return nil, err
	}
	var items []node
	for !p.is("rbracket") {
		if len(items) > 0 {
			if err := p.expect("comma"); err != nil {
				return nil, err
			}
		}
		if p.is("rbracket") {
			break
		}
		n, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		items = append(items, n)
	}
	return &listNode{items}, p.expect("rbracket")
}

func (p *parser) parseDict() (node, error) {
	if err := p.expect("lbrace"); err != nil {
		return nil, err
	}
	d := &dictNode{}
	for !p.is("rbrace") {
		if len(d.keys) > 0 {
			if err := p.expect("comma"); err != nil {
				return nil, err
			}
		}
		if p.is("rbrace") {
			break
		}
		k, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect("colon"); err != nil {
			return nil, err
		}
		v, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
	}
	return d, p.expect("rbrace")
}

func (p *parser) parsePostfix(n node) (node, error) {
	for {
		var err error
		switch {
		case p.is("dot"), p.is("lbracket"):
			n, err = p.parseSubscript(n)
		case p.is("lparen"):
			n, err = p.parseCall(n)
		default:
			return n, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseFilterExpr(n node) (node, error) {
	for {
		var err error
		switch {
		case p.is("pipe"):
			n, err = p.parseFilter(n)
		case p.isName("is"):
			n, err = p.parseTest(n)
		case p.is("lparen"):
			n, err = p.parseCall(n)
		default:
			return n, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseSubscript(n node) (node, error) {
	t := p.cur
	if err := p.next(); err != nil {
		return nil, err
	}
	if t.typ == "dot" {
		attr := p.cur
		if err := p.next(); err != nil {
			return nil, err
		}
		switch attr.typ {
		case tokName:
			return &getattrNode{x: n, name: attr.val}, nil
		case tokInteger:
			if attr.limit != nil && p.limitErr == nil {
				p.limitErr = attr.limit
			}
			return &getitemNode{x: n, arg: &constNode{attr.num}}, nil
		}
		return nil, templateErr("expected name or number")
	}
	var args []node
	for !p.is("rbracket") {
		if len(args) > 0 {
			if err := p.expect("comma"); err != nil {
				return nil, err
			}
		}
		a, err := p.parseSubscribed()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
	}
	if err := p.expect("rbracket"); err != nil {
		return nil, err
	}
	if len(args) == 1 {
		return &getitemNode{x: n, arg: args[0]}, nil
	}
	return &getitemNode{x: n, arg: &tupleNode{args}}, nil
}

func (p *parser) parseSubscribed() (node, error) {
	var args []node
	if p.is("colon") {
		if err := p.next(); err != nil {
			return nil, err
		}
		args = []node{nil}
	} else {
		n, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if !p.is("colon") {
			return n, nil
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		args = []node{n}
	}
	switch {
	case p.is("colon"):
		args = append(args, nil)
	case !p.is("rbracket") && !p.is("comma"):
		n, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		args = append(args, n)
	default:
		args = append(args, nil)
	}
	if p.is("colon") {
		if err := p.next(); err != nil {
			return nil, err
		}
		if !p.is("rbracket") && !p.is("comma") {
			n, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			args = append(args, n)
		} else {
			args = append(args, nil)
		}
	} else {
		args = append(args, nil)
	}
	return &sliceNode{args[0], args[1], args[2]}, nil
}

func (p *parser) parseCallArgs() (callArgs, error) {
	var a callArgs
	if err := p.expect("lparen"); err != nil {
		return a, err
	}
	invalid := templateErr("invalid syntax for function call expression")
	requireComma := false
	for !p.is("rparen") {
		if requireComma {
			if err := p.expect("comma"); err != nil {
				return a, err
			}
			if p.is("rparen") {
				break
			}
		}
		switch {
		case p.is("mul"):
			if a.dynArgs != nil || a.dynKw != nil {
				return a, invalid
			}
			if err := p.next(); err != nil {
				return a, err
			}
			n, err := p.parseExpr()
			if err != nil {
				return a, err
			}
			a.dynArgs = n
		case p.is("pow"):
			if a.dynKw != nil {
				return a, invalid
			}
			if err := p.next(); err != nil {
				return a, err
			}
			n, err := p.parseExpr()
			if err != nil {
				return a, err
			}
			a.dynKw = n
		default:
			kw := false
			if p.is(tokName) {
				la, err := p.look()
				if err != nil {
					return a, err
				}
				kw = la.typ == "assign"
			}
			if kw {
				if a.dynKw != nil {
					return a, invalid
				}
				key := p.cur.val
				if err := p.next(); err != nil {
					return a, err
				}
				if err := p.next(); err != nil {
					return a, err
				}
				n, err := p.parseExpr()
				if err != nil {
					return a, err
				}
				a.kwNames = append(a.kwNames, key)
				a.kwVals = append(a.kwVals, n)
			} else {
				if a.dynArgs != nil || a.dynKw != nil || len(a.kwNames) > 0 {
					return a, invalid
				}
				n, err := p.parseExpr()
				if err != nil {
					return a, err
				}
				a.pos = append(a.pos, n)
			}
		}
		requireComma = true
	}
	return a, p.expect("rparen")
}

func (p *parser) parseCall(n node) (node, error) {
	args, err := p.parseCallArgs()
	if err != nil {
		return nil, err
	}
	return &callNode{fn: n, args: args}, nil
}

// dottedName reads name(.name)* after a pipe or "is".
func (p *parser) dottedName() (string, error) {
	if !p.is(tokName) {
		return "", p.expect(tokName)
	}
	name := p.cur.val
	if err := p.next(); err != nil {
		return "", err
	}
	for p.is("dot") {
		if err := p.next(); err != nil {
			return "", err
		}
		if !p.is(tokName) {
			return "", p.expect(tokName)
		}
		name += "." + p.cur.val
		if err := p.next(); err != nil {
			return "", err
		}
	}
	return name, nil
}

func (p *parser) parseFilter(n node) (node, error) {
	for p.is("pipe") {
		if err := p.next(); err != nil {
			return nil, err
		}
		name, err := p.dottedName()
		if err != nil {
			return nil, err
		}
		var args callArgs
		if p.is("lparen") {
			if args, err = p.parseCallArgs(); err != nil {
				return nil, err
			}
		}
		n = &filterNode{x: n, name: name, args: args}
	}
	return n, nil
}

func (p *parser) parseTest(n node) (node, error) {
	if err := p.next(); err != nil { // "is"
		return nil, err
	}
	negated, err := p.skipName("not")
	if err != nil {
		return nil, err
	}
	name, err := p.dottedName()
	if err != nil {
		return nil, err
	}
	var args callArgs
	switch {
	case p.is("lparen"):
		if args, err = p.parseCallArgs(); err != nil {
			return nil, err
		}
	case (p.is(tokName) || p.is(tokString) || p.is(tokInteger) || p.is(tokFloat) ||
		p.is("lparen") || p.is("lbracket") || p.is("lbrace")) &&
		!p.isName("else") && !p.isName("or") && !p.isName("and"):
		if p.isName("is") {
			return nil, templateErr("You cannot chain multiple tests with is")
		}
		arg, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		if arg, err = p.parsePostfix(arg); err != nil {
			return nil, err
		}
		args.pos = []node{arg}
	}
	var t node = &testNode{x: n, name: name, args: args}
	if negated {
		t = &notNode{t}
	}
	return t, nil
}
