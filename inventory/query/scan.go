package query

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

// scanner is the lexer shared by the global grammar and the backend
// grammars. Which token comes next depends on where the parser stands (an
// operand or an operator), as in cumin's pyparsing grammars, so the parser
// asks for the token it expects and the scanner answers from the current
// offset. Offsets are byte offsets into src; base is the offset of src
// within the whole query text, so errors point at the query's column.
type scanner struct {
	src  string
	full string // the whole query text, for error columns
	base int    // offset of src within full
	pos  int
	// global makes a keyword end only where a native token cannot go on
	// ("not-me" is a host name at the global level).
	global bool
}

// newScanner returns a scanner over src, a part of full starting at base.
func newScanner(full string, base int, src string) *scanner {
	return &scanner{src: src, full: full, base: base}
}

// isSpace reports whether c is whitespace as pyparsing skips it.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isIdent reports whether c may continue a keyword (pyparsing's
// DEFAULT_KEYWORD_CHARS): a keyword must not be followed by one.
func isIdent(c byte) bool { return isAlnum(c) || c == '_' || c == '$' }

// skipSpace moves past whitespace.
func (s *scanner) skipSpace() {
	for s.pos < len(s.src) && isSpace(s.src[s.pos]) {
		s.pos++
	}
}

// eof reports whether only whitespace is left.
func (s *scanner) eof() bool {
	s.skipSpace()
	return s.pos >= len(s.src)
}

// peek returns the byte at the current offset, or 0 at the end.
func (s *scanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

// keywordAt reports the length of keyword kw (caseless) at offset off when
// it stands there as a whole keyword, else 0. "and not" matches "and"
// followed by any whitespace and "not".
func (s *scanner) keywordAt(off int, kw string) int {
	if off > 0 && isIdent(s.src[off-1]) {
		return 0
	}
	end := off
	for i, word := range strings.Fields(kw) {
		if i > 0 {
			start := end
			for end < len(s.src) && isSpace(s.src[end]) {
				end++
			}
			if end == start {
				return 0
			}
		}
		if len(s.src)-end < len(word) || !strings.EqualFold(s.src[end:end+len(word)], word) {
			return 0
		}
		end += len(word)
	}
	if end < len(s.src) && isIdent(s.src[end]) {
		return 0
	}
	if s.global && end < len(s.src) && (isNativeChar(s.src[end]) || strings.IndexByte("=~:{/", s.src[end]) >= 0) {
		return 0
	}
	return end - off
}

// boolOps are the boolean operators of cumin's global, direct and
// known_hosts grammars, longest first so that "and not" wins over "and".
var boolOps = []string{"and not", "and", "xor", "or"}

// operatorAt returns the boolean operator among ops at the current offset
// (after whitespace) and its length, or "" when there is none.
func (s *scanner) operatorAt(ops []string) (string, int) {
	s.skipSpace()
	for _, op := range ops {
		if n := s.keywordAt(s.pos, op); n > 0 {
			return op, n
		}
	}
	return "", 0
}

// word returns the longest run of bytes accepted by ok at the current
// offset.
func (s *scanner) word(ok func(byte) bool) string {
	start := s.pos
	for s.pos < len(s.src) && ok(s.src[s.pos]) {
		s.pos++
	}
	return s.src[start:s.pos]
}

// quotedRE is pyparsing's quotedString: single or double quotes, a doubled
// quote or a backslash escape inside, no raw line break.
var quotedRE = regexp.MustCompile(`^(?:"(?:[^"\n\r\\]|""|\\(?:[^x]|x[0-9a-fA-F]+))*"|'(?:[^'\n\r\\]|''|\\(?:[^x]|x[0-9a-fA-F]+))*')`)

// quotedAt returns the length of the quoted string starting at off, or 0.
func quotedAt(src string, off int) int {
	if off >= len(src) || src[off] != '"' && src[off] != '\'' {
		return 0
	}
	return len(quotedRE.FindString(src[off:]))
}

// col returns the 1-based column (in characters) of offset off of src.
func (s *scanner) col(off int) int {
	abs := s.base + off
	if abs > len(s.full) {
		abs = len(s.full)
	}
	return utf8.RuneCountInString(s.full[:abs]) + 1
}

// errAt builds the syntax error at offset off of src.
func (s *scanner) errAt(off int, format string, args ...any) error {
	return posfile.Errorf("query", 1, s.col(off), format, args...)
}

// describe names what stands at offset off, for error messages: up to 20
// characters to the next whitespace.
func (s *scanner) describe(off int) string {
	if off >= len(s.src) {
		return "end of query"
	}
	end, n := off, 0
	for end < len(s.src) && !isSpace(s.src[end]) && n < 20 {
		_, size := utf8.DecodeRuneInString(s.src[end:])
		end += size
		n++
	}
	if end == off {
		_, size := utf8.DecodeRuneInString(s.src[off:])
		end = off + size
	}
	return "'" + s.src[off:end] + "'"
}

// chain reads (operator item)* after left, combining left to right without
// precedence as cumin does: "a or b and c" is "(a or b) and c". Both the
// global grammar and the inside of D{} and K{} use it.
func chain(s *scanner, left Expr, item func() (Expr, error)) (Expr, error) {
	for {
		op, n := s.operatorAt(boolOps)
		if op == "" {
			return left, nil
		}
		s.pos += n
		right, err := item()
		if err != nil {
			return nil, err
		}
		left = &Binary{Op: op, Left: left, Right: right}
	}
}
