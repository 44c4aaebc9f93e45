package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/ownership"
)

// maxSubRows is how many distinct summaries a table row lists, unless
// verbose; the rest are folded into one line that names their hosts and
// says how many summaries it folds.
const maxSubRows = 4

// noSummary stands in for a result without a summary.
const noSummary = "(no summary)"

// allChecks is the CHECK cell of a host none of whose checks could reach it.
const allChecks = "all"

// teamKey identifies a section of the table: one owning team.
type teamKey struct {
	unowned bool
	team    string
}

// teamLess orders sections: unowned first, then by team name.
func teamCompare(a, b teamKey) int {
	if a.unowned != b.unowned {
		if a.unowned {
			return -1
		}
		return 1
	}
	return strings.Compare(a.team, b.team)
}

// label is the section heading's team name.
func (k teamKey) label() string {
	switch {
	case k.unowned && k.team == "":
		return "(unowned)"
	case k.unowned:
		return k.team + " (unowned)"
	}
	return k.team
}

// section is one team's failures, worst first.
type section struct {
	key   teamKey
	rows  []*failureRow
	hosts map[string]checks.Status // failing hosts listed here, by worst status
}

// failureRow is one row of the table: the failures of one check (or of
// every check of unreachable hosts) with one status and one reason under
// one owner, split into sub-rows of hosts sharing a summary.
type failureRow struct {
	status checks.Status
	check  string // check name; for UNREACHABLE hosts "all" or the checks
	reason string // the results' reason, else their error kind, else ""
	subs   []subRow
}

// subRow is a node set beside its summary.
type subRow struct {
	hosts   []string // sorted, unique
	summary string
	folded  int // > 0: this sub-row folds that many summaries (the cap)
}

// failureItem is one failure to place in the table: one host's result, or
// one unreachable host standing for all its unreachable results.
type failureItem struct {
	team    teamKey
	status  checks.Status
	check   string
	reason  string
	host    string
	summary string
}

// layoutInput is what the table shows: the sections in order and the
// results a --status filter hid, by status.
type layoutInput struct {
	sections []*section
	withTeam bool
	hidden   StatusCounts
}

// buildSections groups the failed verdicts for the table: one section per
// team (unowned first, then by name; one section without a heading when no
// owners file is configured), rows worst status first, then by check and
// reason. An unreachable host is listed once, under the team that owns most
// of its unreachable checks. Failures better than minStatus are left out
// and counted in hidden. verbose lists every exact summary; otherwise
// summaries that differ only in their numbers merge into one showing
// ranges, and a row lists at most maxSubRows summaries.
func buildSections(recs []Record, minStatus checks.Status, verbose bool) layoutInput {
	in := layoutInput{withTeam: hasOwners(recs)}
	var items []failureItem
	unreachable := map[string][]Record{} // host -> its UNREACHABLE records
	reached := map[string]bool{}         // hosts with any other verdict
	var order []string
	for _, r := range recs {
		if !isVerdict(r) {
			continue // canceled checks are listed by the INCOMPLETE line
		}
		if r.Status != checks.Unreachable {
			reached[r.Host] = true
		}
		if r.Status == checks.OK {
			continue
		}
		if minStatus.Worse(r.Status) {
			in.hidden.Add(r.Status)
			continue
		}
		if r.Status == checks.Unreachable {
			if unreachable[r.Host] == nil {
				order = append(order, r.Host)
			}
			unreachable[r.Host] = append(unreachable[r.Host], r)
			continue
		}
		items = append(items, failureItem{
			team: teamOf(r.Owner), status: r.Status, check: r.Check, reason: reasonOf(r),
			host: r.Host, summary: summaryOf(r),
		})
	}
	for _, host := range order {
		items = append(items, unreachableItem(unreachable[host], !reached[host]))
	}

	type rowKey struct {
		team          teamKey
		status        checks.Status
		check, reason string
	}
	bySection := map[teamKey]*section{}
	byRow := map[rowKey]map[string][]string{} // summary -> hosts
	rowOf := map[rowKey]*failureRow{}
	for _, it := range items {
		sec := bySection[it.team]
		if sec == nil {
			sec = &section{key: it.team, hosts: map[string]checks.Status{}}
			bySection[it.team] = sec
			in.sections = append(in.sections, sec)
		}
		if st, ok := sec.hosts[it.host]; !ok || it.status.Worse(st) {
			sec.hosts[it.host] = it.status
		}
		k := rowKey{it.team, it.status, it.check, it.reason}
		if rowOf[k] == nil {
			rowOf[k] = &failureRow{status: it.status, check: it.check, reason: it.reason}
			byRow[k] = map[string][]string{}
			sec.rows = append(sec.rows, rowOf[k])
		}
		byRow[k][it.summary] = append(byRow[k][it.summary], it.host)
	}
	for k, row := range rowOf {
		row.subs = subRows(byRow[k], verbose)
	}
	slices.SortFunc(in.sections, func(a, b *section) int { return teamCompare(a.key, b.key) })
	for _, sec := range in.sections {
		slices.SortFunc(sec.rows, func(a, b *failureRow) int {
			switch {
			case a.status.Worse(b.status):
				return -1
			case b.status.Worse(a.status):
				return 1
			}
			return cmp.Or(strings.Compare(a.check, b.check), strings.Compare(a.reason, b.reason))
		})
	}
	return in
}

// teamOf is the section of a record's owner.
func teamOf(o *ownership.Owner) teamKey {
	if o == nil {
		return teamKey{}
	}
	return teamKey{unowned: o.Unowned, team: o.Team}
}

// reasonOf is what a row groups by: the check's reason, else the error
// kind of a transport failure, else nothing (rows then split by summary).
func reasonOf(r Record) string {
	if r.Reason != "" {
		return sanitize(r.Reason, false)
	}
	return sanitize(r.ErrorKind, false)
}

// summaryOf is a record's summary made safe for a terminal.
func summaryOf(r Record) string {
	if s := sanitize(r.Summary, false); s != "" {
		return s
	}
	return noSummary
}

// unreachableItem stands for one host's unreachable results: placed under
// the team owning most of them (ties: unowned first, then by name), with
// every other owning team named in the summary. all says that no check
// reached the host.
func unreachableItem(recs []Record, all bool) failureItem {
	count := map[teamKey]int{}
	var teams, names []string
	summaries := map[string]int{}
	for _, r := range recs {
		k := teamOf(r.Owner)
		if count[k] == 0 && r.Owner != nil {
			teams = append(teams, k.team)
		}
		count[k]++
		names = append(names, r.Check)
		summaries[summaryOf(r)]++
	}
	var best teamKey
	first := true
	for k, n := range count {
		if first || n > count[best] || (n == count[best] && teamCompare(k, best) < 0) {
			best, first = k, false
		}
	}
	summary := mostCommon(summaries)
	teams = slices.DeleteFunc(slices.Compact(sortedCopy(teams)), func(t string) bool { return t == best.team })
	if len(teams) > 0 {
		summary += "; also " + strings.Join(teams, ", ")
	}
	check := allChecks
	if !all {
		check = strings.Join(slices.Compact(sortedCopy(names)), ",")
	}
	return failureItem{
		team: best, status: checks.Unreachable, check: check, reason: reasonOf(recs[0]),
		host: recs[0].Host, summary: summary,
	}
}

// mostCommon is the text counted most often (ties: the first by order).
func mostCommon(counts map[string]int) string {
	best := ""
	for s, n := range counts {
		if n > counts[best] || (n == counts[best] && s < best) {
			best = s
		}
	}
	return best
}

// sortedCopy returns the strings sorted, without touching s.
func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// subRows splits a row's hosts by summary, most hosts first. Unless
// verbose, summaries that differ only in their numbers become one with
// ranges, and past maxSubRows the rest fold into one sub-row.
func subRows(bySummary map[string][]string, verbose bool) []subRow {
	var subs []subRow
	if verbose {
		for s, hosts := range bySummary {
			subs = append(subs, subRow{hosts: hosts, summary: s})
		}
	} else {
		subs = mergeNumbers(bySummary)
	}
	for i := range subs {
		subs[i].hosts = slices.Compact(sortedCopy(subs[i].hosts))
	}
	slices.SortFunc(subs, func(a, b subRow) int {
		return cmp.Or(cmp.Compare(len(b.hosts), len(a.hosts)), strings.Compare(a.summary, b.summary))
	})
	if verbose || len(subs) <= maxSubRows {
		return subs
	}
	rest := subRow{folded: len(subs) - (maxSubRows - 1)}
	for _, s := range subs[maxSubRows-1:] {
		rest.hosts = append(rest.hosts, s.hosts...)
	}
	rest.hosts = slices.Compact(sortedCopy(rest.hosts))
	rest.summary = fmt.Sprintf("%d other summaries (-v lists them)", rest.folded)
	return append(subs[:maxSubRows-1:maxSubRows-1], rest)
}

// hasOwners reports whether any record was attributed (an owners file is
// configured), which decides whether the table has team sections.
func hasOwners(recs []Record) bool {
	for _, r := range recs {
		if r.Owner != nil {
			return true
		}
	}
	return false
}
