package ownership

import (
	"path"
	"strings"
)

// checkMatcher selects check names by exact name or glob; empty selects all.
type checkMatcher struct {
	all   bool
	names []string // exact names
	globs []string // path.Match patterns
}

// newCheckMatcher builds a matcher from the rule's checks: entries.
func newCheckMatcher(entries []string) checkMatcher {
	if len(entries) == 0 {
		return checkMatcher{all: true}
	}
	var m checkMatcher
	for _, e := range entries {
		if isGlob(e) {
			m.globs = append(m.globs, e)
		} else {
			m.names = append(m.names, e)
		}
	}
	return m
}

// isGlob reports whether s uses path.Match metacharacters.
func isGlob(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// match reports whether the check named check is selected.
func (m *checkMatcher) match(check string) bool {
	if m.all {
		return true
	}
	for _, n := range m.names {
		if n == check {
			return true
		}
	}
	for _, g := range m.globs {
		if ok, _ := path.Match(g, check); ok {
			return true
		}
	}
	return false
}

// covers reports whether every check m selects is also selected by o
// (conservative for globs: a glob is covered only by the same glob, by
// "*", or by a matcher selecting every check).
func (m *checkMatcher) covers(o *checkMatcher) bool {
	// m.covers(o) means o ⊆ m.
	if m.all {
		return true
	}
	if o.all {
		return false
	}
	for _, n := range o.names {
		if !m.match(n) {
			return false
		}
	}
	for _, g := range o.globs {
		found := false
		for _, mg := range m.globs {
			if mg == g || mg == "*" {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
