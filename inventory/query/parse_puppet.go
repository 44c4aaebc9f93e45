package query

import (
	"strings"
)

// puppetParser reads cumin's PuppetDB grammar (the inside of P{}):
//
//	grammar := item (("and" | "or") item)*
//	item    := ["not"] (token | hosts) | ["not"] "(" grammar ")"
//	token   := category ":" key [operator value]
//
// with categories C F I O P R, operators = > >= < <= ~, values bare (any
// printable but parentheses and braces) or quoted, hosts a quoted string or
// a node set/glob token.
type puppetParser struct {
	s     *scanner
	depth int
}

// puppetOps are the comparison operators, longest first.
var puppetOps = []string{">=", "<=", "=", "<", ">", "~"}

// parsePuppet parses the inside of a P{} block; src starts at offset base
// of the query full.
func parsePuppet(full string, base int, src string) (*PuppetQuery, error) {
	p := &puppetParser{s: newScanner(full, base, src)}
	if p.s.eof() {
		return nil, p.s.errAt(p.s.pos, "empty P{} block: expected a PuppetDB query")
	}
	q, err := p.grammar()
	if err != nil {
		return nil, err
	}
	if !p.s.eof() {
		return nil, p.s.errAt(p.s.pos, "expected 'and', 'or' or '}' in the P{} block, found %s", p.s.describe(p.s.pos))
	}
	return q, nil
}

// grammar reads item (and_or item)*.
func (p *puppetParser) grammar() (*PuppetQuery, error) {
	q := &PuppetQuery{}
	for {
		it, err := p.item()
		if err != nil {
			return nil, err
		}
		q.Items = append(q.Items, it)
		op, n := p.s.operatorAt([]string{"and", "or"})
		if op == "" {
			return q, nil
		}
		q.Ops = append(q.Ops, strings.ToLower(op))
		p.s.pos += n
	}
}

// isPuppetHostChar reports whether c may appear in a bare hosts token.
func isPuppetHostChar(c byte) bool {
	return isAlnum(c) || strings.IndexByte("-_.*,!&^[]", c) >= 0
}

// isPuppetKeyChar reports whether c may appear in a category key.
func isPuppetKeyChar(c byte) bool {
	return isAlnum(c) || strings.IndexByte("-_.%@:", c) >= 0
}

// isPuppetValueChar reports whether c may appear in a bare value: any
// printable ASCII but parentheses and braces.
func isPuppetValueChar(c byte) bool {
	return c > ' ' && c < 0x7f && strings.IndexByte("(){}", c) < 0
}

// isCategory reports whether c is a category letter, in either case.
func isCategory(c byte) bool {
	return strings.IndexByte("CFIOPRcfiopr", c) >= 0
}

// item reads one item.
func (p *puppetParser) item() (*PuppetItem, error) {
	s := p.s
	s.skipSpace()
	it := &PuppetItem{}
	if n := s.keywordAt(s.pos, "not"); n > 0 {
		it.Neg = true
		s.pos += n
		s.skipSpace()
	}
	start := s.pos
	c := s.peek()
	switch {
	case c == '(':
		if p.depth >= maxDepth {
			return nil, s.errAt(start, "parentheses nested deeper than %d", maxDepth)
		}
		p.depth++
		s.pos++
		g, err := p.grammar()
		p.depth--
		if err != nil {
			return nil, err
		}
		s.skipSpace()
		if s.peek() != ')' {
			return nil, s.errAt(s.pos, "expected ')' to close the '(' at column %d in the P{} block, found %s", s.col(start), s.describe(s.pos))
		}
		s.pos++
		it.Group = g
		return it, nil
	case isCategory(c) && start+1 < len(s.src) && s.src[start+1] == ':':
		return p.token(it)
	}
	if n := quotedAt(s.src, start); n > 0 {
		it.HostsQuote = c
		it.Hosts = s.src[start+1 : start+n-1]
		s.pos += n
		return it, nil
	}
	for _, kw := range []string{"and", "or", "not"} {
		if s.keywordAt(start, kw) > 0 {
			return nil, s.errAt(start, "expected a PuppetDB query item in the P{} block, found '%s'", s.src[start:start+len(kw)])
		}
	}
	w := s.word(isPuppetHostChar)
	if w == "" {
		return nil, s.errAt(start, "expected a PuppetDB query item (F:fact = value, R:Resource, a host name, ...) in the P{} block, found %s", s.describe(start))
	}
	if err := checkNodeSet(s, start, w); err != nil {
		return nil, err
	}
	it.Hosts = w
	return it, nil
}

// token reads "X:key [operator value]" into it.
func (p *puppetParser) token(it *PuppetItem) (*PuppetItem, error) {
	s := p.s
	it.Category = strings.ToUpper(s.src[s.pos : s.pos+1])
	s.pos += 2
	keyAt := s.pos
	it.Key = s.word(isPuppetKeyChar)
	if it.Key == "" {
		return nil, s.errAt(keyAt, "expected a key after '%s:', found %s", it.Category, s.describe(keyAt))
	}
	save := s.pos
	s.skipSpace()
	for _, op := range puppetOps {
		if strings.HasPrefix(s.src[s.pos:], op) {
			it.Op = op
			break
		}
	}
	if it.Op == "" {
		s.pos = save
		return it, nil
	}
	s.pos += len(it.Op)
	s.skipSpace()
	valAt := s.pos
	// As pyparsing's Or in cumin's grammar: the longer of a quoted string
	// and a bare word wins, the quoted string on a tie.
	n := quotedAt(s.src, valAt)
	it.Value = s.word(isPuppetValueChar)
	if n > 0 && n >= len(it.Value) {
		it.ValueQuote = s.src[valAt]
		it.Value = s.src[valAt+1 : valAt+n-1]
		s.pos = valAt + n
		return it, nil
	}
	if it.Value == "" {
		return nil, s.errAt(valAt, "expected a value after '%s:%s %s', found %s", it.Category, it.Key, it.Op, s.describe(valAt))
	}
	return it, nil
}
