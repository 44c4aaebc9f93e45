package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
)

type digestDoc struct {
	Teams []struct {
		Team         string       `json:"team"`
		New          []digestItem `json:"new"`
		Ongoing      []digestItem `json:"ongoing"`
		Acknowledged []digestItem `json:"acknowledged"`
		Maintenance  []digestItem `json:"maintenance"`
		Budget       *struct {
			HostChecks int `json:"host_checks"`
		} `json:"budget"`
	} `json:"teams"`
}

type digestItem struct {
	Check string `json:"check"`
	Hosts string `json:"hosts"`
	Ack   *struct {
		Reason string `json:"reason"`
		By     string `json:"by"`
	} `json:"ack"`
}

func readDigest(t *testing.T, db string) digestDoc {
	t.Helper()
	stdout, stderr, code := runBinary(t, "digest", "--state", db, "-o", "json")
	if code != 0 {
		t.Fatalf("digest: exit %d: %s", code, stderr)
	}
	var d digestDoc
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAckThroughTheBinary: sweep, acknowledge one failure, sweep again:
// the table marks it ACK with its reason, the digest lists it under
// acknowledged and no longer as new; a maintenance window marks the next
// sweep's failures MAINT; budget reports the team. On SQLite and on
// PostgreSQL.
func TestAckThroughTheBinary(t *testing.T) {
	for _, b := range stateBackends {
		t.Run(b.name, func(t *testing.T) { testAckThroughTheBinary(t, b.fresh(t)) })
	}
}

func testAckThroughTheBinary(t *testing.T, db string) {
	_, args := simFilesShare(t, 8, 0.5, fleetsim.FaultRefuse)
	sweepArgs := append([]string{"sweep", "--no-progress", "--timeout", "5s", "--state", db}, args...)
	if _, stderr, code := runBinary(t, sweepArgs...); code == 64 || code == 78 {
		t.Fatalf("first sweep: exit %d: %s", code, stderr)
	}
	d := readDigest(t, db)
	var target digestItem
	for _, tm := range d.Teams {
		for _, g := range tm.New {
			if g.Check != "" && !strings.ContainsAny(g.Hosts, "[,") && target.Check == "" {
				target = g
			}
		}
	}
	if target.Check == "" {
		t.Fatalf("no failure of a single host to acknowledge: %+v", d)
	}
	stdout, stderr, code := runBinary(t, append(append([]string{"ack", "--state", db, "--reason", "T1234", "--for", "2d", "--by", "alice"}, args...), target.Hosts, target.Check)...)
	if code != 0 || !strings.Contains(stdout, "acknowledged "+target.Check+" on "+target.Hosts) {
		t.Fatalf("ack: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, _, code = runBinary(t, "ack", "--list", "--state", db)
	if code != 0 || !strings.Contains(stdout, "T1234") || !strings.Contains(stdout, "alice") {
		t.Fatalf("ack --list: exit %d\n%s", code, stdout)
	}

	table, stderr, _ := runBinaryEnv(t, []string{"COLUMNS=200"}, sweepArgs...)
	if !strings.Contains(table, "ACK T1234 until") {
		t.Errorf("second sweep's table does not mark the acknowledged failure:\n%s%s", table, stderr)
	}
	d = readDigest(t, db)
	found := false
	for _, tm := range d.Teams {
		for _, g := range tm.Acknowledged {
			if g.Check == target.Check && g.Hosts == target.Hosts && g.Ack != nil && g.Ack.Reason == "T1234" && g.Ack.By == "alice" {
				found = true
			}
		}
		for _, g := range append(tm.New, tm.Ongoing...) {
			if g.Check == target.Check && g.Hosts == target.Hosts {
				t.Errorf("the acknowledged failure is also listed as new or ongoing: %+v", g)
			}
		}
	}
	if !found {
		t.Errorf("digest does not list %s on %s under acknowledged: %+v", target.Check, target.Hosts, d)
	}
	md, _, _ := runBinary(t, "digest", "--state", db)
	if !strings.Contains(md, "### Acknowledged") || !strings.Contains(md, "ACK alice: T1234 until") || !strings.Contains(md, "Error budget (30d") {
		t.Errorf("Markdown digest:\n%s", md)
	}

	// Maintenance for every host: the next sweep marks its failures MAINT.
	stdout, stderr, code = runBinary(t, append(append([]string{"maintenance", "--state", db, "--for", "1h", "--reason", "reboots"}, args...), "all")...)
	if code != 0 || !strings.Contains(stdout, "maintenance window 1:") {
		t.Fatalf("maintenance: exit %d\n%s%s", code, stdout, stderr)
	}
	table, _, _ = runBinaryEnv(t, []string{"COLUMNS=200"}, sweepArgs...)
	if !strings.Contains(table, "MAINT reboots until") {
		t.Errorf("sweep in maintenance: no MAINT mark:\n%s", table)
	}
	d = readDigest(t, db)
	maint := 0
	for _, tm := range d.Teams {
		maint += len(tm.Maintenance)
		if len(tm.New)+len(tm.Ongoing) > 0 {
			t.Errorf("team %s has failures outside maintenance while every host is in it: %+v", tm.Team, tm)
		}
	}
	if maint == 0 {
		t.Errorf("no failure in maintenance: %+v", d)
	}
	stdout, _, code = runBinary(t, "maintenance", "--list", "--state", db)
	if code != 0 || !strings.Contains(stdout, "reboots") {
		t.Errorf("maintenance --list: exit %d\n%s", code, stdout)
	}
	if stdout, stderr, code = runBinary(t, "maintenance", "--remove", "1", "--state", db); code != 0 {
		t.Errorf("maintenance --remove 1: exit %d\n%s%s", code, stdout, stderr)
	}

	stdout, stderr, code = runBinary(t, "budget", "--state", db, "-o", "json")
	if code != 0 || !strings.Contains(stdout, `"schema": "fleetcheck.budget/v1"`) || !strings.Contains(stdout, `"host_checks"`) {
		t.Errorf("budget -o json: exit %d\n%s%s", code, stdout, stderr)
	}
	if stdout, _, code = runBinary(t, "budget", "--state", db); code != 0 || !strings.Contains(stdout, "HOST-CHECKS") {
		t.Errorf("budget: exit %d\n%s", code, stdout)
	}
}

// TestTriageUsageErrors: bad input to ack, maintenance and budget is a
// usage error (64) naming the flag or argument, with a suggestion where
// one is near.
func TestTriageUsageErrors(t *testing.T) {
	dir := t.TempDir()
	inv := writeFile(t, dir, "hosts.yaml", "hosts:\n  - name: web1\n  - name: web2\n")
	owners := writeFile(t, dir, "owners.yaml", "fallback: triage\nteams: {triage: {}, web: {}}\nrules:\n  - {id: a, hosts: 'all', owner: web}\n")
	db := filepath.Join(dir, "fleet.db")
	if _, stderr, code := runInProcess(t, "maintenance", "-i", inv, "--state", db, "--for", "1h", "--reason", "r", "web1"); code != 0 {
		t.Fatalf("maintenance: exit %d: %s", code, stderr)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"ack", "-i", inv, "--state", db, "--reason", "T1", "web1", "dissk"}, 64, `CHECK "dissk": no such check (did you mean "disk"?)`},
		{[]string{"ack", "-i", inv, "--state", db, "--reason", "T1", "web3", "disk"}, 64, `QUERY "web3" selects no host (did you mean "web1"?)`},
		{[]string{"ack", "-i", inv, "--state", db, "web1", "disk"}, 64, "--reason: required"},
		{[]string{"ack", "-i", inv, "--state", db, "--reason", "T1", "--for", "5", "web1", "disk"}, 64, "--for"},
		{[]string{"ack", "-i", inv, "--state", db, "--reason", "T1", "web1"}, 64, "QUERY and CHECK"},
		{[]string{"ack", "-i", inv, "--state", db, "--reason", "T1", "web1", "disk"}, 1, "no open failure of disk on web1"},
		{[]string{"ack", "-i", inv, "--reason", "T1", "web1", "disk"}, 64, "no state store"},
		{[]string{"ack", "-i", inv, "--state", filepath.Join(dir, "missing.db"), "--reason", "T1", "web1", "disk"}, 78, "missing.db"},
		{[]string{"ack", "--list", "--state", db, "-o", "yaml"}, 64, "table or json"},
		{[]string{"ack", "-i", inv, "--state", db, "--remove", "web1", "disk"}, 1, "no acknowledgement of disk on web1"},
		{[]string{"maintenance", "-i", inv, "--state", db, "--reason", "r", "web1"}, 64, "--for is required"},
		{[]string{"maintenance", "-i", inv, "--state", db, "--for", "1h", "web1"}, 64, "--reason: required"},
		{[]string{"maintenance", "-i", inv, "--state", db, "--for", "2hours", "--reason", "r", "web1"}, 64, "--for: bad duration"},
		{[]string{"maintenance", "-i", inv, "--state", db, "--for", "1h", "--reason", "r", "--start", "tomorrow", "web1"}, 64, `--start: expected a time`},
		{[]string{"maintenance", "-i", inv, "--state", db, "--for", "1h", "--reason", "r", "--start", "2020-01-01 10:00", "web1"}, 64, "already be over"},
		{[]string{"maintenance", "-i", inv, "--state", db, "--for", "1h", "--reason", "r", "nosuch"}, 64, `QUERY "nosuch" selects no host`},
		{[]string{"maintenance", "-i", inv, "--state", db, "--remove", "x"}, 64, "--remove"},
		{[]string{"maintenance", "-i", inv, "--state", db, "--remove", "9"}, 1, "no maintenance window 9"},
		{[]string{"budget", "-i", inv, "--state", db, "--window", "month"}, 64, "--window"},
		{[]string{"budget", "-i", inv, "--owners", owners, "--state", db, "--team", "wbe"}, 64, `--team: no team "wbe"`},
		{[]string{"budget", "-i", inv, "--state", db, "-o", "csv"}, 64, "table or json"},
	} {
		_, stderr, code := runInProcess(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// TestAckUntilResolved: ack --for resolved records an acknowledgement
// with no expiry: ack --list shows it until "resolved" (JSON: no until),
// and the next sweep's table marks it "ACK T9 until resolved".
func TestAckUntilResolved(t *testing.T) {
	db := filepath.Join(t.TempDir(), "fleet.db")
	_, args := simFilesShare(t, 8, 0.5, fleetsim.FaultRefuse)
	sweepArgs := append([]string{"sweep", "--no-progress", "--timeout", "5s", "--state", db}, args...)
	if _, stderr, code := runBinary(t, sweepArgs...); code == 64 || code == 78 {
		t.Fatalf("first sweep: exit %d: %s", code, stderr)
	}
	var target digestItem
	for _, tm := range readDigest(t, db).Teams {
		for _, g := range tm.New {
			if g.Check != "" && !strings.ContainsAny(g.Hosts, "[,") && target.Check == "" {
				target = g
			}
		}
	}
	if target.Check == "" {
		t.Fatal("no failure of a single host to acknowledge")
	}
	stdout, stderr, code := runBinary(t, append(append([]string{"ack", "--state", db, "--reason", "T9", "--for", "resolved"}, args...), target.Hosts, target.Check)...)
	if code != 0 || !strings.Contains(stdout, "until resolved or worse") {
		t.Fatalf("ack --for resolved: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, _, _ = runBinary(t, "ack", "--list", "--state", db)
	if !strings.Contains(stdout, "T9") || !strings.HasSuffix(strings.TrimSpace(stdout), "resolved") {
		t.Errorf("ack --list does not show the acknowledgement until resolved:\n%s", stdout)
	}
	stdout, _, _ = runBinary(t, "ack", "--list", "--state", db, "-o", "json")
	var list struct {
		Acks []map[string]any `json:"acks"`
	}
	if err := json.Unmarshal([]byte(stdout), &list); err != nil || len(list.Acks) != 1 {
		t.Fatalf("ack --list -o json: %v\n%s", err, stdout)
	}
	if _, ok := list.Acks[0]["until"]; ok {
		t.Errorf("an acknowledgement until resolved has an until: %v", list.Acks[0])
	}
	table, _, _ := runBinaryEnv(t, []string{"COLUMNS=200"}, sweepArgs...)
	if !strings.Contains(table, "ACK T9 until resolved") {
		t.Errorf("second sweep's table: want ACK T9 until resolved:\n%s", table)
	}
}
