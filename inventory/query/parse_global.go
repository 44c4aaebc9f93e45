package query

import (
	"errors"
	"regexp"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// parser reads the global grammar: items joined by boolean operators,
// parentheses, "not" at the start of a group, and backend blocks whose
// inside it hands to the backend's own parser.
type parser struct {
	s         *scanner
	rawBlocks bool // leave the inside of blocks unparsed (cumin's global verdict only)
	depth     int
	lastStart int // span of the last item read, for "after '...'" messages
	lastEnd   int
}

// maxDepth bounds parenthesis nesting so hostile input cannot exhaust the stack.
const maxDepth = 200

// parseQuery parses a whole query.
func parseQuery(q string, rawBlocks bool) (Expr, error) {
	p := &parser{s: newScanner(q, 0, q), rawBlocks: rawBlocks}
	p.s.global = true
	if p.s.eof() {
		return nil, p.s.errAt(p.s.pos, "empty query: expected a host selection")
	}
	e, err := p.group()
	if err != nil {
		return nil, err
	}
	if !p.s.eof() {
		if p.s.peek() == ')' {
			return nil, p.s.errAt(p.s.pos, "unexpected ')' after '%s': no group is open", p.last())
		}
		return nil, p.s.errAt(p.s.pos, "expected 'and', 'or', 'and not', 'xor' or the end of the query after '%s', found %s", p.last(), p.s.describe(p.s.pos))
	}
	return e, nil
}

// last returns the text of the last item read.
func (p *parser) last() string { return tail(p.s.src[p.lastStart:p.lastEnd]) }

// group reads ["not"] item (operator item)*.
func (p *parser) group() (Expr, error) {
	p.s.skipSpace()
	neg := false
	if n := p.s.keywordAt(p.s.pos, "not"); n > 0 {
		neg = true
		p.s.pos += n
	}
	left, err := p.item()
	if err != nil {
		return nil, err
	}
	if neg {
		left = &Not{X: left}
	}
	return chain(p.s, left, p.item)
}

// item reads one operand: a parenthesised group, an alias, a backend block
// or a native selector.
func (p *parser) item() (Expr, error) {
	s := p.s
	s.skipSpace()
	start := s.pos
	c := s.peek()
	switch {
	case start >= len(s.src):
		if start == 0 {
			return nil, s.errAt(start, "expected a host selection")
		}
		return nil, s.errAt(start, "expected a host selection after '%s', found the end of the query", tail(s.src[:start]))
	case c == ')':
		return nil, s.errAt(start, "expected a host selection, found ')'")
	}
	for _, kw := range []string{"and", "or", "xor"} {
		if s.keywordAt(start, kw) > 0 {
			return nil, s.errAt(start, "expected a host selection, found the operator '%s'", s.src[start:start+len(kw)])
		}
	}
	if n := s.keywordAt(start, "not"); n > 0 {
		return nil, s.errAt(start, "'not' is accepted only at the start of a group: write 'and not', or put it in parentheses")
	}
	var e Expr
	var err error
	var next byte
	if start+1 < len(s.src) {
		next = s.src[start+1]
	}
	switch {
	case c == '(':
		e, err = p.paren()
	case (c == 'A' || c == 'a') && next == ':':
		e, err = p.alias()
	case isBackendKey(c) && next == '{':
		e, err = p.block()
	default:
		e, err = p.native()
	}
	if err != nil {
		return nil, err
	}
	p.lastStart, p.lastEnd = start, s.pos
	return e, nil
}

// tail returns the end of text for a message: at most 40 characters.
func tail(text string) string {
	text = strings.TrimSpace(text)
	if r := []rune(text); len(r) > 40 {
		return "..." + string(r[len(r)-40:])
	}
	return text
}

// paren reads "(" group ")".
func (p *parser) paren() (Expr, error) {
	s := p.s
	open := s.pos
	if p.depth >= maxDepth {
		return nil, s.errAt(open, "parentheses nested deeper than %d", maxDepth)
	}
	p.depth++
	s.pos++
	e, err := p.group()
	p.depth--
	if err != nil {
		return nil, err
	}
	s.skipSpace()
	if s.peek() != ')' {
		return nil, s.errAt(s.pos, "expected ')' after '%s' to close the '(' at column %d, found %s", p.last(), s.col(open), s.describe(s.pos))
	}
	s.pos++
	return e, nil
}

// isAliasChar reports whether c may appear in an alias name (cumin:
// alphanumerics and "-_.+").
func isAliasChar(c byte) bool {
	return isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '+'
}

// alias reads "A:name".
func (p *parser) alias() (Expr, error) {
	s := p.s
	s.pos += 2
	name := s.word(isAliasChar)
	if name == "" {
		return nil, s.errAt(s.pos, "expected an alias name after 'A:', found %s", s.describe(s.pos))
	}
	return &Alias{Name: name}, nil
}

// isBackendKey reports whether c names a cumin backend (D direct, K
// known_hosts, P PuppetDB, O OpenStack), in either case.
func isBackendKey(c byte) bool {
	switch c {
	case 'D', 'd', 'K', 'k', 'P', 'p', 'O', 'o':
		return true
	}
	return false
}

// block reads "X{...}". As in cumin, the inside ends at the first '}' that
// is not in a quoted string, and a backend opening ("P{") before it is an
// error.
func (p *parser) block() (Expr, error) {
	s := p.s
	open := s.pos
	key := strings.ToUpper(s.src[open : open+1])
	inner := open + 2
	i := inner
	for {
		if i+1 < len(s.src) && isBackendKey(s.src[i]) && s.src[i+1] == '{' {
			return nil, s.errAt(i, "'%s' inside the %s{ block opened at column %d: close it with '}' first, or quote it", s.src[i:i+2], key, s.col(open))
		}
		for n := quotedAt(s.src, i); n > 0; n = quotedAt(s.src, i) {
			i += n
		}
		if i >= len(s.src) {
			return nil, s.errAt(i, "expected '}' to close the %s{ block opened at column %d, found the end of the query", key, s.col(open))
		}
		if s.src[i] == '}' {
			break
		}
		i++
	}
	raw := s.src[inner:i]
	s.pos = i + 1
	if key == "O" {
		return nil, s.errAt(open, "the OpenStack backend O{} is not supported")
	}
	b := &Block{Backend: key, Raw: raw}
	if p.rawBlocks {
		return b, nil
	}
	var err error
	switch key {
	case "D":
		b.Query, err = parseHosts(s.full, s.base+inner, raw, false)
	case "K":
		b.Query, err = parseHosts(s.full, s.base+inner, raw, true)
	case "P":
		b.Query, err = parsePuppet(s.full, s.base+inner, raw)
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

// isLabelKeyChar reports whether c may appear in a label key.
func isLabelKeyChar(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.' || c == '/'
}

// isNativeChar reports whether c may appear in a bare host token at the
// global level: host names, node-set syntax and glob characters.
func isNativeChar(c byte) bool {
	return isAlnum(c) || strings.IndexByte("-_.,!&^[]*?", c) >= 0
}

// native reads a label selector, a glob, a node set or a host name (see the
// package documentation for the rule).
func (p *parser) native() (Expr, error) {
	s := p.s
	start := s.pos
	k := start
	for k < len(s.src) && isLabelKeyChar(s.src[k]) {
		k++
	}
	if k > start {
		rest := s.src[k:]
		for _, op := range []string{"=", "!=", "~"} {
			if strings.HasPrefix(rest, op) {
				s.pos = k + len(op)
				return p.label(s.src[start:k], op)
			}
		}
	}
	w := s.word(isNativeChar)
	if w == "" {
		return nil, s.errAt(start, "expected a host selection, found %s", s.describe(start))
	}
	switch {
	case w == "all":
		return All{}, nil
	case strings.ContainsAny(w, "*?"):
		if err := checkNodeSet(s, start, w); err != nil {
			return nil, err
		}
		return &Glob{Pattern: w}, nil
	case strings.ContainsAny(w, "[],!&^"):
		if err := checkNodeSet(s, start, w); err != nil {
			return nil, err
		}
		return &NodeSet{Pattern: w}, nil
	}
	return &HostName{Name: w}, nil
}

// checkLimit bounds the expansion that checks a node set's syntax.
const checkLimit = 4096

// checkNodeSet validates the node-set syntax of pattern w found at offset
// off, moving a nodeset error's column to the query's.
func checkNodeSet(s *scanner, off int, w string) error {
	if !strings.ContainsAny(w, "[],!&^") {
		return nil
	}
	// Expanding only checks the syntax here, so a bounded expansion will do:
	// a pattern over the bound is well-formed, and evaluation expands it.
	_, err := nodeset.ExpandLimit(w, checkLimit)
	if err == nil || strings.Contains(err.Error(), "expands to more than") {
		return nil
	}
	var pe *posfile.Error
	if errors.As(err, &pe) && pe.Col > 0 {
		return s.errAt(off+pe.Col-1, "in node set '%s': %s", w, pe.Msg)
	}
	return s.errAt(off, "in node set '%s': %v", w, err)
}

// label reads the value of a label selector whose key and operator are read.
func (p *parser) label(key, op string) (Expr, error) {
	s := p.s
	at := s.pos
	var val string
	if c := s.peek(); c == '"' || c == '\'' {
		v, err := p.quotedValue()
		if err != nil {
			return nil, err
		}
		val = v
	} else {
		depth := 0
		for s.pos < len(s.src) {
			c := s.src[s.pos]
			if isSpace(c) || c == ')' && depth == 0 {
				break
			}
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
			s.pos++
		}
		val = s.src[at:s.pos]
		if val == "" {
			return nil, s.errAt(at, "expected a value after '%s%s', found %s", key, op, s.describe(at))
		}
	}
	l := &Label{Key: key, Op: op, Value: val}
	if op == "~" {
		re, err := regexp.Compile(val)
		if err != nil {
			return nil, s.errAt(at, "invalid regular expression after '%s~': %v", key, err)
		}
		l.re = re
	}
	return l, nil
}

// quotedValue reads a quoted label value: '\' escapes '\', '"' and '\”;
// any other backslash is kept, so regular expressions read naturally.
func (p *parser) quotedValue() (string, error) {
	s := p.s
	open := s.pos
	q := s.src[open]
	var b strings.Builder
	for i := open + 1; i < len(s.src); i++ {
		c := s.src[i]
		switch {
		case c == q:
			s.pos = i + 1
			return b.String(), nil
		case c == '\\' && i+1 < len(s.src):
			n := s.src[i+1]
			if n == '\\' || n == '"' || n == '\'' {
				b.WriteByte(n)
			} else {
				b.WriteByte('\\')
				b.WriteByte(n)
			}
			i++
		default:
			b.WriteByte(c)
		}
	}
	return "", s.errAt(open, "unterminated quoted value: expected a closing %c", q)
}
