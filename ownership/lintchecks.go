package ownership

import (
	"fmt"
	"path"
	"slices"

	"github.com/fleetcheck/fleetcheck/internal/suggest"
)

// LintChecks reports the rules naming a check (or a glob) that matches
// none of known, the checks that exist: `checks: [pupet]` would never own
// anything.
func (f *File) LintChecks(known []string) []Finding {
	var out []Finding
	for _, r := range f.Rules {
		for _, name := range r.Checks {
			if !NamesCheck(name, known) {
				msg := fmt.Sprintf("rule %s names check %q, which does not exist%s", r.ID, name, suggest.DidYouMean(name, known))
				out = append(out, Finding{Severity: SeverityError, Pos: r.Pos, Msg: msg})
			}
		}
	}
	return out
}

// NamesCheck reports whether pattern, a check name or glob as a rule's
// checks: holds, selects one of known.
func NamesCheck(pattern string, known []string) bool {
	return slices.ContainsFunc(known, func(n string) bool {
		ok, _ := path.Match(pattern, n)
		return ok
	})
}
