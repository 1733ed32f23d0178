package options

// AST nodes.
type (
	node interface{}

	constNode struct{ v value }
	nameNode  struct{ name string }
	listNode  struct{ items []node }
	tupleNode struct{ items []node }
	dictNode  struct{ keys, vals []node }
	condNode  struct {
		test, then, els node // els may be nil
		line            int
	}
	orNode      struct{ l, r node }
	andNode     struct{ l, r node }
	notNode     struct{ x node }
	compareNode struct {
		first node
		ops   []compareOp
	}
	compareOp struct {
		op string // jinja2 token type: eq ne lt lteq gt gteq in notin
		x  node
	}
	binNode struct {
		op   string // add sub mul div floordiv mod pow
		l, r node
	}
	concatNode struct{ items []node }
	unaryNode  struct {
		neg bool
		x   node
	}
	getattrNode struct {
		x    node
		name string
	}
	getitemNode struct{ x, arg node }
	sliceNode   struct{ start, stop, step node }
	callNode    struct {
		fn   node
		args callArgs
	}
	filterNode struct {
		x    node
		name string
		args callArgs
	}
	testNode struct {
		x    node
		name string
		args callArgs
	}
	callArgs struct {
		pos     []node
		kwNames []string
		kwVals  []node
		dynArgs node // *args
		dynKw   node // **kwargs
	}
)

// children returns pointers to the child slots of n, in the order of
// jinja2's node fields (the order its optimizer visits them); a slot may
// hold nil.
func children(n node) []*node {
	var out []*node
	add := func(ps ...*node) { out = append(out, ps...) }
	all := func(ns []node) {
		for i := range ns {
			out = append(out, &ns[i])
		}
	}
	args := func(a *callArgs) {
		all(a.pos)
		all(a.kwVals)
		add(&a.dynArgs, &a.dynKw)
	}
	switch n := n.(type) {
	case *listNode:
		all(n.items)
	case *tupleNode:
		all(n.items)
	case *dictNode:
		for i := range n.keys {
			add(&n.keys[i], &n.vals[i])
		}
	case *condNode:
		add(&n.test, &n.then, &n.els)
	case *orNode:
		add(&n.l, &n.r)
	case *andNode:
		add(&n.l, &n.r)
	case *notNode:
		add(&n.x)
	case *compareNode:
		add(&n.first)
		for i := range n.ops {
			add(&n.ops[i].x)
		}
	case *binNode:
		add(&n.l, &n.r)
	case *concatNode:
		all(n.items)
	case *unaryNode:
		add(&n.x)
	case *getattrNode:
		add(&n.x)
	case *getitemNode:
		add(&n.x, &n.arg)
	case *sliceNode:
		add(&n.start, &n.stop, &n.step)
	case *callNode:
		add(&n.fn)
		args(&n.args)
	case *filterNode:
		add(&n.x)
		args(&n.args)
	case *testNode:
		add(&n.x)
		args(&n.args)
	}
	return out
}

// walk calls f on n and every node below it.
func walk(n node, f func(node)) {
	if n == nil {
		return
	}
	f(n)
	for _, c := range children(n) {
		walk(*c, f)
	}
}
