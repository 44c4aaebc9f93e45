package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
	"github.com/fleetcheck/fleetcheck/ownership"
)

func TestTableGolden(t *testing.T) {
	incomplete := incompleteSweep()
	allOK := fixtureSweep(onlyOK(fixtureRecords()))
	allOK.Hosts = 5

	tests := []struct {
		name  string
		sweep *Sweep
		opts  TableOptions
	}{
		{"table_owners_wide.txt", fixtureSweep(fixtureRecords()), TableOptions{Width: 160}},
		{"table_owners_narrow.txt", fixtureSweep(fixtureRecords()), TableOptions{Width: 60}},
		{"table_owners_default.txt", fixtureSweep(fixtureRecords()), TableOptions{}},
		{"table_owners_color.txt", fixtureSweep(fixtureRecords()), TableOptions{Width: 160, Color: true}},
		{"table_noowners_wide.txt", fixtureSweep(withoutOwners(fixtureRecords())), TableOptions{Width: 160}},
		{"table_noowners_narrow.txt", fixtureSweep(withoutOwners(fixtureRecords())), TableOptions{Width: 60}},
		{"table_noowners_color.txt", fixtureSweep(withoutOwners(fixtureRecords())), TableOptions{Width: 60, Color: true}},
		{"table_nofailures.txt", allOK, TableOptions{Width: 160}},
		{"table_nofailures_color.txt", allOK, TableOptions{Width: 160, Color: true}},
		{"table_incomplete.txt", incomplete, TableOptions{Width: 160}},
		{"table_incomplete_color.txt", incomplete, TableOptions{Width: 60, Color: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Table(&buf, tt.sweep, tt.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())
			hasANSI := strings.Contains(buf.String(), "\x1b[")
			if hasANSI != tt.opts.Color {
				t.Errorf("ANSI codes present = %v, want %v", hasANSI, tt.opts.Color)
			}
		})
	}
}

// incompleteSweep is the fixture interrupted: cache1 and cache2 were being
// checked (their results are "canceled"), cache3 never started.
func incompleteSweep() *Sweep {
	s := fixtureSweep(nil)
	for _, r := range fixtureRecords() {
		switch {
		case r.Host == "cache3.dc2.example.org":
		case strings.HasPrefix(r.Host, "cache"):
			r.Status, r.ErrorKind, r.Summary = checks.Unknown, CanceledKind, "not checked: sweep interrupted"
			s.Results = append(s.Results, r)
		default:
			s.Results = append(s.Results, r)
		}
	}
	s.Complete = false
	return s
}

func TestTableIncomplete(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, incompleteSweep(), TableOptions{Width: 200}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	want := "INCOMPLETE: interrupted after 9/12 hosts; not checked: (2) cache[1-2].dc2.example.org and 1 more\n"
	if !strings.HasSuffix(out, want) {
		t.Errorf("got\n%s\nwant last line\n%s", out, want)
	}
	if strings.Contains(out, "sweep interrupted") {
		t.Errorf("canceled checks shown as failures:\n%s", out)
	}
	if !strings.Contains(out, "12 hosts: 1 ok, 3 warning, 4 critical, 1 unknown, 0 unreachable") {
		t.Errorf("canceled hosts counted as verdicts:\n%s", out)
	}
}

// TestTableFitsWidth checks that no line is wider than asked and that
// nothing was cut: every failing host is in a HOSTS node set and every
// summary word is shown.
func TestTableFitsWidth(t *testing.T) {
	for _, width := range []int{60, 80, 100, 160} {
		for _, owners := range []bool{true, false} {
			recs := fixtureRecords()
			if !owners {
				recs = withoutOwners(recs)
			}
			var buf bytes.Buffer
			if err := Table(&buf, fixtureSweep(recs), TableOptions{Width: width}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for i, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
				if w := textWidth(line); w > width {
					t.Errorf("width %d owners %v: line %d is %d wide: %q", width, owners, i+1, w, line)
				}
			}
			if strings.Contains(out, "…") {
				t.Errorf("width %d: output was truncated:\n%s", width, out)
			}
			shown := map[string]bool{}
			var summaries strings.Builder
			for _, row := range tableRows(out)[1:] { // skip the header
				hosts, summary := splitHostsCell(t, row)
				set := regexp.MustCompile(`^\((\d+)\) ?(.*)$`).FindStringSubmatch(hosts)
				if set == nil {
					t.Fatalf("width %d: HOSTS cell %q", width, hosts)
				}
				names, err := nodeset.Expand(set[2])
				if err != nil {
					t.Fatalf("width %d: HOSTS cell %q does not expand: %v", width, hosts, err)
				}
				if n, _ := strconv.Atoi(set[1]); n != len(names) {
					t.Errorf("width %d: HOSTS cell %q counts %d but holds %d", width, hosts, n, len(names))
				}
				for _, n := range names {
					shown[n] = true
				}
				summaries.WriteString(summary)
			}
			for _, r := range recs {
				if r.Status == checks.OK {
					continue
				}
				if !shown[r.Host] {
					t.Errorf("width %d owners %v: host %s missing from\n%s", width, owners, r.Host, out)
				}
				if r.Check == "disk" && r.Status == checks.Warning {
					continue // five summaries: two are "and 1 more"
				}
				for _, word := range strings.Fields(r.Summary) { // summaries are squeezed

					if !strings.Contains(summaries.String(), word) {
						t.Errorf("width %d: summary word %q missing", width, word)
					}
				}
			}
		}
	}
}

// tableRows splits a rendered table into rows of cells of lines, borders
// removed.
func tableRows(out string) [][][]string {
	var rows [][][]string
	var row [][]string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "─") {
			if row != nil {
				rows = append(rows, row)
				row = nil
			}
			continue
		}
		if !strings.HasPrefix(line, "│") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "│"), "│")
		if row == nil {
			row = make([][]string, len(cells))
		}
		for i, c := range cells {
			if c = strings.TrimSpace(c); c != "" {
				row[i] = append(row[i], c)
			}
		}
	}
	return rows
}

// splitHostsCell returns the unwrapped node set and the summary text of a
// row, whether HOSTS and SUMMARY are two columns or stacked in one.
func splitHostsCell(t *testing.T, row [][]string) (hosts, summary string) {
	t.Helper()
	last := row[len(row)-1]
	if len(row) >= 2 && strings.Contains(strings.Join(row[len(row)-2], ""), "(") &&
		!strings.HasPrefix(strings.Join(last, ""), "(") {
		return strings.Join(row[len(row)-2], ""), squeeze(last)
	}
	i := 0
	for i < len(last) && !strings.HasPrefix(last[i], stackMark) {
		i++
	}
	return strings.Join(last[:i], ""), squeeze(last[i:])
}

// squeeze joins wrapped summary lines with spaces and stack marks removed,
// so a word broken across lines reads whole again.
func squeeze(lines []string) string {
	s := strings.Join(lines, "")
	return strings.NewReplacer(" ", "", strings.TrimSpace(stackMark), "").Replace(s)
}

func TestTableGroupsOrder(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, fixtureSweep(fixtureRecords()), TableOptions{Width: 200}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// Unowned first, then teams alphabetically; within a check, worst first.
	order := []string{"infra-triage (unowned)", "infra-foundations", "traffic", "web"}
	last := -1
	for _, s := range order {
		i := strings.Index(out, "│ "+s+" ")
		if i < 0 {
			t.Fatalf("%q not found in\n%s", s, out)
		}
		if i < last {
			t.Errorf("%q is out of order in\n%s", s, out)
		}
		last = i
	}
	crit, warn, unk := strings.Index(out, "CRITICAL"), strings.Index(out, "WARNING"), strings.Index(out, "UNKNOWN")
	if !(crit < unk && unk < warn) {
		t.Errorf("puppet statuses not worst first (CRITICAL %d, UNKNOWN %d, WARNING %d):\n%s", crit, unk, warn, out)
	}
	if strings.Contains(out, "no failed units") || strings.Contains(out, "below 85%") {
		t.Errorf("OK results shown as rows:\n%s", out)
	}
	if !strings.Contains(out, "and 1 more") {
		t.Errorf("five differing disk summaries not collapsed to three and 1 more:\n%s", out)
	}
}

func TestTableWithoutOwnersHasNoTeamColumn(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, fixtureSweep(withoutOwners(fixtureRecords())), TableOptions{Width: 160}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "TEAM") {
		t.Errorf("TEAM column shown without owners:\n%s", buf.String())
	}
	buf.Reset()
	if err := Table(&buf, fixtureSweep(fixtureRecords()), TableOptions{Width: 160}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "TEAM") {
		t.Errorf("TEAM column missing with owners:\n%s", buf.String())
	}
}

func TestTableSummaryLine(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, fixtureSweep(fixtureRecords()), TableOptions{Width: 200}); err != nil {
		t.Fatal(err)
	}
	want := "12 hosts: 2 ok, 3 warning, 4 critical, 1 unknown, 2 unreachable (1 refused, 1 timeout) · 23 results · swept in 2.1s\n"
	if !strings.HasSuffix(buf.String(), want) {
		t.Errorf("summary line: got\n%s\nwant suffix\n%s", buf.String(), want)
	}
}

// BenchmarkTable10k renders a sweep of 10,000 hosts and 3 checks with a
// tenth of them failing in a few ways.
func BenchmarkTable10k(b *testing.B) {
	var recs []Record
	for i := range 10000 {
		host := fmt.Sprintf("web%05d.dc%d.example.org", i, i%3)
		for _, check := range []string{"puppet", "disk", "systemd"} {
			st := checks.OK
			if i%10 == 0 {
				st = checks.Status(1 + i%4)
			}
			recs = append(recs, rec(host, check, st, fmt.Sprintf("summary %d", i%5), ownWeb))
		}
	}
	s := fixtureSweep(recs)
	s.Hosts = 10000
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Table(&buf, s, TableOptions{Width: 120}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTableTinyWidth: a terminal too narrow for any table still gets every
// failure, wrapped rather than cut.
func TestTableTinyWidth(t *testing.T) {
	for _, width := range []int{1, 20, 40} {
		var buf bytes.Buffer
		if err := Table(&buf, fixtureSweep(fixtureRecords()), TableOptions{Width: width}); err != nil {
			t.Fatal(err)
		}
		rows := tableRows(buf.String())
		if len(rows) != 9 { // header and 8 groups (traffic's disk and puppet rows merge)
			t.Errorf("width %d: %d rows, want 9:\n%s", width, len(rows), buf.String())
		}
		if strings.Contains(buf.String(), "…") {
			t.Errorf("width %d: truncated:\n%s", width, buf.String())
		}
	}
}

// Rows of one team and status that differ only by check become one row
// naming the checks; rows whose hosts or summaries differ stay apart.
func TestTableMergesRowsThatDifferOnlyByCheck(t *testing.T) {
	owner := &ownership.Owner{Team: "traffic", Rule: "edge"}
	recs := []Record{
		{Result: checks.Result{Host: "cache1", Check: "disk", Status: checks.Unreachable, Summary: "timed out", ErrorKind: "timeout"}, Owner: owner},
		{Result: checks.Result{Host: "cache1", Check: "load", Status: checks.Unreachable, Summary: "timed out", ErrorKind: "timeout"}, Owner: owner},
		{Result: checks.Result{Host: "cache1", Check: "memory", Status: checks.Unreachable, Summary: "timed out", ErrorKind: "timeout"}, Owner: owner},
		{Result: checks.Result{Host: "cache2", Check: "ntp", Status: checks.Unreachable, Summary: "timed out", ErrorKind: "timeout"}, Owner: owner},
		{Result: checks.Result{Host: "cache2", Check: "disk", Status: checks.Critical, Summary: "/ 99% used"}, Owner: owner},
	}
	groups := groupFailures(recs)
	var got []string
	for _, g := range groups {
		got = append(got, g.key.check+" "+g.key.status.String()+" "+g.hostsCell())
	}
	want := []string{"disk CRITICAL (1) cache2", "disk, load, memory UNREACHABLE (1) cache1", "ntp UNREACHABLE (1) cache2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
