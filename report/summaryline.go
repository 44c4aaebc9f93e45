package report

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/health"
)

// summarySep separates the parts of the summary line.
const summarySep = " · "

// summaryLines renders the one-line summary under the table (broken at its
// separators, then at commas, when wider than width) and, for an incomplete
// sweep, the INCOMPLETE warning. Each count says what it counts: hosts by
// their worst verdict (of one team's checks with opts.Team), results, and
// the failures a MinStatus filter left out of the table (hidden).
func summaryLines(sum Summary, s *Sweep, hidden StatusCounts, opts TableOptions, width int, p painter) []string {
	var counts []string
	for _, st := range []checks.Status{checks.OK, checks.Warning, checks.Critical, checks.Unknown, checks.Unreachable} {
		text := fmt.Sprintf("%d %s", sum.HostStatus.Get(st), statusName(st))
		if st == checks.Unreachable && sum.HostStatus.Unreachable > 0 {
			text += " (" + kindList(sum.UnreachableByKind) + ")"
		}
		counts = append(counts, text)
	}
	hosts := fmt.Sprintf("%d %s: %s", sum.Hosts, plural(sum.Hosts, "host", "hosts"), strings.Join(counts, ", "))
	results := fmt.Sprintf("%d %s", sum.Results.Total(), plural(sum.Results.Total(), "result", "results"))
	if opts.Team != "" {
		// Only the team's results were kept: its hosts are those with one.
		hosts = fmt.Sprintf("team %s, %d of %d hosts: %s", sanitize(opts.Team, false), sum.Done, sum.Hosts, strings.Join(counts, ", "))
		results += " of team " + sanitize(opts.Team, false)
	}
	parts := []string{hosts, results}
	if n := hidden.Total(); n > 0 {
		parts = append(parts, fmt.Sprintf("not shown (better than %s): %s %s", opts.MinStatus, failureCounts(hidden), plural(n, "result", "results")))
	}
	parts = append(parts, "swept in "+humanDuration(s.Elapsed()))
	lines := flowParts(parts, width)
	for i := range lines {
		lines[i] = paintCounts(lines[i], p)
	}
	if !s.Complete {
		text := incompleteLine(sum)
		if len(s.MissingShards) > 0 { // a partial merge: nothing was interrupted
			text = "INCOMPLETE: merged without " + health.ShardList(s.MissingShards) + ": their hosts are not in this sweep"
		}
		for _, l := range wrap(text, width) {
			lines = append(lines, p.paint(ansiBoldRd, l))
		}
	}
	return lines
}

// flowParts lays out the parts of the summary line in lines of at most
// width columns: parts are joined by summarySep and broken after their
// commas, as words are; a piece wider than a line is wrapped.
func flowParts(parts []string, width int) []string {
	var lines []string
	line := ""
	for i, part := range parts {
		pieces := strings.SplitAfter(part, ", ")
		for j, piece := range pieces {
			piece = strings.TrimSuffix(piece, " ")
			sep := " "
			if j == 0 {
				sep = summarySep
			}
			switch {
			case i == 0 && j == 0:
				line = piece
			case textWidth(line+sep+piece) <= width:
				line += sep + piece
			default:
				lines = append(lines, wrap(line, width)...)
				line = piece
			}
		}
	}
	return append(lines, wrap(line, width)...)
}

// incompleteLine says how far an interrupted sweep got and which hosts it
// did not check.
func incompleteLine(sum Summary) string {
	text := fmt.Sprintf("INCOMPLETE: interrupted after %d/%d hosts", sum.Done, sum.Hosts)
	missing := sum.Hosts - sum.Done
	switch {
	case len(sum.NotChecked) > 0:
		text += "; not checked: " + nodeGroup(sum.NotChecked)
		if more := missing - len(sum.NotChecked); more > 0 {
			text += fmt.Sprintf(" and %d more", more)
		}
	case missing > 0:
		text += fmt.Sprintf("; %d not checked", missing)
	}
	return text
}

// failureCount matches a non-zero failure count in the summary line.
var failureCount = regexp.MustCompile(`\b[1-9][0-9]* (warning|critical|unknown|unreachable)\b`)

// paintCounts colours the non-zero failure counts of a summary line.
func paintCounts(line string, p painter) string {
	if !p {
		return line
	}
	return failureCount.ReplaceAllStringFunc(line, func(m string) string {
		name := m[strings.IndexByte(m, ' ')+1:]
		return p.paint(statusColor(strings.ToUpper(name)), m)
	})
}

// kindList renders hosts per error kind, most common first: "2 timeout, 1 dns".
func kindList(kinds map[string]int) string {
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := cmp.Compare(kinds[b], kinds[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	out := make([]string, len(names))
	for i, k := range names {
		out[i] = fmt.Sprintf("%d %s", kinds[k], k)
	}
	return strings.Join(out, ", ")
}

// plural picks the singular or plural word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
