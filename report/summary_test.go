package report

import (
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/checks"
)

func TestSummarize(t *testing.T) {
	W, C, O, U, R := checks.Warning, checks.Critical, checks.OK, checks.Unknown, checks.Unreachable
	canceled := func(host, check string) Record {
		r := rec(host, check, U, "not checked: sweep interrupted", nil)
		r.ErrorKind = CanceledKind
		return r
	}
	unreachable := func(host, check, kind string) Record {
		r := rec(host, check, R, "", nil)
		r.ErrorKind = kind
		return r
	}
	tests := []struct {
		name       string
		recs       []Record
		selected   int
		complete   bool
		hosts      StatusCounts
		results    StatusCounts
		kinds      map[string]int
		worst      checks.Status
		exitCode   int
		wantHosts  int
		notChecked []string
	}{
		{name: "empty", complete: true, exitCode: 0, kinds: map[string]int{}},
		{
			name:     "host takes its worst result",
			recs:     []Record{rec("a", "x", O, "", nil), rec("a", "y", W, "", nil), rec("b", "x", O, "", nil)},
			selected: 2, complete: true,
			hosts: StatusCounts{OK: 1, Warning: 1}, results: StatusCounts{OK: 2, Warning: 1},
			kinds: map[string]int{}, worst: W, exitCode: 1, wantHosts: 2,
		},
		{
			name:     "critical beats unreachable",
			recs:     []Record{rec("a", "x", C, "", nil), unreachable("a", "y", "timeout"), unreachable("b", "x", "timeout"), unreachable("c", "x", "dns"), unreachable("c", "y", "")},
			selected: 3, complete: true,
			hosts: StatusCounts{Critical: 1, Unreachable: 2}, results: StatusCounts{Critical: 1, Unreachable: 4},
			kinds: map[string]int{"timeout": 1, "dns": 1}, worst: C, exitCode: 2, wantHosts: 3,
		},
		{
			name:     "unreachable without kind is other",
			recs:     []Record{unreachable("a", "x", "")},
			selected: 1, complete: true,
			hosts: StatusCounts{Unreachable: 1}, results: StatusCounts{Unreachable: 1},
			kinds: map[string]int{"other": 1}, worst: R, exitCode: 3, wantHosts: 1,
		},
		{
			name:     "unknown exits 3",
			recs:     []Record{rec("a", "x", U, "", nil), rec("a", "y", W, "", nil)},
			selected: 1, complete: true,
			hosts: StatusCounts{Unknown: 1}, results: StatusCounts{Unknown: 1, Warning: 1},
			kinds: map[string]int{}, worst: U, exitCode: 3, wantHosts: 1,
		},
		{
			name:     "incomplete never exits below 3",
			recs:     []Record{rec("a", "x", O, "", nil)},
			selected: 5, complete: false,
			hosts: StatusCounts{OK: 1}, results: StatusCounts{OK: 1},
			kinds: map[string]int{}, worst: O, exitCode: 3, wantHosts: 5,
		},
		{
			name:     "incomplete keeps critical",
			recs:     []Record{rec("a", "x", C, "", nil)},
			selected: 5, complete: false,
			hosts: StatusCounts{Critical: 1}, results: StatusCounts{Critical: 1},
			kinds: map[string]int{}, worst: C, exitCode: 2, wantHosts: 5,
		},
		{
			name: "canceled results are no verdict",
			recs: []Record{
				rec("a", "x", W, "", nil), canceled("a", "y"), // partly checked: counts as checked
				canceled("b", "x"), canceled("b", "y"),
			},
			selected: 3, complete: false,
			hosts: StatusCounts{Warning: 1}, results: StatusCounts{Warning: 1, Unknown: 3},
			kinds: map[string]int{}, worst: W, exitCode: 3, wantHosts: 3, notChecked: []string{"b"},
		},
		{
			name:     "hosts never fewer than hosts with results",
			recs:     []Record{rec("a", "x", O, "", nil), rec("b", "x", O, "", nil)},
			selected: 0, complete: true,
			hosts: StatusCounts{OK: 2}, results: StatusCounts{OK: 2},
			kinds: map[string]int{}, worst: O, exitCode: 0, wantHosts: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(&Sweep{Hosts: tt.selected, Complete: tt.complete, Results: tt.recs})
			if s.HostStatus != tt.hosts {
				t.Errorf("hosts by status %+v, want %+v", s.HostStatus, tt.hosts)
			}
			if s.Results != tt.results {
				t.Errorf("results by status %+v, want %+v", s.Results, tt.results)
			}
			if len(s.UnreachableByKind) != len(tt.kinds) {
				t.Errorf("unreachable by kind %v, want %v", s.UnreachableByKind, tt.kinds)
			}
			for k, n := range tt.kinds {
				if s.UnreachableByKind[k] != n {
					t.Errorf("unreachable by kind %v, want %v", s.UnreachableByKind, tt.kinds)
				}
			}
			if s.Worst != tt.worst {
				t.Errorf("worst %v, want %v", s.Worst, tt.worst)
			}
			if got := s.ExitCode(); got != tt.exitCode {
				t.Errorf("exit code %d, want %d", got, tt.exitCode)
			}
			if s.Hosts != tt.wantHosts {
				t.Errorf("hosts %d, want %d", s.Hosts, tt.wantHosts)
			}
			if strings.Join(s.NotChecked, ",") != strings.Join(tt.notChecked, ",") {
				t.Errorf("not checked %v, want %v", s.NotChecked, tt.notChecked)
			}
			if s.Done != s.HostStatus.Total() {
				t.Errorf("done %d but %d hosts counted by status", s.Done, s.HostStatus.Total())
			}
		})
	}
}

func TestSummarizeByTeam(t *testing.T) {
	s := Summarize(fixtureSweep(fixtureRecords()))
	want := map[string]StatusCounts{
		"infra-foundations": {Warning: 2, Critical: 1, Unknown: 1},
		"infra-triage":      {Critical: 2},
		"traffic":           {Unreachable: 4},
		"web":               {Warning: 5, Critical: 1},
	}
	if len(s.ByTeam) != len(want) {
		t.Errorf("by team %+v, want %+v", s.ByTeam, want)
	}
	for team, c := range want {
		if s.ByTeam[team] != c {
			t.Errorf("team %s: %+v, want %+v", team, s.ByTeam[team], c)
		}
	}
	if n := len(Summarize(fixtureSweep(withoutOwners(fixtureRecords()))).ByTeam); n != 0 {
		t.Errorf("%d teams without owners, want 0", n)
	}
}

// TestTallyMatchesSummarize: a stream's tally agrees with the batch summary
// whatever the order of arrival.
func TestTallyMatchesSummarize(t *testing.T) {
	recs := fixtureRecords()
	want := Summarize(fixtureSweep(recs))
	tally := NewTally()
	for i := len(recs) - 1; i >= 0; i-- {
		tally.Add(recs[i])
	}
	got := tally.Summary(12, true)
	if got.HostStatus != want.HostStatus || got.Results != want.Results || got.Worst != want.Worst {
		t.Errorf("tally %+v, summarize %+v", got, want)
	}
	for k, n := range want.UnreachableByKind {
		if got.UnreachableByKind[k] != n {
			t.Errorf("kind %s: %d, want %d", k, got.UnreachableByKind[k], n)
		}
	}
}
