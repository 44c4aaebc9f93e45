package nodeset

import "fmt"

// parser reads one node-set pattern: terms joined by top-level operators.
type parser struct {
	src   string
	pos   int
	limit int
}

// isOp reports whether c is a top-level set operator.
func isOp(c byte) bool { return c == ',' || c == '!' || c == '&' || c == '^' }

// isSpace reports whether c is blank space ignored around operators.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// parse evaluates the whole pattern left to right.
func (p *parser) parse() ([]string, error) {
	p.skipSpace()
	if p.pos == len(p.src) {
		return nil, nil
	}
	first, err := p.term()
	if err != nil {
		return nil, err
	}
	acc := &nset{names: first}
	for {
		p.skipSpace()
		if p.pos == len(p.src) {
			return acc.names, nil
		}
		op, opPos := p.src[p.pos], p.pos
		if !isOp(op) {
			return nil, errAt(p.pos, "expected an operator (',', '!', '&', '^') or the end of the node set, found %s", describe(p.src, p.pos))
		}
		p.pos++
		p.skipSpace()
		if p.pos == len(p.src) || isOp(p.src[p.pos]) {
			return nil, errAt(p.pos, "expected a node name after %q, found %s", op, describe(p.src, p.pos))
		}
		rhs, err := p.term()
		if err != nil {
			return nil, err
		}
		acc.apply(op, rhs)
		if len(acc.names) > p.limit {
			return nil, errAt(opPos, "node set expands to more than %d names", p.limit)
		}
	}
}

// describe names the byte at off for an error message.
func describe(src string, off int) string {
	if off >= len(src) {
		return "the end of the node set"
	}
	return fmt.Sprintf("%q", src[off])
}

// term parses one name pattern (literals and bracket groups) and expands it.
func (p *parser) term() ([]string, error) {
	start := p.pos
	t := termPattern{lits: []string{""}}
	litStart := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if isOp(c) || isSpace(c) {
			break
		}
		switch {
		case c == '[':
			t.lits[len(t.lits)-1] += p.src[litStart:p.pos]
			g, err := p.group()
			if err != nil {
				return nil, err
			}
			t.groups = append(t.groups, g)
			t.lits = append(t.lits, "")
			litStart = p.pos
		case c == ']':
			return nil, errAt(p.pos, "unexpected ']' without a matching '['")
		case c < 0x20 || c == 0x7f:
			return nil, errAt(p.pos, "unexpected control character %q in a node name", c)
		default:
			p.pos++
		}
	}
	t.lits[len(t.lits)-1] += p.src[litStart:p.pos]
	if p.pos == start {
		return nil, errAt(p.pos, "expected a node name, found %s", describe(p.src, p.pos))
	}
	return t.expand(start, p.limit)
}

// group parses a bracket group "[...]" at p.pos into its distinct elements.
func (p *parser) group() ([]elem, error) {
	open := p.pos
	p.pos++ // '['
	var rs rangeSet
	for {
		r, err := p.rangeItem()
		if err != nil {
			return nil, err
		}
		if err := rs.add(r, p.limit); err != nil {
			return nil, errAt(r.at, "%v", err)
		}
		if p.pos == len(p.src) {
			return nil, errAt(p.pos, "expected ',' or ']' to close the '[' at column %d, found the end of the node set", open+1)
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return rs.elems, nil
		default:
			return nil, errAt(p.pos, "expected a digit, '-', '/', ',' or ']' in a range set, found %s", describe(p.src, p.pos))
		}
	}
}

// rangeItem parses "N", "N-M" or "N-M/S" at p.pos.
func (p *parser) rangeItem() (numRange, error) {
	at := p.pos
	lo, loText, err := p.number()
	if err != nil {
		return numRange{}, err
	}
	r := numRange{lo: lo, hi: lo, step: 1, pad: padOf(loText), at: at}
	if p.pos >= len(p.src) || p.src[p.pos] != '-' {
		return r, nil
	}
	p.pos++
	hiAt := p.pos
	hi, hiText, err := p.number()
	if err != nil {
		return numRange{}, err
	}
	if hi < lo {
		return numRange{}, errAt(at, "range %s-%s: start is greater than end", loText, hiText)
	}
	if err := checkPadding(loText, hiText); err != nil {
		return numRange{}, errAt(hiAt, "range %s-%s: %v", loText, hiText, err)
	}
	r.hi = hi
	if p.pos < len(p.src) && p.src[p.pos] == '/' {
		p.pos++
		stepAt := p.pos
		step, _, err := p.number()
		if err != nil {
			return numRange{}, err
		}
		if step == 0 {
			return numRange{}, errAt(stepAt, "step must be at least 1")
		}
		r.step = step
	}
	return r, nil
}

// maxDigits bounds numbers so that arithmetic on them cannot overflow.
const maxDigits = 18

// number parses a run of decimal digits at p.pos.
func (p *parser) number() (uint64, string, error) {
	start := p.pos
	for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return 0, "", errAt(p.pos, "expected a digit in a range set, found %s", describe(p.src, p.pos))
	}
	text := p.src[start:p.pos]
	if len(text) > maxDigits {
		return 0, "", errAt(start, "number %s has more than %d digits", text, maxDigits)
	}
	return parseDigits(text), text, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseDigits converts a short run of decimal digits.
func parseDigits(s string) uint64 {
	var v uint64
	for i := 0; i < len(s); i++ {
		v = v*10 + uint64(s[i]-'0')
	}
	return v
}

// padOf returns the zero-padded width a number's text asks for, 0 if none.
func padOf(text string) int {
	if len(text) > 1 && text[0] == '0' {
		return len(text)
	}
	return 0
}

// checkPadding rejects ranges whose bounds disagree on padding: "01-10"
// and "0998-1000" are fine, "1-010" and "01-5" are not.
func checkPadding(lo, hi string) error {
	loPad, hiPad := padOf(lo), padOf(hi)
	switch {
	case hiPad > 0 && hiPad != loPad:
		return fmt.Errorf("end is padded to %d digits but start is not", hiPad)
	case loPad > 0 && len(hi) < loPad:
		return fmt.Errorf("start is padded to %d digits but end has fewer", loPad)
	}
	return nil
}
