package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// maxSummaries is how many distinct summaries a table row lists before
// "and N more".
const maxSummaries = 3

// noSummary stands in for a result without a summary.
const noSummary = "(no summary)"

// failureGroup is one table row: the failures of one check with one status
// under one owner.
type failureGroup struct {
	key       groupKey
	hosts     []string
	summaries map[string]int // summary text -> hosts reporting it
}

// groupKey identifies a table row.
type groupKey struct {
	unowned bool
	team    string
	check   string
	status  checks.Status
}

// groupFailures groups the failed verdicts for the table, in display order:
// unowned first, then by team, check and status (worst first).
func groupFailures(recs []Record) []*failureGroup {
	byKey := map[groupKey]*failureGroup{}
	var groups []*failureGroup
	for _, r := range recs {
		if r.Status == checks.OK || !isVerdict(r) {
			continue // canceled checks are listed by the INCOMPLETE line
		}
		k := groupKey{unowned: true, check: r.Check, status: r.Status}
		if r.Owner != nil {
			k.unowned, k.team = r.Owner.Unowned, r.Owner.Team
		}
		g := byKey[k]
		if g == nil {
			g = &failureGroup{key: k, summaries: map[string]int{}}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.hosts = append(g.hosts, r.Host)
		summary := sanitize(r.Summary, false)
		if summary == "" {
			summary = noSummary
		}
		g.summaries[summary]++
	}
	slices.SortFunc(groups, func(a, b *failureGroup) int {
		if a.key.unowned != b.key.unowned {
			if a.key.unowned {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.key.team, b.key.team); c != 0 {
			return c
		}
		if c := strings.Compare(a.key.check, b.key.check); c != 0 {
			return c
		}
		switch {
		case a.key.status.Worse(b.key.status):
			return -1
		case b.key.status.Worse(a.key.status):
			return 1
		}
		return 0
	})
	return mergeAcrossChecks(groups)
}

// mergeAcrossChecks folds rows of one owner and status that differ only by
// check (the same hosts with the same summaries) into one row naming every
// check: a host that cannot be reached then shows once per team, not once
// per check. A merged row keeps the place of its first check.
func mergeAcrossChecks(groups []*failureGroup) []*failureGroup {
	type sameRow struct {
		unowned bool
		team    string
		status  checks.Status
		hosts   string
		summary string
	}
	first := map[sameRow]*failureGroup{}
	out := groups[:0:0]
	for _, g := range groups {
		k := sameRow{g.key.unowned, g.key.team, g.key.status, g.hostsCell(), g.summaryCell()}
		if into, ok := first[k]; ok {
			into.key.check += ", " + g.key.check
			continue
		}
		first[k] = g
		out = append(out, g)
	}
	return out
}

// teamCell is the TEAM column text of the group.
func (g *failureGroup) teamCell() string {
	switch {
	case g.key.unowned && g.key.team == "":
		return "(unowned)"
	case g.key.unowned:
		return g.key.team + " (unowned)"
	}
	return g.key.team
}

// hostsCell is the HOSTS column text: the count and the folded node set.
func (g *failureGroup) hostsCell() string {
	hosts := slices.Clone(g.hosts)
	slices.Sort(hosts)
	hosts = slices.Compact(hosts)
	return fmt.Sprintf("(%d) %s", len(hosts), nodeset.Fold(hosts))
}

// summaryCell is the SUMMARY column text: the one summary every host
// reported, or the most common ones one a line, with how many hosts each.
func (g *failureGroup) summaryCell() string {
	if len(g.summaries) == 1 {
		for s := range g.summaries {
			return s
		}
	}
	texts := make([]string, 0, len(g.summaries))
	for s := range g.summaries {
		texts = append(texts, s)
	}
	slices.SortFunc(texts, func(a, b string) int {
		if c := cmp.Compare(g.summaries[b], g.summaries[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	var lines []string
	for i, s := range texts {
		if i == maxSummaries {
			lines = append(lines, fmt.Sprintf("and %d more", len(texts)-maxSummaries))
			break
		}
		if n := g.summaries[s]; n > 1 {
			s = fmt.Sprintf("%s (%d hosts)", s, n)
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n")
}
