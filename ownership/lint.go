package ownership

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
	"github.com/fleetcheck/fleetcheck/inventory/query"
)

// Severity says how bad a lint finding is.
type Severity string

// The lint severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one problem Lint found.
type Finding struct {
	Severity Severity
	Pos      Pos    // where to look
	Msg      string // what is wrong, one line
}

// String renders the finding as file:line:col: severity: message.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s", f.Pos, f.Severity, f.Msg)
}

// Lint compiles the file against env and reports what is likely wrong:
// teams nobody references, teams nobody can reach, rules that match no
// host, rules fully shadowed by later rules, and inventory hosts no rule
// owns. Findings are sorted by position. The error is Compile's.
func (f *File) Lint(ctx context.Context, env *query.Env) ([]Finding, error) {
	m, err := f.Compile(ctx, env)
	if err != nil {
		return nil, err
	}
	var out []Finding
	out = append(out, f.lintTeams()...)
	out = append(out, m.lintRules()...)
	out = append(out, m.lintUnownedHosts()...)
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return out, nil
}

// lintTeams reports teams referenced nowhere and teams with no contact.
func (f *File) lintTeams() []Finding {
	used := map[string]bool{f.Fallback: true}
	for _, r := range f.Rules {
		used[r.Owner] = true
		used[r.ProductOwner] = true
		for _, t := range r.AlsoNotify {
			used[t] = true
		}
	}
	var out []Finding
	for _, t := range f.Teams {
		if !used[t.Name] {
			out = append(out, Finding{SeverityWarning, t.Pos,
				fmt.Sprintf("team %s is referenced by no rule nor as fallback", t.Name)})
		}
		if !t.HasContact() {
			sev := SeverityWarning
			what := fmt.Sprintf("team %s has no contact, email or chat: its failures reach nobody", t.Name)
			if t.Name == f.Fallback {
				sev = SeverityError
				what = fmt.Sprintf("fallback team %s has no contact, email or chat: unowned failures reach nobody", t.Name)
			}
			out = append(out, Finding{sev, t.Pos, what})
		}
	}
	return out
}

// lintRules reports rules selecting no host and rules whose every host
// and check is also selected by later rules (so they never decide).
func (m *Matcher) lintRules() []Finding {
	var out []Finding
	for i := range m.rules {
		cr := &m.rules[i]
		r := cr.rule
		if !cr.all && cr.hosts.count() == 0 {
			out = append(out, Finding{SeverityWarning, r.Pos,
				fmt.Sprintf("rule %s matches no host (hosts: '%s')", r.ID, r.Hosts)})
			continue
		}
		if by := m.shadowedBy(i); len(by) > 0 {
			out = append(out, Finding{SeverityWarning, r.Pos,
				fmt.Sprintf("rule %s never decides: every host and check it matches is also matched by later rule %s (the last match wins)",
					r.ID, strings.Join(by, ", "))})
		}
	}
	return out
}

// shadowedBy returns the ids of the later rules that together cover every
// host of rule i, counting only those selecting every check rule i does
// and each adding hosts of rule i the ones before it did not cover;
// nil when rule i is not fully shadowed. Glob checks are compared
// conservatively (see checkMatcher.covers).
func (m *Matcher) shadowedBy(i int) []string {
	cr := &m.rules[i]
	var union bitset
	var ids []string
	for j := i + 1; j < len(m.rules); j++ {
		later := &m.rules[j]
		if !later.rule.checkSet.covers(&cr.rule.checkSet) {
			continue
		}
		if later.all {
			return []string{later.rule.ID}
		}
		if cr.all {
			continue // a query never covers hosts outside the inventory
		}
		if union.orMasked(later.hosts, cr.hosts) {
			ids = append(ids, later.rule.ID)
			if cr.hosts.subsetOf(union) {
				return ids
			}
		}
	}
	return nil
}

// lintUnownedHosts reports inventory hosts that no rule selects for
// checks no rule names (their failures go to the fallback, unowned).
// Hosts a rule explicitly leaves unowned (owner: null) are not reported.
func (m *Matcher) lintUnownedHosts() []Finding {
	var hosts []string
	for hi := 0; hi < m.nInventory; hi++ {
		if m.winnerAt(hi, "") < 0 {
			hosts = append(hosts, m.names[hi])
		}
	}
	if len(hosts) == 0 {
		return nil
	}
	what := "hosts are"
	if len(hosts) == 1 {
		what = "host is"
	}
	return []Finding{{SeverityWarning, m.file.rulesPos,
		fmt.Sprintf("%d inventory %s owned by no rule (their failures go to fallback %s, flagged unowned): %s",
			len(hosts), what, m.file.Fallback, nodeset.Fold(hosts))}}
}
