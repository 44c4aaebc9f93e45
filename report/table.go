package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// TableOptions tune the table for its terminal.
type TableOptions struct {
	Color bool // colour statuses (only on a terminal, never with NO_COLOR)
	Width int  // terminal width in columns; 0 means 120
	// Mark, when set, says what the history makes of a failure ("new",
	// "ongoing 3h"); it is shown after the summary, in brackets.
	Mark func(host, check string) string
}

// defaultWidth is the table width when TableOptions.Width is 0.
const defaultWidth = 120

// Table writes the grouped failure table and summary line for people.
func Table(w io.Writer, s *Sweep, opts TableOptions) error {
	width := opts.Width
	if width <= 0 {
		width = defaultWidth
	}
	p := painter(opts.Color)
	bw := bufio.NewWriter(w)
	groups := groupFailures(markedResults(s.Results, opts.Mark))
	if len(groups) == 0 {
		fmt.Fprintln(bw, p.paint(ansiGreen, "no failures"))
	} else if err := writeGroups(bw, groups, hasOwners(s.Results), width, p); err != nil {
		return fmt.Errorf("report: table: %w", err)
	}
	sum := Summarize(s)
	for _, line := range summaryLines(sum, s, width, p) {
		fmt.Fprintln(bw, line)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: table: %w", err)
	}
	return nil
}

// markedResults returns recs with each failure's mark after its summary;
// recs itself when there is no mark.
func markedResults(recs []Record, mark func(host, check string) string) []Record {
	if mark == nil {
		return recs
	}
	out := slices.Clone(recs)
	for i, r := range out {
		if r.Status == health.OK {
			continue
		}
		if m := mark(r.Host, r.Check); m != "" {
			out[i].Summary = strings.TrimSpace(r.Summary + " [" + m + "]")
		}
	}
	return out
}

// hasOwners reports whether any record was attributed (an owners file is
// configured), which decides whether the TEAM column is shown.
func hasOwners(recs []Record) bool {
	for _, r := range recs {
		if r.Owner != nil {
			return true
		}
	}
	return false
}

// writeGroups renders the failure groups as a table of at most width
// columns, wrapping the node sets and summaries rather than cutting them.
// When HOSTS and SUMMARY would be too narrow side by side, they share one
// column, the summaries under the hosts.
func writeGroups(w io.Writer, groups []*failureGroup, withTeam bool, width int, p painter) error {
	lead := []string{"CHECK", "STATUS"}
	if withTeam {
		lead = append([]string{"TEAM"}, lead...)
	}
	leadRows := make([][]string, len(groups))
	hosts := make([]string, len(groups))
	summaries := make([]string, len(groups))
	for i, g := range groups {
		leadRows[i] = []string{g.key.check, g.key.status.String()}
		if withTeam {
			leadRows[i] = append([]string{g.teamCell()}, leadRows[i]...)
		}
		hosts[i], summaries[i] = g.hostsCell(), g.summaryCell()
	}
	l := planLayout(lead, leadRows, hosts, summaries, width)

	header := append(slices.Clone(lead), "HOSTS", "SUMMARY")
	if l.stacked {
		header = append(slices.Clone(lead), "HOSTS / SUMMARY")
	}
	rows := make([][]string, len(groups))
	for i := range groups {
		row := make([]string, 0, len(header))
		for c, cell := range leadRows[i] {
			row = append(row, wrapText(cell, l.lead[c]))
		}
		status := len(lead) - 1
		row[status] = p.status(row[status])
		if l.stacked {
			row = append(row, wrapText(hosts[i], l.hosts)+"\n"+wrapText(prefixLines(summaries[i], stackMark), l.hosts))
		} else {
			row = append(row, wrapText(hosts[i], l.hosts), wrapText(summaries[i], l.summary))
		}
		rows[i] = row
	}

	merged := tw.NewBoolMapper(0) // CHECK
	if withTeam {
		merged = tw.NewBoolMapper(0, 1) // TEAM, CHECK
	}
	table := tablewriter.NewTable(w,
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone, AutoFormat: tw.Off},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
			},
			Row: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone},
				Merging:    tw.CellMerging{Mode: tw.MergeHierarchical, ByColumnIndex: merged},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
			},
		}),
		tablewriter.WithRendition(tw.Rendition{Settings: tw.Settings{
			Separators: tw.Separators{BetweenRows: tw.On},
		}}),
	)
	table.Header(header)
	if err := table.Bulk(rows); err != nil {
		return err
	}
	return table.Render()
}

// stackMark starts each summary line in a stacked HOSTS / SUMMARY cell.
const stackMark = "» "

// prefixLines puts prefix before every line of s.
func prefixLines(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// layout is the content width of each column.
type layout struct {
	lead    []int // TEAM, CHECK, STATUS (or CHECK, STATUS)
	hosts   int   // HOSTS, or HOSTS / SUMMARY when stacked
	summary int   // SUMMARY; unused when stacked
	stacked bool  // HOSTS and SUMMARY share one column
}

// minSideBySide is the narrowest HOSTS or SUMMARY column worth keeping
// side by side; below it they are stacked in one column.
const minSideBySide = 24

// minFreeColumn is the narrowest the last column gets, even when that
// overflows a very narrow terminal: wrapping to nothing helps nobody.
const minFreeColumn = 12

// planLayout decides the content width of every column so the table fits
// in width: the leading columns keep their natural width up to a fifth of
// the room (STATUS always fits "UNREACHABLE"); HOSTS and SUMMARY share the
// rest, or are stacked in one column when that would make them too narrow.
func planLayout(lead []string, leadRows [][]string, hosts, summaries []string, width int) layout {
	l := layout{lead: make([]int, len(lead))}
	room := width - (3*(len(lead)+2) + 1) // "│ " before each column, " " after, final "│"
	used := 0
	for c, h := range lead {
		natural := textWidth(h)
		for _, row := range leadRows {
			natural = max(natural, maxLineWidth(row[c]))
		}
		l.lead[c] = min(natural, max(room/5, textWidth(h), len("UNREACHABLE")))
		used += l.lead[c]
	}
	rest := room - used
	nh, ns := 0, 0
	for i := range hosts {
		nh = max(nh, maxLineWidth(hosts[i]), textWidth("HOSTS"))
		ns = max(ns, maxLineWidth(summaries[i]), textWidth("SUMMARY"))
	}
	switch half := rest / 2; {
	case nh+ns <= rest:
		l.hosts, l.summary = nh, ns
	case nh <= half:
		l.hosts, l.summary = nh, rest-nh
	case ns <= rest-half && rest-ns >= minSideBySide:
		l.hosts, l.summary = rest-ns, ns
	case half >= minSideBySide:
		l.hosts, l.summary = half, rest-half
	default:
		l.stacked = true
		l.hosts = max(rest+3, minFreeColumn)
	}
	return l
}
