package query

import (
	"fmt"
	"strings"

	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// globMatch reports whether name matches pattern, where "*" matches any
// run of bytes and "?" exactly one; every other byte matches itself.
func globMatch(pattern, name string) bool {
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == name[n]) && pattern[p] != '*':
			p++
			n++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case star >= 0:
			p = star + 1
			mark++
			n = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// matcher is a compiled host pattern: exact names, and globs tried in turn.
type matcher struct {
	names map[string]bool
	globs []string
}

// compilePattern expands the node-set syntax of a pattern (brackets and
// the operators ",!&^") and sorts the results into exact names and globs.
func compilePattern(pattern string) (*matcher, error) {
	parts := []string{pattern}
	if strings.ContainsAny(pattern, "[],!&^") {
		var err error
		if parts, err = nodeset.Expand(pattern); err != nil {
			return nil, fmt.Errorf("node set %q: %w", pattern, err)
		}
	}
	m := &matcher{names: map[string]bool{}}
	for _, p := range parts {
		if strings.ContainsAny(p, "*?") {
			m.globs = append(m.globs, p)
		} else {
			m.names[p] = true
		}
	}
	return m, nil
}

// match reports whether name matches.
func (m *matcher) match(name string) bool {
	if m.names[name] {
		return true
	}
	for _, g := range m.globs {
		if globMatch(g, name) {
			return true
		}
	}
	return false
}
