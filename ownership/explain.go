package ownership

import (
	"fmt"
	"strings"

	"github.com/fleetcheck/fleetcheck/checks"
)

// Explanation says which rule owns a failure and why every rule did or did
// not match, for `fleetcheck owners explain HOST [CHECK]`.
type Explanation struct {
	Host        string        // the host asked about
	Check       string        // the check asked about; "" for checks no rule names
	Status      checks.Status // the status the SLA was taken for
	InInventory bool          // whether the host is in the sweep's inventory
	Rules       []RuleMatch   // every rule, in file order
	Winner      int           // index in Rules of the deciding rule, -1 when none matched
	Owner       Owner         // the result, as Matcher.Owner returns it
	Fallback    string        // the fallback team
}

// RuleMatch is one rule's verdict in an Explanation.
type RuleMatch struct {
	ID      string // rule id
	Pos     Pos    // where the rule is
	Team    string // the rule's owner; "" when Unowned
	Unowned bool   // the rule says owner: null
	Matched bool   // the rule selects the host and the check
	Reason  string // why it did not match; "" when Matched
}

// WinnerPos returns the position of the deciding rule, the zero Pos when none.
func (e Explanation) WinnerPos() Pos {
	if e.Winner < 0 {
		return Pos{}
	}
	return e.Rules[e.Winner].Pos
}

// Explain lists every rule in order with whether it matches host and
// check, why not, and which one wins.
func (m *Matcher) Explain(host, check string, status checks.Status) Explanation {
	hi := m.hostIndex(host)
	e := Explanation{
		Host: host, Check: check, Status: status,
		InInventory: hi >= 0 && hi < m.nInventory, Winner: -1, Fallback: m.file.Fallback,
		Rules: make([]RuleMatch, len(m.rules)),
	}
	for i := range m.rules {
		cr := &m.rules[i]
		r := cr.rule
		rm := RuleMatch{ID: r.ID, Pos: r.Pos, Team: r.Owner, Unowned: r.Unowned}
		var why []string
		if !m.selects(i, hi) {
			why = append(why, fmt.Sprintf("host not selected by '%s'", r.Hosts))
		}
		if !r.checkSet.match(check) {
			if check == "" {
				why = append(why, fmt.Sprintf("only for checks [%s]", strings.Join(r.Checks, ", ")))
			} else {
				why = append(why, fmt.Sprintf("check %s not in [%s]", check, strings.Join(r.Checks, ", ")))
			}
		}
		rm.Matched = len(why) == 0
		rm.Reason = strings.Join(why, "; ")
		if rm.Matched {
			e.Winner = i
		}
		e.Rules[i] = rm
	}
	e.Owner = m.ownerOf(e.Winner, status)
	return e
}
