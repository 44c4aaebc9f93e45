package main

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// The demo's table fits 80 columns ($COLUMNS, piped) in under 140 lines,
// every line within the width (issue 17). It was 255 lines; the table
// branch alone made it 128, and the reasons and real Puppet samples merged
// after it (puppet, disk, load) brought it to 135: the bound is 140.
func TestDemoTableFits80Columns(t *testing.T) {
	t.Setenv("COLUMNS", "80")
	stdout, stderr, code := runBinary(t, "demo", "--no-progress")
	if code != 2 {
		t.Fatalf("exit %d, want 2 (CRITICALs):\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if len(lines) >= 140 {
		t.Errorf("%d lines at 80 columns, want under 140:\n%s", len(lines), stdout)
	}
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("line %d is %d wide: %q", i+1, n, l)
		}
	}
	if !strings.HasPrefix(lines[0], "━━ infra-triage (unowned)") {
		t.Errorf("the unowned section is not first: %q", lines[0])
	}
}

// --status critical shows only CRITICAL rows and says what it hid; the
// exit code still reflects everything; a bad value is a usage error.
func TestDemoStatusFilter(t *testing.T) {
	t.Setenv("COLUMNS", "120")
	stdout, stderr, code := runBinary(t, "demo", "--no-progress", "--status", "critical", "cache0[0-2]*")
	if code != 2 {
		t.Fatalf("exit %d, want 2:\n%s%s", code, stdout, stderr)
	}
	for _, hidden := range []string{"\nWARNING ", "\nUNKNOWN ", "\nUNREACHABLE "} {
		if strings.Contains("\n"+stdout, hidden) {
			t.Errorf("%q row with --status critical:\n%s", strings.TrimSpace(hidden), stdout)
		}
	}
	if !strings.Contains(stdout, "not shown (better than CRITICAL):") {
		t.Errorf("no note of what was hidden:\n%s", stdout)
	}
	_, stderr, code = runBinary(t, "demo", "--status", "bad", "cache001*")
	if code != exitUsage || !strings.Contains(stderr, `--status "bad"`) {
		t.Errorf("--status bad: exit %d, stderr %q", code, stderr)
	}
}

// With --team, the summary line counts that team's hosts of all selected
// and the JSON says how many hosts it holds results for; by_team counts
// say whether they count hosts or results.
func TestDemoTeamCounts(t *testing.T) {
	t.Setenv("COLUMNS", "200")
	stdout, _, _ := runBinary(t, "demo", "--no-progress", "--team", "traffic", "cache*")
	last := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if line := last[len(last)-1]; !strings.HasPrefix(line, "team traffic, ") || !strings.Contains(line, " results of team traffic") {
		t.Errorf("summary line %q does not say it counts the team's hosts", line)
	}
	stdout, _, _ = runBinary(t, "demo", "--no-progress", "-o", "json", "cache*")
	var doc struct {
		Summary struct {
			Hosts        int                       `json:"hosts"`
			HostsChecked int                       `json:"hosts_checked"`
			ByTeam       map[string]map[string]int `json:"by_team"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	tr := doc.Summary.ByTeam["traffic"]
	if doc.Summary.HostsChecked == 0 || tr["failed_hosts"] == 0 || tr["failed_results"] < tr["failed_hosts"] ||
		tr["failed_results"] != tr["warning"]+tr["critical"]+tr["unknown"]+tr["unreachable"] {
		t.Errorf("summary %+v", doc.Summary)
	}
}
