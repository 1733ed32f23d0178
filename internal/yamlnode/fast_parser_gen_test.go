package yamlnode_test

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// docGen writes random documents in (and near) the subset the fast parser
// reads: nested block collections at varied indentation, every scalar
// style, comments, blank lines and trailing spaces.
type docGen struct {
	r *rand.Rand
	b strings.Builder
}

var genWords = []string{"a", "b", "key", "a:b", "x#y", "-v", "~", "null", "é", "a b", "(>)", "(?)",
	"%{x}", "--x=1", "1.0", "yes", "x:", "'", "\"", "a\\b", "ü ö", "http://x:80/"}

func (g *docGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *docGen) pad() {
	switch g.r.IntN(8) {
	case 0:
		g.b.WriteString("  ")
	case 1:
		g.b.WriteString(" # c")
	}
}

func (g *docGen) comment(indent int) {
	switch g.r.IntN(10) {
	case 0:
		g.b.WriteString("\n")
	case 1:
		g.b.WriteString(strings.Repeat(" ", g.r.IntN(6)) + "# x: [y]\n")
	case 2:
		g.b.WriteString(strings.Repeat(" ", indent+g.r.IntN(3)) + "\n")
	}
}

// scalar writes a scalar value after "key: " or "- " (the line is ended).
func (g *docGen) scalar(indent int) {
	w := g.pick(genWords)
	switch g.r.IntN(9) {
	case 0, 1:
		g.b.WriteString(w)
		if g.r.IntN(4) == 0 {
			g.b.WriteString("\n" + strings.Repeat(" ", indent+1+g.r.IntN(3)) + g.pick(genWords))
		}
	case 2:
		g.b.WriteString("'" + strings.ReplaceAll(w, "'", "''") + "'")
	case 3:
		g.b.WriteString("\"" + g.pick([]string{"x", "\\t", "\\u00e9", "\\\\", "\\\"", "a#b", "\\x41", "\\/"}) + w + "\"")
	case 4:
		g.b.WriteString(g.pick([]string{"[]", "{}", "[a, b]", "['a', \"b\"]", "{a: b, c: 'd'}", "[a,b]", "{a: b}", "[-1, x.y]"}))
	case 5, 6:
		g.b.WriteString(g.pick([]string{"|", ">", "|-", ">+", "|+", ">-"}))
		g.pad()
		in := strings.Repeat(" ", indent+1+g.r.IntN(3))
		for range g.r.IntN(4) {
			g.b.WriteString("\n")
			switch g.r.IntN(5) {
			case 0:
				g.b.WriteString(strings.Repeat(" ", g.r.IntN(len(in)+3)))
			case 1:
				g.b.WriteString(in + "  " + g.pick(genWords))
			default:
				g.b.WriteString(in + g.pick(genWords))
			}
		}
	case 7:
		g.b.WriteString("") // null
	case 8:
		g.b.WriteString(g.pick([]string{"&a x", "*a", "!t x", "- x", "x: y", "'x", "? x"}))
	}
	g.pad()
	g.b.WriteString("\n")
}

func (g *docGen) mapping(indent, depth int, inline bool) {
	for i := range 1 + g.r.IntN(4) {
		if i > 0 || !inline {
			g.comment(indent)
			g.b.WriteString(strings.Repeat(" ", indent))
		}
		k := g.pick(genWords)
		switch g.r.IntN(6) {
		case 0:
			k = "'" + strings.ReplaceAll(k, "'", "''") + "'"
		case 1:
			k = "k" + string(rune('a'+i))
		}
		g.b.WriteString(k + ":")
		g.value(indent, depth)
	}
}

func (g *docGen) sequence(indent, depth int) {
	for range 1 + g.r.IntN(3) {
		g.comment(indent)
		g.b.WriteString(strings.Repeat(" ", indent) + "-")
		if depth > 0 && g.r.IntN(3) == 0 {
			sub := indent + 1 + g.r.IntN(3)
			g.b.WriteString(strings.Repeat(" ", sub-indent-1))
			if g.r.IntN(2) == 0 {
				g.mapping(sub, depth-1, true)
			} else {
				g.b.WriteString("- ")
				g.scalar(sub)
			}
			continue
		}
		g.b.WriteString(" ")
		g.scalar(indent)
	}
}

// value writes what follows "key:".
func (g *docGen) value(indent, depth int) {
	if depth == 0 || g.r.IntN(3) > 0 {
		g.b.WriteString(" ")
		g.scalar(indent)
		return
	}
	g.pad()
	g.b.WriteString("\n")
	g.comment(indent)
	if g.r.IntN(2) == 0 {
		g.mapping(indent+1+g.r.IntN(3), depth-1, false)
	} else {
		g.sequence(indent+g.r.IntN(3), depth-1)
	}
}

// TestFastParseGenerated checks the fast path's invariant on many random
// documents of the shapes BuildStream files have, and that it reads most
// of them itself.
func TestFastParseGenerated(t *testing.T) {
	g := &docGen{r: rand.New(rand.NewPCG(1, 2))}
	const n = 20000
	handled := 0
	for range n {
		g.b.Reset()
		g.mapping(0, 3, false)
		if checkFast(t, []byte(g.b.String()), "gen.yaml") {
			handled++
		}
	}
	t.Logf("fast path handled %d of %d generated documents", handled, n)
	if handled < n/10 {
		t.Errorf("fast path handled only %d of %d generated documents", handled, n)
	}
}
