package ownership

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/suggest"
	"github.com/fleetcheck/fleetcheck/inventory/query"
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
	names := f.TeamNames()
	return fmt.Errorf("no team %q in %s%s; teams: %s", team, f.Path, suggest.DidYouMean(team, names), strings.Join(names, ", "))
}

// TeamNames are the names of the teams the file defines, in its order.
func (f *File) TeamNames() []string {
	names := make([]string, len(f.Teams))
	for i, t := range f.Teams {
		names[i] = t.Name
	}
	return names
}

// LintAll is Lint against env and LintChecks against known, the findings
// merged in position order. The error is Compile's.
func (f *File) LintAll(ctx context.Context, env *query.Env, known []string) ([]Finding, error) {
	findings, err := f.Lint(ctx, env)
	if err != nil {
		return nil, err
	}
	findings = append(findings, f.LintChecks(known)...)
	slices.SortStableFunc(findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return findings, nil
}

// HasErrors reports whether any finding is an error (not only a warning).
func HasErrors(findings []Finding) bool {
	return slices.ContainsFunc(findings, func(fd Finding) bool { return fd.Severity == SeverityError })
}
