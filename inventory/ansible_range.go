package inventory

import (
	"fmt"
	"strconv"
	"strings"
)

// asciiLetters is Ansible's alphabet for alphabetic ranges [a:f].
const asciiLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// ansibleHostPattern splits an Ansible host pattern into the names it
// expands to and an optional port: "web[01:10].example.org",
// "db[a:c]:2222", "host[0:20:5]". Ranges follow Ansible: [beg:end] or
// [beg:end:step], inclusive; a zero-padded beginning pads every number and
// needs an end of the same width; single letters give alphabetic ranges;
// several ranges expand as a cartesian product. Errors return the 0-based
// offset in pattern of the problem.
// At most limit names are accepted.
func ansibleHostPattern(pattern string, limit int) (names []string, port int, off int, err error) {
	host := pattern
	if i := strings.LastIndexByte(pattern, ':'); i >= 0 && strings.LastIndexByte(pattern, ']') < i &&
		strings.Count(outsideBrackets(pattern), ":") == 1 {
		host = pattern[:i]
		p, perr := strconv.Atoi(pattern[i+1:])
		if perr != nil || p < 1 || p > 65535 {
			return nil, 0, i + 1, fmt.Errorf("port %q after ':' must be a number from 1 to 65535", pattern[i+1:])
		}
		port = p
	}
	if host == "" {
		return nil, 0, 0, fmt.Errorf("empty host name")
	}
	names, off, err = expandAnsibleRanges(host, 0, limit)
	if err != nil {
		return nil, 0, off, err
	}
	return names, port, 0, nil
}

// outsideBrackets returns s without its bracketed parts.
func outsideBrackets(s string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '[':
			depth++
		case s[i] == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// expandAnsibleRanges expands the first "[beg:end(:step)]" of s (at
// offset base in the pattern) and, recursively, the rest.
func expandAnsibleRanges(s string, base, limit int) ([]string, int, error) {
	open := strings.IndexByte(s, '[')
	if open < 0 {
		if i := strings.IndexByte(s, ']'); i >= 0 {
			return nil, base + i, fmt.Errorf("unexpected ']' without a matching '['")
		}
		return []string{s}, 0, nil
	}
	closeRel := strings.IndexByte(s[open:], ']')
	if closeRel < 0 {
		return nil, base + open, fmt.Errorf("'[' without a matching ']'")
	}
	end := open + closeRel
	items, off, err := ansibleRange(s[open+1:end], base+open+1, limit)
	if err != nil {
		return nil, off, err
	}
	rest, off, err := expandAnsibleRanges(s[end+1:], base+end+1, limit)
	if err != nil {
		return nil, off, err
	}
	if len(items) > limit/len(rest) {
		return nil, base + open, fmt.Errorf("host pattern expands to more than %d names", limit)
	}
	out := make([]string, 0, len(items)*len(rest))
	prefix := s[:open]
	for _, it := range items {
		for _, r := range rest {
			out = append(out, prefix+it+r)
		}
	}
	return out, 0, nil
}

// ansibleRange expands the inside of one bracket, "01:10" or "a:f:2".
func ansibleRange(inner string, at, limit int) ([]string, int, error) {
	parts := strings.Split(inner, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, at, fmt.Errorf("host range [%s]: expected [begin:end] or [begin:end:step]", inner)
	}
	beg, end := parts[0], parts[1]
	if beg == "" {
		beg = "0"
	}
	if end == "" {
		return nil, at, fmt.Errorf("host range [%s]: missing end value", inner)
	}
	step := 1
	if len(parts) == 3 && parts[2] != "" {
		s, err := strconv.Atoi(parts[2])
		if err != nil || s < 1 {
			return nil, at, fmt.Errorf("host range [%s]: step %q must be a positive integer", inner, parts[2])
		}
		step = s
	}
	bi, ei := strings.Index(asciiLetters, beg), strings.Index(asciiLetters, end)
	if len(beg) == 1 && len(end) == 1 && bi >= 0 && ei >= 0 {
		if bi > ei {
			return nil, at, fmt.Errorf("host range [%s]: begin is after end", inner)
		}
		var out []string
		for i := bi; i <= ei; i += step {
			out = append(out, asciiLetters[i:i+1])
		}
		return out, 0, nil
	}
	width := 0
	if len(beg) > 1 && beg[0] == '0' {
		width = len(beg)
		if len(end) != width {
			return nil, at, fmt.Errorf("host range [%s]: begin and end must have the same width when padded", inner)
		}
	}
	b, berr := strconv.ParseUint(beg, 10, 63)
	e, eerr := strconv.ParseUint(end, 10, 63)
	if berr != nil || eerr != nil {
		return nil, at, fmt.Errorf("host range [%s]: expected numbers or single letters", inner)
	}
	if b > e {
		return nil, at, fmt.Errorf("host range [%s]: begin is greater than end", inner)
	}
	if (e-b)/uint64(step) >= uint64(limit) {
		return nil, at, fmt.Errorf("host range [%s] expands to more than %d names", inner, limit)
	}
	out := make([]string, 0, (e-b)/uint64(step)+1)
	for v := b; v <= e; v += uint64(step) {
		s := strconv.FormatUint(v, 10)
		if len(s) < width {
			s = strings.Repeat("0", width-len(s)) + s
		}
		out = append(out, s)
	}
	return out, 0, nil
}
