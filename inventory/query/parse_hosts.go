package query

import "strings"

// hostsParser reads cumin's direct (D{}) and known_hosts (K{}) grammars:
// host tokens joined by "and", "or", "and not", "xor", with parentheses and
// no "not" of their own.
type hostsParser struct {
	s          *scanner
	knownHosts bool // K{} also accepts the glob characters "*?"
	depth      int
}

// parseHosts parses the inside of a D{} (knownHosts false) or K{} block;
// src starts at offset base of the query full.
func parseHosts(full string, base int, src string, knownHosts bool) (Expr, error) {
	p := &hostsParser{s: newScanner(full, base, src), knownHosts: knownHosts}
	if p.s.eof() {
		return nil, p.s.errAt(p.s.pos, "empty %s block: expected a host name", p.backend())
	}
	e, err := p.group()
	if err != nil {
		return nil, err
	}
	if !p.s.eof() {
		return nil, p.s.errAt(p.s.pos, "expected 'and', 'or', 'and not', 'xor' or '}' in the %s block, found %s", p.backend(), p.s.describe(p.s.pos))
	}
	return e, nil
}

// backend names the block for messages.
func (p *hostsParser) backend() string {
	if p.knownHosts {
		return "K{}"
	}
	return "D{}"
}

// hostChar reports whether c may appear in a host token: cumin's
// alphanumerics and "-_.,!&^[]", plus "?*" for known_hosts.
func (p *hostsParser) hostChar(c byte) bool {
	if isAlnum(c) || strings.IndexByte("-_.,!&^[]", c) >= 0 {
		return true
	}
	return p.knownHosts && (c == '?' || c == '*')
}

// group reads item (operator item)*.
func (p *hostsParser) group() (Expr, error) {
	left, err := p.item()
	if err != nil {
		return nil, err
	}
	return chain(p.s, left, p.item)
}

// item reads a host token or a parenthesised group.
func (p *hostsParser) item() (Expr, error) {
	s := p.s
	s.skipSpace()
	start := s.pos
	if s.peek() == '(' {
		if p.depth >= maxDepth {
			return nil, s.errAt(start, "parentheses nested deeper than %d", maxDepth)
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
			return nil, s.errAt(s.pos, "expected ')' to close the '(' at column %d in the %s block, found %s", s.col(start), p.backend(), s.describe(s.pos))
		}
		s.pos++
		return e, nil
	}
	if op, n := s.operatorAt(boolOps); op != "" {
		return nil, s.errAt(start, "expected a host name in the %s block, found the operator '%s'", p.backend(), s.src[start:start+n])
	}
	w := s.word(p.hostChar)
	if w == "" {
		return nil, s.errAt(start, "expected a host name in the %s block, found %s", p.backend(), s.describe(start))
	}
	if err := checkNodeSet(s, start, w); err != nil {
		return nil, err
	}
	return &Pattern{Text: w}, nil
}
