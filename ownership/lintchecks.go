package ownership

import (
	"fmt"
	"path"
	"slices"
	"strings"

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

// UnknownTeam is nil when the file defines team, else an error naming the
// file's teams and the one nearest to team.
func (f *File) UnknownTeam(team string) error {
	if _, ok := f.Team(team); ok {
		return nil
	}
	names := make([]string, len(f.Teams))
	for i, t := range f.Teams {
		names[i] = t.Name
	}
	return fmt.Errorf("no team %q in %s%s; teams: %s", team, f.Path, suggest.DidYouMean(team, names), strings.Join(names, ", "))
}
