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
		{"table_owners_80.txt", fixtureSweep(fixtureRecords()), TableOptions{Width: 80}},
		{"table_owners_120.txt", fixtureSweep(fixtureRecords()), TableOptions{Width: 120}},
		{"table_owners_200.txt", fixtureSweep(fixtureRecords()), TableOptions{Width: 200}},
		{"table_owners_narrow.txt", fixtureSweep(fixtureRecords()), TableOptions{Width: 60}},
		{"table_owners_default.txt", fixtureSweep(fixtureRecords()), TableOptions{}},
		{"table_owners_color.txt", fixtureSweep(fixtureRecords()), TableOptions{Width: 160, Color: true}},
		{"table_owners_verbose_80.txt", fixtureSweep(fixtureRecords()), TableOptions{Width: 80, Verbose: true}},
		{"table_owners_critical_80.txt", fixtureSweep(fixtureRecords()), TableOptions{Width: 80, MinStatus: checks.Critical}},
		{"table_noowners_80.txt", fixtureSweep(withoutOwners(fixtureRecords())), TableOptions{Width: 80}},
		{"table_noowners_120.txt", fixtureSweep(withoutOwners(fixtureRecords())), TableOptions{Width: 120}},
		{"table_noowners_200.txt", fixtureSweep(withoutOwners(fixtureRecords())), TableOptions{Width: 200}},
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
			if tt.opts.Color && strings.Contains(buf.String(), "CRITICAL") && !strings.Contains(buf.String(), ansiBoldRd+"CRITICAL"+ansiReset) {
				t.Errorf("CRITICAL not in its colour:\n%q", buf.String())
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

// shownHosts returns every host of the node sets "(N) SET" of a table,
// joining node sets continued on the next line, and fails when a count
// does not match its set or a set does not expand.
func shownHosts(t *testing.T, out string) map[string]int {
	t.Helper()
	joined := regexp.MustCompile(`,\n *`).ReplaceAllString(out, ",")
	shown := map[string]int{}
	for _, m := range regexp.MustCompile(`\((\d+)\) (\S+)`).FindAllStringSubmatch(joined, -1) {
		names, err := nodeset.Expand(m[2])
		if err != nil {
			t.Fatalf("node set %q does not expand: %v\n%s", m[2], err, out)
		}
		if n, _ := strconv.Atoi(m[1]); n != len(names) {
			t.Errorf("node set %q counts %s but holds %d", m[2], m[1], len(names))
		}
		for _, n := range names {
			shown[n]++
		}
	}
	return shown
}

// TestTableFitsWidth checks that no line is wider than asked, that no host
// name or node set is broken, and that nothing was lost: every failing
// host is in a node set and, verbose, every summary word is shown.
func TestTableFitsWidth(t *testing.T) {
	for _, width := range []int{60, 80, 100, 120, 160, 200} {
		for _, owners := range []bool{true, false} {
			for _, verbose := range []bool{true, false} {
				recs := fixtureRecords()
				if !owners {
					recs = withoutOwners(recs)
				}
				var buf bytes.Buffer
				if err := Table(&buf, fixtureSweep(recs), TableOptions{Width: width, Verbose: verbose}); err != nil {
					t.Fatal(err)
				}
				out := buf.String()
				for i, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
					if w := textWidth(line); w > width {
						t.Errorf("width %d owners %v: line %d is %d wide: %q", width, owners, i+1, w, line)
					}
				}
				if strings.Contains(out, "…") || strings.Contains(out, "more") {
					t.Errorf("width %d: output was truncated:\n%s", width, out)
				}
				shown := shownHosts(t, out)
				words := strings.Join(strings.Fields(out), " ")
				for _, r := range recs {
					if r.Status == checks.OK {
						continue
					}
					if shown[r.Host] == 0 {
						t.Errorf("width %d owners %v: host %s missing from\n%s", width, owners, r.Host, out)
					}
					if !verbose {
						continue
					}
					for _, word := range strings.Fields(r.Summary) {
						if !strings.Contains(words, word) {
							t.Errorf("width %d: summary word %q missing from\n%s", width, word, out)
						}
					}
				}
			}
		}
	}
}

func TestTableGroupsOrder(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, fixtureSweep(fixtureRecords()), TableOptions{Width: 200}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// Unowned first, then teams alphabetically.
	order := []string{"━━ infra-triage (unowned)", "━━ infra-foundations", "━━ traffic", "━━ web"}
	last := -1
	for _, s := range order {
		i := strings.Index(out, s)
		if i < 0 {
			t.Fatalf("%q not found in\n%s", s, out)
		}
		if i < last {
			t.Errorf("%q is out of order in\n%s", s, out)
		}
		last = i
	}
	// Within a team, worst first, whatever the check.
	for _, sec := range strings.Split(out, "━━ ")[1:] {
		worst := 5
		for _, line := range strings.Split(sec, "\n") {
			st, err := checks.ParseStatus(strings.Fields(line + " x")[0])
			if err != nil {
				continue
			}
			sev := map[checks.Status]int{checks.Critical: 0, checks.Unreachable: 1, checks.Unknown: 2, checks.Warning: 3}[st]
			if worst != 5 && sev < worst {
				t.Errorf("%s after a better status in section\n%s", st, sec)
			}
			worst = sev
		}
	}
	if strings.Contains(out, "no failed units") || strings.Contains(out, "below 85%") {
		t.Errorf("OK results shown as rows:\n%s", out)
	}
}

func TestTableWithoutOwnersHasNoTeams(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, fixtureSweep(withoutOwners(fixtureRecords())), TableOptions{Width: 160}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "━━") {
		t.Errorf("team headings without owners:\n%s", buf.String())
	}
	buf.Reset()
	if err := Table(&buf, fixtureSweep(fixtureRecords()), TableOptions{Width: 160}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "━━ web · 5 failing hosts: 1 critical, 4 warning") {
		t.Errorf("team heading missing with owners:\n%s", buf.String())
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

// With --team, the records are that team's only: the summary line says so
// rather than counting the whole sweep's hosts as if they were the team's.
func TestTableSummaryLineTeam(t *testing.T) {
	var recs []Record
	for _, r := range fixtureRecords() {
		if r.Owner == ownWeb {
			recs = append(recs, r)
		}
	}
	var buf bytes.Buffer
	if err := Table(&buf, fixtureSweep(recs), TableOptions{Width: 200, Team: "web"}); err != nil {
		t.Fatal(err)
	}
	want := "team web, 6 of 12 hosts: 1 ok, 4 warning, 1 critical, 0 unknown, 0 unreachable · 8 results of team web · swept in 2.1s\n"
	if !strings.HasSuffix(buf.String(), want) {
		t.Errorf("summary line: got\n%s\nwant suffix\n%s", buf.String(), want)
	}
}

func TestTableMinStatus(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, fixtureSweep(fixtureRecords()), TableOptions{Width: 200, MinStatus: checks.Critical}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, hidden := range []string{"WARNING", "UNKNOWN", "UNREACHABLE"} {
		if strings.Contains(out, hidden) {
			t.Errorf("%s row shown with MinStatus CRITICAL:\n%s", hidden, out)
		}
	}
	if !strings.Contains(out, "CRITICAL") {
		t.Errorf("CRITICAL rows missing:\n%s", out)
	}
	if want := "not shown (better than CRITICAL): 4 unreachable, 1 unknown, 7 warning results"; !strings.Contains(out, want) {
		t.Errorf("no %q in\n%s", want, out)
	}
	if want := "12 hosts: 2 ok, 3 warning, 4 critical"; !strings.Contains(out, want) {
		t.Errorf("the summary line must count every host: no %q in\n%s", want, out)
	}
	buf.Reset()
	okOnly := fixtureSweep(onlyOK(fixtureRecords()))
	okOnly.Results = append(okOnly.Results, rec("x", "disk", checks.Warning, "/ 90% used", nil))
	if err := Table(&buf, okOnly, TableOptions{Width: 80, MinStatus: checks.Critical}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "no failures at least as bad as CRITICAL\n") {
		t.Errorf("got\n%s", buf.String())
	}
}

// Summaries that differ only in their numbers share a line with ranges;
// past maxSubRows summaries fold into one line that says what it folds and
// still names its hosts; verbose shows every summary as it was.
func TestTableRangesAndCap(t *testing.T) {
	var recs []Record
	for i, age := range []string{"2d", "5d", "3d", "2d"} {
		recs = append(recs, rec(fmt.Sprintf("web%d", i+1), "puppet", checks.Critical, "last run "+age+" ago; agent disabled", ownPuppet))
	}
	for i := range 6 {
		recs = append(recs, rec(fmt.Sprintf("db%d", i+1), "systemd", checks.Critical, fmt.Sprintf("1 failed unit: unit%c.service", 'a'+i), ownPuppet))
	}
	var buf bytes.Buffer
	if err := Table(&buf, fixtureSweep(recs), TableOptions{Width: 120}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "(4) web[1-4]") || !strings.Contains(out, "last run 2d–5d ago; agent disabled") {
		t.Errorf("ages not merged into a range:\n%s", out)
	}
	if !strings.Contains(out, "3 other summaries (-v lists them)") {
		t.Errorf("no folded line for the 6 summaries:\n%s", out)
	}
	shown := shownHosts(t, out)
	for i := range 6 {
		if shown[fmt.Sprintf("db%d", i+1)] != 1 {
			t.Errorf("db%d shown %d times:\n%s", i+1, shown[fmt.Sprintf("db%d", i+1)], out)
		}
	}
	buf.Reset()
	if err := Table(&buf, fixtureSweep(recs), TableOptions{Width: 120, Verbose: true}); err != nil {
		t.Fatal(err)
	}
	out = buf.String()
	for _, want := range []string{"last run 5d ago", "last run 3d ago", "(2) web[1,4]", "unitf.service"} {
		if !strings.Contains(out, want) {
			t.Errorf("verbose: no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "other summaries") || strings.Contains(out, "–") {
		t.Errorf("verbose folded or merged:\n%s", out)
	}
}

// An unreachable host is listed once, under the team owning most of its
// checks, naming the others; a host reached by some checks lists the ones
// that did not reach it.
func TestTableUnreachableOnce(t *testing.T) {
	owner := &ownership.Owner{Team: "traffic", Rule: "edge"}
	unr := func(host, check string, o *ownership.Owner) Record {
		r := rec(host, check, checks.Unreachable, "timed out", o)
		r.ErrorKind = "timeout"
		return r
	}
	recs := []Record{
		unr("cache1", "disk", owner), unr("cache1", "load", owner), unr("cache1", "puppet", ownPuppet),
		unr("cache2", "ntp", owner),
		rec("cache2", "disk", checks.Critical, "/ 99% used", owner),
	}
	in := buildSections(recs, checks.OK, false)
	var got []string
	for _, sec := range in.sections {
		for _, r := range sec.rows {
			for _, sub := range r.subs {
				got = append(got, fmt.Sprintf("%s: %s %s %s %v %s", sec.key.team, r.status, r.check, r.reason, sub.hosts, sub.summary))
			}
		}
	}
	want := []string{
		"traffic: CRITICAL disk  [cache2] / 99% used",
		"traffic: UNREACHABLE all timeout [cache1] timed out; also infra-foundations",
		"traffic: UNREACHABLE ntp timeout [cache2] timed out",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A node set too wide for the line is folded again in parts that fit;
// nothing is broken inside a node set.
func TestHostsLinesRefold(t *testing.T) {
	var hosts []string
	for i := 1; i <= 60; i += 2 {
		hosts = append(hosts, fmt.Sprintf("web%04d.dc1.example.org", i))
	}
	lines := hostsLines(hosts, 50)
	seen := 0
	for i, l := range lines {
		if textWidth(l) > 50 {
			t.Errorf("line %d is %d wide: %q", i, textWidth(l), l)
		}
		l = strings.TrimPrefix(strings.TrimSpace(l), "(30) ")
		names, err := nodeset.Expand(strings.TrimSuffix(l, ","))
		if err != nil {
			t.Fatalf("line %q is not a node set: %v", l, err)
		}
		seen += len(names)
	}
	if seen != len(hosts) || len(lines) < 2 {
		t.Errorf("%d hosts in %d lines, want %d in several:\n%s", seen, len(lines), len(hosts), strings.Join(lines, "\n"))
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
		recs := fixtureRecords()
		if err := Table(&buf, fixtureSweep(recs), TableOptions{Width: width}); err != nil {
			t.Fatal(err)
		}
		shown := shownHosts(t, buf.String())
		for _, r := range recs {
			if r.Status != checks.OK && shown[r.Host] == 0 {
				t.Errorf("width %d: %s missing:\n%s", width, r.Host, buf.String())
			}
		}
		if strings.Contains(buf.String(), "…") {
			t.Errorf("width %d: truncated:\n%s", width, buf.String())
		}
	}
}
