package ownership

import (
	"context"
	"fmt"
	"math/bits"
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

	// The rule sets transposed for lookups: per host index, words of
	// bits over rule indices (bit i set: rule i selects the host), so
	// Owner reads one small slice and visits only the rules that
	// select the host, last first.
	words    int      // uint64 words per host: (len(rules)+63)/64
	hostMask []uint64 // len(names)*words
	allMask  []uint64 // rules selecting every host, even unknown ones
}

// compiledRule is a rule with its host query evaluated.
type compiledRule struct {
	rule  *Rule
	all   bool   // selects every host, even ones unknown to the inventory
	hosts bitset // selected host indices when !all
}

// Compile evaluates every rule's host query once against env (one
// query.Evaluator shared by all rules, identical queries evaluated once),
// so Owner never evaluates a query. A rule whose
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
	ev, err := query.NewEvaluator(env)
	if err != nil {
		return nil, fmt.Errorf("owners %s: compile: %w", f.Path, err)
	}
	evaluated := map[string]bitset{} // query text -> hosts, for rules sharing a query
	for i := range f.Rules {
		r := &f.Rules[i]
		cr := compiledRule{rule: r, all: r.expr == nil}
		if !cr.all {
			set, done := evaluated[r.Hosts]
			if !done {
				var err error
				if set, err = m.eval(ctx, ev, r); err != nil {
					return nil, err
				}
				evaluated[r.Hosts] = set
			}
			cr.hosts = set
		}
		m.rules[i] = cr
	}
	m.transpose()
	for _, t := range f.Teams {
		var d [5]time.Duration
		for s := checks.OK; s <= checks.Unreachable; s++ {
			d[s] = ResolveSLA(t.SLA, f.SLA, s)
		}
		m.sla[t.Name] = d
	}
	return m, nil
}

// eval evaluates rule r's host query into a set of host indices.
func (m *Matcher) eval(ctx context.Context, ev *query.Evaluator, r *Rule) (bitset, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("owners %s: compile: %w", m.file.Path, err)
	}
	hosts, err := ev.Eval(ctx, r.expr)
	if err != nil {
		return nil, &posfile.Error{File: m.file.Path, Line: r.HostsPos.Line, Col: r.HostsPos.Col,
			Msg: fmt.Sprintf("rule %q: evaluating hosts %q", r.ID, r.Hosts), Err: err}
	}
	set := newBitset(len(m.names))
	for _, h := range hosts {
		set.set(m.index(h.Name))
	}
	return set, nil
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

// transpose builds hostMask and allMask from the per-rule host sets.
func (m *Matcher) transpose() {
	m.words = (len(m.rules) + 63) / 64
	m.hostMask = make([]uint64, len(m.names)*m.words)
	m.allMask = make([]uint64, m.words)
	for i := range m.rules {
		cr := &m.rules[i]
		w, bit := i/64, uint64(1)<<(uint(i)%64)
		if cr.all {
			m.allMask[w] |= bit
			continue
		}
		for wi, word := range cr.hosts {
			for word != 0 {
				hi := wi*64 + bits.TrailingZeros64(word)
				word &= word - 1
				m.hostMask[hi*m.words+w] |= bit
			}
		}
	}
}

// hostIndex returns the index of host, -1 when no query selected it and
// the inventory does not hold it.
func (m *Matcher) hostIndex(host string) int {
	if i, ok := m.hostIdx[host]; ok {
		return i
	}
	return -1
}

// selects reports whether rule i selects the host at index hi (-1: a host
// no query selected).
func (m *Matcher) selects(i, hi int) bool {
	w, bit := i/64, uint64(1)<<(uint(i)%64)
	if m.allMask[w]&bit != 0 {
		return true
	}
	return hi >= 0 && m.hostMask[hi*m.words+w]&bit != 0
}

// winnerAt returns the index of the last rule selecting the host at index
// hi and check, -1 when none does.
func (m *Matcher) winnerAt(hi int, check string) int {
	for w := m.words - 1; w >= 0; w-- {
		mask := m.allMask[w]
		if hi >= 0 {
			mask |= m.hostMask[hi*m.words+w]
		}
		for mask != 0 {
			b := 63 - bits.LeadingZeros64(mask)
			i := w*64 + b
			if m.rules[i].rule.checkSet.match(check) {
				return i
			}
			mask &^= 1 << uint(b)
		}
	}
	return -1
}

// winner returns the index of the last rule matching host and check, -1
// when none does.
func (m *Matcher) winner(host, check string) int {
	return m.winnerAt(m.hostIndex(host), check)
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
		return fmt.Errorf("%s: owned by %s (unowned: no rule matches, fallback team), expected %s", what, o.Team, expectTeam)
	}
	r := m.rules[w].rule
	if r.Unowned {
		return fmt.Errorf("%s: owned by %s (unowned: rule %s at %s says owner: null, fallback team), expected %s",
			what, o.Team, r.ID, r.Pos.Short(), expectTeam)
	}
	return fmt.Errorf("%s: owned by %s (rule %s at %s), expected %s", what, o.Team, r.ID, r.Pos.Short(), expectTeam)
}
