package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// TableOptions tune the table for its terminal.
type TableOptions struct {
	Color bool // colour statuses (only on a terminal, never with NO_COLOR)
	Width int  // terminal width in columns; 0 means 120
	// Verbose lists every exact summary on its own line: no ranges, no cap.
	Verbose bool
	// MinStatus shows only failures at least this bad (CRITICAL beats
	// UNREACHABLE beats UNKNOWN beats WARNING); OK, the zero value, shows
	// every failure. The summary line says what was left out.
	MinStatus checks.Status
	// Team names the team the results were filtered to (--team), for the
	// summary line; "" when they were not.
	Team string
}

// defaultWidth is the table width when TableOptions.Width is 0.
const defaultWidth = 120

// Table writes the failures for people, as a triage list: one section per
// team (unowned first), worst status first; each row a status, a check and
// a reason, with each node set beside its own summary; then the summary
// line.
func Table(w io.Writer, s *Sweep, opts TableOptions) error {
	width := opts.Width
	if width <= 0 {
		width = defaultWidth
	}
	p := painter(opts.Color)
	bw := bufio.NewWriter(w)
	in := buildSections(s.Results, opts.MinStatus, opts.Verbose)
	if len(in.sections) == 0 {
		text := "no failures"
		if opts.MinStatus.Worse(checks.Warning) {
			text = "no failures at least as bad as " + opts.MinStatus.String()
		}
		fmt.Fprintln(bw, p.paint(ansiGreen, text))
	} else {
		for _, line := range layoutTable(in, width, p) {
			fmt.Fprintln(bw, line)
		}
	}
	sum := Summarize(s)
	for _, line := range summaryLines(sum, s, in.hidden, opts, width, p) {
		fmt.Fprintln(bw, line)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: table: %w", err)
	}
	return nil
}

// Column gaps and indents of the table.
const (
	gap         = 2  // between columns
	leadGap     = 1  // between the lead cells (STATUS, CHECK, REASON)
	hostsIndent = 2  // node sets on lines of their own in the narrow layout
	belowIndent = 4  // summaries under their node set in the narrow layout
	minSummary  = 40 // narrowest SUMMARY column worth keeping beside HOSTS
	maxLeadCell = 24 // CHECK and REASON cells wider than this wrap
)

// columns is the layout of the table's lines.
type columns struct {
	indent         int // before STATUS
	status, check  int // widths of the lead cells
	reason         int
	hosts, summary int // widths; summary 0 means summaries go below their node set
}

// leadWidth is the width taken by the indent and the lead cells with
// their gaps.
func (c columns) leadWidth() int {
	return c.indent + c.status + leadGap + c.check + leadGap + c.reason + gap
}

// layoutTable renders the sections in width columns. Wide enough, every
// node set sits beside its summary: STATUS CHECK REASON HOSTS SUMMARY.
// Otherwise the node sets follow the reason and each summary goes under
// its node set, across the whole width. Node sets break only between the
// node sets of a fold, never inside one (a set too wide for the line is
// folded again in parts); summaries break only at spaces.
func layoutTable(in layoutInput, width int, p painter) []string {
	c := columns{status: len("STATUS"), check: len("CHECK"), reason: len("REASON")}
	hostsNatural, itemMax, sumNatural, wordMax := len("HOSTS"), 0, len("SUMMARY"), 0
	for _, sec := range in.sections {
		for _, r := range sec.rows {
			c.status = max(c.status, textWidth(r.status.String()))
			c.check = max(c.check, min(textWidth(r.check), maxLeadCell))
			c.reason = max(c.reason, min(textWidth(r.reason), maxLeadCell))
			for _, sub := range r.subs {
				text := hostsText(sub.hosts)
				hostsNatural = max(hostsNatural, textWidth(text))
				for _, item := range splitTopLevel(text) {
					itemMax = max(itemMax, textWidth(item)+1) // with its comma
				}
				sumNatural = max(sumNatural, textWidth(sub.summary))
				for _, w := range strings.Fields(sub.summary) {
					wordMax = max(wordMax, textWidth(w))
				}
			}
		}
	}
	room := width - c.leadWidth()
	switch {
	case hostsNatural+gap+sumNatural <= room:
		c.hosts, c.summary = hostsNatural, room-hostsNatural-gap
	case itemMax+gap+max(minSummary, wordMax) <= room:
		c.hosts = min(hostsNatural, max(itemMax, (room-gap)*9/20))
		c.summary = room - c.hosts - gap
	default:
		c.hosts = max(room, 1)
	}

	// Column headings only where the columns line up: in the wide layout.
	var lines []string
	if c.summary > 0 {
		header := padRight("STATUS", c.status) + spaces(leadGap) + padRight("CHECK", c.check) + spaces(leadGap) +
			padRight("REASON", c.reason) + spaces(gap) + padRight("HOSTS", c.hosts+gap) + "SUMMARY"
		lines = append(lines, p.paint(ansiBold, spaces(c.indent)+header))
	}
	for _, sec := range in.sections {
		if in.withTeam {
			lines = append(lines, sectionHeading(sec, width, p)...)
		}
		for _, r := range sec.rows {
			lines = append(lines, layoutRow(r, c, width, p)...)
		}
	}
	return lines
}

// layoutRow renders one row and its sub-rows.
func layoutRow(r *failureRow, c columns, width int, p painter) []string {
	checkLines := wrapWords(strings.ReplaceAll(r.check, ",", ", "), c.check)
	reasonLines := wrapWords(r.reason, c.reason)
	var lead []string // the lead cells, one entry a line
	for j := 0; j < max(len(checkLines), len(reasonLines)); j++ {
		st := ""
		if j == 0 {
			st = r.status.String()
		}
		lead = append(lead, spaces(c.indent)+padRight(p.status(st), c.status)+spaces(leadGap)+
			padRight(at(checkLines, j), c.check)+spaces(leadGap)+padRight(at(reasonLines, j), c.reason)+spaces(gap))
	}
	blank := spaces(c.leadWidth())
	var lines []string
	emit := func(left, right string) { lines = append(lines, strings.TrimRight(left+right, " ")) }
	summaryOf := func(sub subRow, width int) []string {
		sums := wrapWords(sub.summary, width)
		if sub.folded > 0 {
			sums = paintLines(sums, ansiDim, p)
		}
		return sums
	}
	if c.summary > 0 { // wide: STATUS CHECK REASON HOSTS SUMMARY
		for i, sub := range r.subs {
			hosts, sums := hostsLines(sub.hosts, c.hosts), summaryOf(sub, c.summary)
			for j := 0; j < max(len(hosts), len(sums), len(lead)*boolInt(i == 0)); j++ {
				left := blank
				if i == 0 && j < len(lead) {
					left = lead[j]
				}
				emit(left, padRight(at(hosts, j), c.hosts)+spaces(gap)+at(sums, j))
			}
		}
		return lines
	}
	// Narrow: when each node set of the row fits in one line after the
	// lead cells, they stand there in a column, each summary under its
	// node set; otherwise each node set goes on lines of its own under the
	// lead, like cumin's NODE GROUPs.
	sumIndent := c.indent + belowIndent
	inColumn := true
	for _, sub := range r.subs {
		inColumn = inColumn && len(hostsLines(sub.hosts, c.hosts)) == 1
	}
	if inColumn {
		for i, sub := range r.subs {
			if i == 0 {
				emit(lead[0], hostsLines(sub.hosts, c.hosts)[0])
				for _, l := range lead[1:] {
					emit(l, "")
				}
			} else {
				emit(blank, hostsLines(sub.hosts, c.hosts)[0])
			}
			for _, s := range summaryOf(sub, width-sumIndent) {
				emit(spaces(sumIndent), s)
			}
		}
		return lines
	}
	for _, l := range lead {
		emit(l, "")
	}
	// Each node set on a line of its own, its summary beside it when every
	// sub-row of the row fits so, else under it.
	hostsAt := c.indent + hostsIndent
	hostsW, sumW, beside := 0, 0, true
	for _, sub := range r.subs {
		h := hostsLines(sub.hosts, width-hostsAt)
		beside = beside && len(h) == 1
		hostsW, sumW = max(hostsW, textWidth(h[0])), max(sumW, textWidth(sub.summary))
	}
	beside = beside && hostsAt+hostsW+gap+sumW <= width
	for _, sub := range r.subs {
		if beside {
			emit(spaces(hostsAt)+padRight(hostsLines(sub.hosts, width)[0], hostsW+gap), summaryOf(sub, width)[0])
			continue
		}
		for _, h := range hostsLines(sub.hosts, width-hostsAt) {
			emit(spaces(hostsAt), h)
		}
		for _, s := range summaryOf(sub, width-sumIndent) {
			emit(spaces(sumIndent), s)
		}
	}
	return lines
}

// boolInt is 1 for true, 0 for false.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sectionHeading is a team's heading: its name and its failing hosts by
// worst status, as a rule across the width.
func sectionHeading(sec *section, width int, p painter) []string {
	var counts StatusCounts
	for _, st := range sec.hosts {
		counts.Add(st)
	}
	n := len(sec.hosts)
	text := fmt.Sprintf("%s · %d failing %s: %s", sec.key.label(), n, plural(n, "host", "hosts"), failureCounts(counts))
	lines := wrapWords("━━ "+text+" ", width)
	last := len(lines) - 1
	if fill := width - textWidth(lines[last]); fill > 0 {
		lines[last] += strings.Repeat("━", min(fill, 8))
	}
	return paintLines(lines, ansiBold, p)
}

// failureCounts lists the non-zero failure counts, worst first:
// "2 critical, 1 warning".
func failureCounts(c StatusCounts) string {
	var parts []string
	for _, st := range []checks.Status{checks.Critical, checks.Unreachable, checks.Unknown, checks.Warning} {
		if n := c.Get(st); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, statusName(st)))
		}
	}
	return strings.Join(parts, ", ")
}

// hostsText is a sub-row's node set with its count: "(3) web[1-3].example.org".
func hostsText(hosts []string) string {
	return fmt.Sprintf("(%d) %s", len(hosts), sanitize(nodeset.Fold(hosts), false))
}

// hostsLines lays out a node set in lines of at most width columns,
// breaking only after the comma between two node sets of the fold. A node
// set wider than a whole line is folded again from parts of its hosts,
// each fitting; only a single host name wider than the line overflows.
func hostsLines(hosts []string, width int) []string {
	prefix := fmt.Sprintf("(%d) ", len(hosts))
	var items []string
	for _, item := range splitTopLevel(sanitize(nodeset.Fold(hosts), false)) {
		if textWidth(item) < width-len(prefix) || (len(items) == 0 && textWidth(prefix+item) <= width) {
			items = append(items, item)
			continue
		}
		first := width - 1
		if len(items) == 0 {
			first -= len(prefix)
		}
		items = append(items, refold(item, max(first, 1), width-1-len(prefix))...)
	}
	// Continuation lines start under the first node set, past the count.
	cont := spaces(len(prefix))
	if textWidth(cont)+maxItemWidth(items) > width {
		cont = ""
	}
	var lines []string
	line := prefix
	for i, item := range items {
		if i < len(items)-1 {
			item += ","
		}
		if line != prefix && line != cont && textWidth(line)+textWidth(item) > width {
			lines = append(lines, line)
			line = cont
		}
		line += item
	}
	return append(lines, line)
}

// maxItemWidth is the width of the widest node set, with its comma.
func maxItemWidth(items []string) int {
	m := 0
	for _, it := range items {
		m = max(m, textWidth(it)+1)
	}
	return m
}

// refold splits one node set into node sets of its hosts, the first at
// most first columns wide and the others at most rest (a host name wider
// than that stays whole). A set that does not expand stays as it is.
func refold(set string, first, rest int) []string {
	hosts, err := nodeset.Expand(set)
	if err != nil || len(hosts) < 2 {
		return []string{set}
	}
	var out []string
	var chunk []string
	room := first
	for _, h := range hosts {
		if len(chunk) > 0 && textWidth(nodeset.Fold(append(chunk, h))) > room {
			out = append(out, nodeset.Fold(chunk))
			chunk, room = nil, rest
		}
		chunk = append(chunk, h)
	}
	return append(out, nodeset.Fold(chunk))
}

// splitTopLevel splits a folded node set at the commas outside brackets.
func splitTopLevel(set string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(set); i++ {
		switch set[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, set[start:i])
				start = i + 1
			}
		}
	}
	return append(out, set[start:])
}

// at is lines[i], or "" past the end.
func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// spaces is n blanks.
func spaces(n int) string { return strings.Repeat(" ", max(n, 0)) }

// padRight pads s with blanks to width columns (ANSI codes take none).
func padRight(s string, width int) string {
	return s + spaces(width-textWidth(s))
}

// paintLines paints every line with code.
func paintLines(lines []string, code string, p painter) []string {
	for i := range lines {
		lines[i] = p.paint(code, lines[i])
	}
	return lines
}
