package query

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// evaluator evaluates queries against an Env. Sets are bitsets over host
// indexes: inventory hosts 0..n-1, then hosts from backend blocks that the
// inventory does not hold. What does not change between queries (name
// index, known_hosts names, alias and leaf results) is kept.
type evaluator struct {
	ctx   context.Context // of the current call
	env   *Env
	hosts []inventory.Host // inventory hosts
	n     int

	invIndexed bool           // env.Inventory.Lookup works (built by inventory.New)
	scans      int            // linear name searches done before building byName
	byName     map[string]int // inventory host name -> index, built on demand
	extraIdx   map[string]int // name -> index of hosts outside the inventory
	extras     []inventory.Host
	aliases    map[string]bitset
	stack      []string // aliases being evaluated, for cycle detection
	leaves     map[string]bitset
	labels     map[string]labelIndex
	known      []knownHost
	knownSet   bool
}

// maxScans is how many names are looked up by a linear search before the
// evaluator builds its name index.
const maxScans = 16

// newEvaluator prepares the evaluation of queries against env.
func newEvaluator(env *Env) (*evaluator, error) {
	if env == nil || env.Inventory == nil {
		return nil, errors.New("query: no inventory to evaluate against")
	}
	hosts := env.Inventory.Hosts
	ev := &evaluator{
		env: env, hosts: hosts, n: len(hosts),
		extraIdx: map[string]int{}, labels: map[string]labelIndex{}, aliases: map[string]bitset{}, leaves: map[string]bitset{},
	}
	if len(hosts) > 0 {
		_, ev.invIndexed = env.Inventory.Lookup(hosts[0].Name)
	}
	return ev, nil
}

// run evaluates e under ctx.
func (ev *evaluator) run(ctx context.Context, e Expr) ([]inventory.Host, error) {
	ev.ctx = ctx
	ev.stack = ev.stack[:0]
	set, err := ev.eval(e)
	if err != nil {
		return nil, err
	}
	return ev.result(set), nil
}

// result lists the hosts of set: inventory order, then the others by name.
func (ev *evaluator) result(set bitset) []inventory.Host {
	out := make([]inventory.Host, 0, set.count())
	var extra []inventory.Host
	set.each(func(i int) {
		if i < ev.n {
			out = append(out, ev.hosts[i])
		} else {
			extra = append(extra, ev.extras[i-ev.n])
		}
	})
	sort.Slice(extra, func(i, j int) bool { return extra[i].Name < extra[j].Name })
	return append(out, extra...)
}

// all returns the set of every inventory host.
func (ev *evaluator) all() bitset {
	b := newBitset(ev.n)
	for i := range ev.n {
		b[i/64] |= 1 << (uint(i) % 64)
	}
	return b
}

// index returns the index of the host named name, adding a host outside
// the inventory (with source src) when add is true; -1 when absent.
func (ev *evaluator) index(name, src string, add bool) int {
	if i := ev.inventoryIndex(name); i >= 0 || !add {
		return i
	}
	if i, ok := ev.extraIdx[name]; ok {
		return i
	}
	i := ev.n + len(ev.extras)
	ev.extras = append(ev.extras, inventory.Host{Name: name, Source: src})
	ev.extraIdx[name] = i
	return i
}

// inventoryIndex returns the index of an inventory host, or -1. The
// inventory's own index answers absent names; the first few present ones
// are found by a linear search, then a name index is built.
func (ev *evaluator) inventoryIndex(name string) int {
	if ev.byName == nil {
		if ev.invIndexed {
			if _, ok := ev.env.Inventory.Lookup(name); !ok {
				return -1
			}
		}
		if ev.scans < maxScans {
			ev.scans++
			for i := range ev.hosts {
				if ev.hosts[i].Name == name {
					return i
				}
			}
			return -1
		}
		ev.byName = make(map[string]int, ev.n)
		for i, h := range ev.hosts {
			ev.byName[h.Name] = i
		}
	}
	if i, ok := ev.byName[name]; ok {
		return i
	}
	return -1
}

// eval returns the set e selects.
func (ev *evaluator) eval(e Expr) (bitset, error) {
	if err := ev.ctx.Err(); err != nil {
		return nil, err
	}
	switch e := e.(type) {
	case *Binary:
		l, err := ev.eval(e.Left)
		if err != nil {
			return nil, err
		}
		r, err := ev.eval(e.Right)
		if err != nil {
			return nil, err
		}
		return applyOp(e.Op, l, r)
	case *Not:
		x, err := ev.eval(e.X)
		if err != nil {
			return nil, err
		}
		return apply("and not", ev.all(), x), nil
	case *Alias:
		return ev.alias(e.Name)
	case *Block:
		return ev.memo("B"+e.String(), func() (bitset, error) { return ev.block(e) })
	case *Label:
		return ev.memo("L"+e.String(), func() (bitset, error) { return ev.label(e) })
	case All:
		return ev.all(), nil
	case *HostName:
		b := newBitset(ev.n)
		if i := ev.index(e.Name, "", false); i >= 0 {
			b.set(i)
		}
		return b, nil
	case *Glob:
		return ev.memo("G"+e.Pattern, func() (bitset, error) { return ev.pattern(e.Pattern) })
	case *NodeSet:
		return ev.memo("N"+e.Pattern, func() (bitset, error) { return ev.nodeSet(e.Pattern, "", false) })
	case nil:
		return nil, errors.New("query: nil expression")
	}
	return nil, fmt.Errorf("query: cannot evaluate %T here", e)
}

// memo evaluates a leaf once per evaluator.
func (ev *evaluator) memo(key string, f func() (bitset, error)) (bitset, error) {
	if b, ok := ev.leaves[key]; ok {
		return b, nil
	}
	b, err := f()
	if err != nil {
		return nil, err
	}
	ev.leaves[key] = b
	return b, nil
}

// alias evaluates the query an alias names, once, refusing cycles.
func (ev *evaluator) alias(name string) (bitset, error) {
	if b, ok := ev.aliases[name]; ok {
		return b, nil
	}
	for i, a := range ev.stack {
		if a == name {
			cycle := append(append([]string{}, ev.stack[i:]...), name)
			return nil, fmt.Errorf("alias cycle: A:%s", strings.Join(cycle, " -> A:"))
		}
	}
	text, ok := ev.env.Inventory.Aliases[name]
	if !ok {
		return nil, fmt.Errorf("unknown alias A:%s", name)
	}
	var b bitset
	if t := strings.TrimSpace(text); t == "" || t == "all" {
		b = ev.all()
	} else {
		e, err := Parse(text)
		if err != nil {
			return nil, fmt.Errorf("alias A:%s: %w", name, err)
		}
		ev.stack = append(ev.stack, name)
		b, err = ev.eval(e)
		ev.stack = ev.stack[:len(ev.stack)-1]
		if err != nil {
			return nil, fmt.Errorf("alias A:%s: %w", name, err)
		}
	}
	ev.aliases[name] = b
	return b, nil
}

// label evaluates a label selector from the label's index: "=" is one
// value's hosts, "!=" every other host, "~" the hosts of every value the
// regular expression matches (each distinct value is matched once).
func (ev *evaluator) label(l *Label) (bitset, error) {
	idx := ev.labelIndex(l.Key)
	b := newBitset(ev.n)
	switch l.Op {
	case "=":
		addIndexes(b, idx[l.Value])
	case "!=":
		addIndexes(b, idx[l.Value])
		return apply("and not", ev.all(), b), nil
	case "~":
		re := l.re
		if re == nil {
			var err error
			if re, err = regexp.Compile(l.Value); err != nil {
				return nil, fmt.Errorf("label %s~: %w", l.Key, err)
			}
		}
		for v, list := range idx {
			if re.MatchString(v) {
				addIndexes(b, list)
			}
		}
	default:
		return nil, fmt.Errorf("label %s: unknown operator %q", l.Key, l.Op)
	}
	return b, nil
}

// pattern selects the inventory hosts whose name matches a glob (with
// optional node-set brackets).
func (ev *evaluator) pattern(p string) (bitset, error) {
	m, err := compilePattern(p)
	if err != nil {
		return nil, err
	}
	b := newBitset(ev.n)
	for i := range ev.hosts {
		if m.match(ev.hosts[i].Name) {
			b[i/64] |= 1 << (uint(i) % 64)
		}
	}
	return b, nil
}

// nodeSet selects the hosts a node set names: only inventory hosts, or
// (add) any name, as a host with source src when the inventory lacks it.
func (ev *evaluator) nodeSet(p, src string, add bool) (bitset, error) {
	names, err := nodeset.Expand(p)
	if err != nil {
		return nil, fmt.Errorf("node set %q: %w", p, err)
	}
	b := newBitset(ev.n)
	for _, name := range names {
		if i := ev.index(name, src, add); i >= 0 {
			b.set(i)
		}
	}
	return b, nil
}

// block evaluates a backend block.
func (ev *evaluator) block(b *Block) (bitset, error) {
	if b.Query == nil {
		q, err := Parse(b.Backend + "{" + b.Raw + "}")
		if err != nil {
			return nil, err
		}
		qb, ok := q.(*Block)
		if !ok || qb.Query == nil {
			return nil, fmt.Errorf("query: %s{%s} is not a backend block", b.Backend, b.Raw)
		}
		b = qb
	}
	switch b.Backend {
	case "D":
		return ev.hostsExpr(b.Query, ev.direct)
	case "K":
		return ev.hostsExpr(b.Query, ev.knownHosts)
	case "P":
		pq, ok := b.Query.(*PuppetQuery)
		if !ok {
			return nil, fmt.Errorf("query: P{} holds %T, not a PuppetDB query", b.Query)
		}
		return ev.puppet(pq)
	}
	return nil, fmt.Errorf("query: unknown backend %s{}", b.Backend)
}

// hostsExpr evaluates the inside of a D{} or K{} block left to right,
// selecting each host token with leaf.
func (ev *evaluator) hostsExpr(e Expr, leaf func(string) (bitset, error)) (bitset, error) {
	switch e := e.(type) {
	case *Binary:
		l, err := ev.hostsExpr(e.Left, leaf)
		if err != nil {
			return nil, err
		}
		r, err := ev.hostsExpr(e.Right, leaf)
		if err != nil {
			return nil, err
		}
		return applyOp(e.Op, l, r)
	case *Pattern:
		return leaf(e.Text)
	}
	return nil, fmt.Errorf("query: %T in a D{}/K{} block", e)
}

// direct selects the hosts a D{} token names, in the inventory or not.
func (ev *evaluator) direct(p string) (bitset, error) {
	return ev.nodeSet(p, "D{}", true)
}

// knownHosts selects the hosts of the known_hosts files a K{} token
// matches.
func (ev *evaluator) knownHosts(p string) (bitset, error) {
	if !ev.knownSet {
		kh, err := readKnownHosts(ev.env.KnownHosts)
		if err != nil {
			return nil, err
		}
		ev.known, ev.knownSet = kh, true
	}
	m, err := compilePattern(p)
	if err != nil {
		return nil, err
	}
	b := newBitset(ev.n)
	for _, k := range ev.known {
		if m.match(k.name) {
			b.set(ev.index(k.name, "K{"+k.file+"}", true))
		}
	}
	return b, nil
}

// puppet runs a P{} block against PuppetDB.
func (ev *evaluator) puppet(q *PuppetQuery) (bitset, error) {
	if ev.env.PuppetDB == nil {
		return nil, fmt.Errorf("query: P{%s}: no PuppetDB configured", q)
	}
	pql, err := PQL(q)
	if err != nil {
		return nil, fmt.Errorf("query: P{%s}: %w", q, err)
	}
	names, err := ev.env.PuppetDB.Query(ev.ctx, pql)
	if err != nil {
		return nil, fmt.Errorf("query: P{%s}: %w", q, err)
	}
	b := newBitset(ev.n)
	for _, name := range names {
		b.set(ev.index(name, "P{}", true))
	}
	return b, nil
}
