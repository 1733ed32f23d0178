package variables

import (
	"strings"
	"sync"
)

// Parser parses values into templates and memoizes them by source text, like
// BuildStream's VALUE_EXPRESSION_CACHE but owned by the caller rather than
// global. The zero value is ready to use and a Parser is safe for concurrent
// use. It never evicts: it is meant to live as long as one session, whose
// distinct strings are bounded by the project's files.
type Parser struct {
	m sync.Map // string -> *Template
}

// NewParser returns an empty Parser.
func NewParser() *Parser { return &Parser{} }

// Parse returns the template for s, parsing it on first use.
func (p *Parser) Parse(s string) *Template {
	if v, ok := p.m.Load(s); ok {
		return v.(*Template)
	}
	// Clone so that a cached template does not pin a larger buffer s may
	// have been sliced from.
	s = strings.Clone(s)
	v, _ := p.m.LoadOrStore(s, parseTemplate(s))
	return v.(*Template)
}
