package query

import (
	"regexp"
	"strings"
)

// Binary combines two selections. Chains are evaluated left to right
// without precedence, as cumin does: "a or b and c" is "(a or b) and c",
// so Left of a chain is itself a *Binary and String prints it without
// parentheses.
type Binary struct {
	Op          string // "and", "or", "and not" or "xor"
	Left, Right Expr
}

// String prints the chain, parenthesising a right operand that is not a
// single item.
func (b *Binary) String() string {
	return b.Left.String() + " " + b.Op + " " + operand(b.Right)
}

// Not is fleetcheck's extension: "not" at the start of a group selects every
// inventory host but those X selects.
type Not struct {
	X Expr
}

// String prints "not X", parenthesising X when it is not a single item.
func (n *Not) String() string { return "not " + operand(n.X) }

// operand prints e so that it parses back as one item.
func operand(e Expr) string {
	switch e.(type) {
	case *Binary, *Not:
		return "(" + e.String() + ")"
	}
	return e.String()
}

// Alias is a reference to a named query of the inventory: "A:name".
type Alias struct {
	Name string
}

// String prints "A:name".
func (a *Alias) String() string { return "A:" + a.Name }

// Label selects hosts by label: "key=value", "key!=value" or "key~regex".
type Label struct {
	Key   string
	Op    string // "=", "!=" or "~"
	Value string // the value, or an RE2 regular expression for "~"
	re    *regexp.Regexp
}

// String prints the selector, quoting the value when it needs it.
func (l *Label) String() string { return l.Key + l.Op + quoteLabelValue(l.Value) }

// quoteLabelValue returns v as the global grammar reads it back: bare when
// it is a plain run of characters with balanced parentheses, else in double
// quotes with '"' and '\' escaped.
func quoteLabelValue(v string) string {
	if v != "" && bareLabelValue(v) {
		return v
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(v) + `"`
}

// bareLabelValue reports whether v reads back unchanged without quotes.
func bareLabelValue(v string) bool {
	if v[0] == '"' || v[0] == '\'' {
		return false
	}
	depth := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isSpace(c) || c < 0x20 || c == 0x7f:
			return false
		case c == '(':
			depth++
		case c == ')':
			if depth == 0 {
				return false
			}
			depth--
		}
	}
	return depth == 0
}

// All selects every inventory host: the bare word "all".
type All struct{}

// String prints "all".
func (All) String() string { return "all" }

// HostName selects the inventory host of that exact name.
type HostName struct {
	Name string
}

// String prints the name.
func (h *HostName) String() string { return h.Name }

// Glob selects inventory hosts whose name matches a shell-style pattern:
// "*" any run of characters, "?" one character; bracket groups are node-set
// ranges, not character classes ("web[01-10]*").
type Glob struct {
	Pattern string
}

// String prints the pattern.
func (g *Glob) String() string { return g.Pattern }

// NodeSet selects the inventory hosts a ClusterShell node set names:
// "web[0001-0010,0015].dc1.example.org", "a,b", "web[1-9]!web5".
type NodeSet struct {
	Pattern string
}

// String prints the pattern.
func (n *NodeSet) String() string { return n.Pattern }

// Block is a backend query: D{...} (direct), K{...} (known_hosts) or
// P{...} (PuppetDB).
type Block struct {
	Backend string // "D", "K" or "P"
	Raw     string // the inside as written
	Query   Expr   // the parsed inside: *Binary/*Pattern for D and K, *PuppetQuery for P; nil when unparsed
}

// String prints the block from its parsed inside (or Raw when unparsed).
func (b *Block) String() string {
	if b.Query == nil {
		return b.Backend + "{" + b.Raw + "}"
	}
	return b.Backend + "{" + b.Query.String() + "}"
}

// Pattern is one host token inside D{} or K{}: a name or a node set (and
// for K{} a glob), as cumin's direct and known_hosts grammars define it.
type Pattern struct {
	Text string
}

// String prints the token.
func (p *Pattern) String() string { return p.Text }

// PuppetQuery is the inside of a P{} block in cumin's PuppetDB grammar:
// items joined by "and" or "or" (one kind per group, as cumin requires when
// it builds the PuppetDB query).
type PuppetQuery struct {
	Items []*PuppetItem
	Ops   []string // Ops[i] joins Items[i] and Items[i+1]: "and" or "or"
}

// String prints the query in cumin's syntax.
func (q *PuppetQuery) String() string {
	var b strings.Builder
	for i, it := range q.Items {
		if i > 0 {
			b.WriteString(" " + q.Ops[i-1] + " ")
		}
		b.WriteString(it.String())
	}
	return b.String()
}

// PuppetItem is one item of a P{} query: a parenthesised group, a hosts
// token, or a category token "F:key op value", each optionally negated.
type PuppetItem struct {
	Neg   bool
	Group *PuppetQuery // set for "( ... )"

	Hosts      string // a hosts token (node set or glob) when Category == "" and Group == nil
	HostsQuote byte   // the quote around Hosts, 0 when bare

	Category   string // "C", "F", "I", "O", "P" or "R"
	Key        string // "os.family", "Class%param", "File@tag", ...
	Op         string // "", "=", ">", ">=", "<", "<=" or "~"
	Value      string // as written, without its quotes
	ValueQuote byte   // the quote around Value, 0 when bare
}

// String prints the item in cumin's syntax.
func (it *PuppetItem) String() string {
	var b strings.Builder
	if it.Neg {
		b.WriteString("not ")
	}
	switch {
	case it.Group != nil:
		b.WriteString("(" + it.Group.String() + ")")
	case it.Category == "":
		b.WriteString(quoteWith(it.Hosts, it.HostsQuote))
	default:
		b.WriteString(it.Category + ":" + it.Key)
		if it.Op != "" {
			b.WriteString(" " + it.Op + " " + quoteWith(it.Value, it.ValueQuote))
		}
	}
	return b.String()
}

// quoteWith wraps s in quote q (none when q is 0).
func quoteWith(s string, q byte) string {
	if q == 0 {
		return s
	}
	return string(q) + s + string(q)
}
