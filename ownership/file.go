package ownership

import (
	"fmt"

	"github.com/fleetcheck/fleetcheck/inventory/query"
)

// File is a loaded, validated owners file.
type File struct {
	Path     string  // the path Load was given; positions name it
	Fallback string  // team that gets what no rule owns
	SLA      SLA     // top-level defaults per severity
	SLO      float64 // default availability objective in percent; 0: none
	Teams    []Team  // in file order
	Rules    []Rule  // in file order; the last match wins

	teamIndex map[string]int // team name -> index in Teams
	rulesPos  Pos            // position of the rules: key, or of the document
}

// SLOOf is team's availability objective in percent (its own slo:, else
// the file's), 0 when neither is set.
func (f *File) SLOOf(team string) float64 {
	if t, ok := f.Team(team); ok && t.SLO > 0 {
		return t.SLO
	}
	return f.SLO
}

// Team returns the team named name.
func (f *File) Team(name string) (Team, bool) {
	i, ok := f.teamIndex[name]
	if !ok {
		return Team{}, false
	}
	return f.Teams[i], true
}

// Rule is one ownership rule: which hosts and checks it selects and who
// owns what it selects.
type Rule struct {
	ID           string   // unique id, shown as the deciding rule
	Hosts        string   // query text; "all" when the file leaves it out
	Checks       []string // check names or globs (path.Match); empty means every check
	Owner        string   // owning team; "" when Unowned
	Unowned      bool     // owner: null, explicitly unowned
	ProductOwner string   // product owner team, may be ""
	AlsoNotify   []string // extra recipient teams
	Pos          Pos      // position of the rule (its first key)
	HostsPos     Pos      // position of the hosts: value, or of the rule when absent

	expr     query.Expr   // parsed Hosts; nil when the rule selects every host
	checkSet checkMatcher // compiled Checks
}

// AllHosts reports whether the rule selects every host.
func (r Rule) AllHosts() bool { return r.expr == nil }

// Pos is a position in an owners file.
type Pos struct {
	File string // path as given to Load
	Line int    // 1-based; 0 when unknown
	Col  int    // 1-based; 0 when unknown
}

// String renders the position as file:line:col, leaving out what is unknown.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Short renders the position as file:line, as explain output shows it.
func (p Pos) Short() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}
