package ownership

import (
	"context"
	"fmt"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/inventory/query"
)

// Matcher answers "who owns this failure" for one sweep; every rule's query
// has been evaluated once against the sweep's environment. It is read-only
// after Compile and safe for concurrent use.
type Matcher struct {
	file       *File
	hostIdx    map[string]int // host name -> bit index; inventory hosts first
	names      []string       // bit index -> host name
	nInventory int            // how many leading indices are inventory hosts
	rules      []compiledRule // same order as file.Rules
	sla        map[string][5]time.Duration
}

// compiledRule is a rule with its host query evaluated.
type compiledRule struct {
	rule  *Rule
	all   bool   // selects every host, even ones unknown to the inventory
	hosts bitset // selected host indices when !all
}

// Compile evaluates every rule's host query once against env. A rule whose
// query cannot be evaluated (an unknown alias, say) is a *posfile.Error at
// the rule's hosts: value naming the rule.
func (f *File) Compile(ctx context.Context, env *query.Env) (*Matcher, error) {
	if env == nil || env.Inventory == nil {
		return nil, fmt.Errorf("owners %s: compile: no inventory", f.Path)
	}
	inv := env.Inventory
	m := &Matcher{
		file:       f,
		hostIdx:    make(map[string]int, len(inv.Hosts)),
		names:      make([]string, 0, len(inv.Hosts)),
		nInventory: len(inv.Hosts),
		rules:      make([]compiledRule, len(f.Rules)),
		sla:        make(map[string][5]time.Duration, len(f.Teams)),
	}
	for _, h := range inv.Hosts {
		m.index(h.Name)
	}
	for i := range f.Rules {
		r := &f.Rules[i]
		cr := compiledRule{rule: r, all: r.expr == nil}
		if !cr.all {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("owners %s: compile: %w", f.Path, err)
			}
			hosts, err := query.Eval(ctx, env, r.expr)
			if err != nil {
				return nil, &posfile.Error{File: f.Path, Line: r.HostsPos.Line, Col: r.HostsPos.Col,
					Msg: fmt.Sprintf("rule %q: evaluating hosts %q", r.ID, r.Hosts), Err: err}
			}
			cr.hosts = newBitset(len(m.names))
			for _, h := range hosts {
				cr.hosts.set(m.index(h.Name))
			}
		}
		m.rules[i] = cr
	}
	for _, t := range f.Teams {
		var d [5]time.Duration
		for s := checks.OK; s <= checks.Unreachable; s++ {
			d[s] = ResolveSLA(t.SLA, f.SLA, s)
		}
		m.sla[t.Name] = d
	}
	return m, nil
}

// index returns the bit index of host, assigning the next one if new.
func (m *Matcher) index(host string) int {
	if i, ok := m.hostIdx[host]; ok {
		return i
	}
	i := len(m.names)
	m.hostIdx[host] = i
	m.names = append(m.names, host)
	return i
}

// File returns the owners file the matcher was compiled from.
func (m *Matcher) File() *File { return m.file }

// matches reports whether rule i selects host (at index hi, -1 when no
// query selected it) and check.
func (cr *compiledRule) matches(hi int, check string) bool {
	if !cr.all && (hi < 0 || !cr.hosts.has(hi)) {
		return false
	}
	return cr.rule.checkSet.match(check)
}

// winner returns the index of the last rule matching host and check, -1
// when none does.
func (m *Matcher) winner(host, check string) int {
	hi, ok := m.hostIdx[host]
	if !ok {
		hi = -1
	}
	for i := len(m.rules) - 1; i >= 0; i-- {
		if m.rules[i].matches(hi, check) {
			return i
		}
	}
	return -1
}

// Owner returns the owner of a result of check on host with status.
func (m *Matcher) Owner(host, check string, status checks.Status) Owner {
	return m.ownerOf(m.winner(host, check), status)
}

// ownerOf builds the Owner decided by rule index w (-1: none).
func (m *Matcher) ownerOf(w int, status checks.Status) Owner {
	o := Owner{Team: m.file.Fallback, Unowned: true}
	if w >= 0 {
		r := m.rules[w].rule
		o.Rule = r.ID
		o.ProductOwner = r.ProductOwner
		if len(r.AlsoNotify) > 0 {
			o.AlsoNotify = append([]string(nil), r.AlsoNotify...)
		}
		if !r.Unowned {
			o.Team, o.Unowned = r.Owner, false
		}
	}
	if status >= checks.OK && status <= checks.Unreachable {
		o.SLA = m.sla[o.Team][status]
	}
	return o
}

// Test checks that the failure of check on host is owned by expectTeam,
// for `fleetcheck owners test --expect TEAM HOST [CHECK]`. The error says
// who owns it instead and which rule decided.
func (m *Matcher) Test(host, check, expectTeam string) error {
	w := m.winner(host, check)
	o := m.ownerOf(w, checks.Critical)
	if o.Team == expectTeam {
		return nil
	}
	what := host
	if check != "" {
		what += " check " + check
	}
	if w < 0 {
		return fmt.Errorf("%s: owned by %s (unowned: no rule matches, fallback team), want %s", what, o.Team, expectTeam)
	}
	r := m.rules[w].rule
	if r.Unowned {
		return fmt.Errorf("%s: owned by %s (unowned: rule %s at %s says owner: null, fallback team), want %s",
			what, o.Team, r.ID, r.Pos.Short(), expectTeam)
	}
	return fmt.Errorf("%s: owned by %s (rule %s at %s), want %s", what, o.Team, r.ID, r.Pos.Short(), expectTeam)
}
