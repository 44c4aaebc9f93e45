package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/fleetcheck/fleetcheck/internal/pgtest"
	"github.com/fleetcheck/fleetcheck/state"
)

// sharedPG is the test binary's PostgreSQL, for --state postgres://.
var sharedPG pgtest.Shared

// stateBackends are the --state values the end-to-end tests run with: an
// SQLite file, and a fresh database on a PostgreSQL the tests start
// (skipped where it is not installed).
var stateBackends = []struct {
	name  string
	fresh func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "fleet.db") }},
	{"postgres", func(t *testing.T) string { return sharedPG.Database(t) }},
}

// TestSweepStateDigestHistory: two sweeps of a simulated fleet into one
// store, through the binary: the table marks failures new, then ongoing;
// -o digest and digest -o json (its schema is checked in digest's tests) tell the same; history shows a host's
// timeline, the unreachable host's own episode included. On SQLite and on
// PostgreSQL.
func TestSweepStateDigestHistory(t *testing.T) {
	for _, b := range stateBackends {
		t.Run(b.name, func(t *testing.T) { testSweepStateDigestHistory(t, b.fresh(t)) })
	}
}

func testSweepStateDigestHistory(t *testing.T, db string) {
	_, args := simFiles(t, 12, fleetsim.FaultRefuse)
	sweepArgs := append([]string{"sweep", "--no-progress", "--timeout", "5s", "--state", db}, args...)

	first, stderr, code := runBinary(t, sweepArgs...)
	if code == 0 || code == 64 || code == 78 || !strings.Contains(first, "[new]") || strings.Contains(first, "[ongoing") {
		t.Fatalf("first sweep (exit %d) should mark every failure new:\n%s%s", code, first, stderr)
	}
	if fi, err := os.Stat(db); !state.IsPostgresURL(db) && (err != nil || fi.Mode().Perm() != 0o600) {
		t.Fatalf("store %v, mode %v", err, fi)
	}
	second, stderr, _ := runBinary(t, append(sweepArgs, "-o", "table", "-o", "digest")...)
	if !strings.Contains(second, "[ongoing") || strings.Contains(second, "[new]") {
		t.Errorf("second sweep should mark every failure ongoing:\n%s%s", second, stderr)
	}
	if !strings.Contains(second, "# fleetcheck digest") || !strings.Contains(second, "After sweep 2") || !strings.Contains(second, "host on `") {
		t.Errorf("-o digest missing or without the unreachable host:\n%s", second)
	}

	// One shard: recorded as such, and it touches no other host's episodes.
	before := openEpisodes(t, db)
	if _, stderr, code := runBinary(t, append(sweepArgs, "--shard", "0/2")...); code == 64 || code == 78 {
		t.Fatalf("sharded sweep: exit %d: %s", code, stderr)
	}
	s, err := state.OpenAny(context.Background(), db, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sweeps, err := s.Sweeps(context.Background(), 1)
	s.Close()
	if err != nil || len(sweeps) != 1 || sweeps[0].Shard == nil || *sweeps[0].Shard != (state.Shard{Index: 0, Count: 2}) || sweeps[0].Hosts >= 12 {
		t.Fatalf("sharded sweep recorded as %+v (%v)", sweeps, err)
	}
	if after := openEpisodes(t, db); after != before {
		t.Errorf("open episodes %d before the shard's sweep, %d after (the fleet did not change)", before, after)
	}

	stdout, stderr, code := runBinary(t, "digest", "--state", db, "-o", "json")
	if code != 0 {
		t.Fatalf("digest -o json: exit %d: %s", code, stderr)
	}
	var doc struct {
		Teams []struct {
			Team string `json:"team"`
			New  []struct {
				Check string `json:"check"`
				Hosts string `json:"hosts"`
			} `json:"new"`
		} `json:"teams"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Teams) == 0 || len(doc.Teams[0].New) == 0 {
		t.Fatalf("digest has nothing new for a team never shown one:\n%s", stdout)
	}
	// -o slack: what the chat receiver would post, a payload a line, the
	// first team's first.
	slackOut, stderr, code := runBinary(t, "digest", "--state", db, "-o", "slack")
	slackLine, _, _ := strings.Cut(slackOut, "\n")
	var payload struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if code != 0 || json.Unmarshal([]byte(slackLine), &payload) != nil ||
		!strings.HasPrefix(payload.Text, "fleetcheck digest for "+doc.Teams[0].Team+":") || len(payload.Blocks) == 0 {
		t.Errorf("digest -o slack: exit %d, first line %q (%s)", code, slackLine, stderr)
	}
	unreachable := ""
	for _, g := range doc.Teams[0].New {
		if g.Check == state.HostCheck {
			unreachable = g.Hosts
		}
	}
	if unreachable == "" {
		t.Fatalf("no unreachable host in the digest:\n%s", stdout)
	}

	stdout, stderr, code = runBinary(t, append(append([]string{"history", "--state", db}, args...), unreachable)...)
	if code != 0 || !strings.Contains(stdout, "(host unreachable)") || !strings.Contains(stdout, "began") {
		t.Errorf("history %s: exit %d\n%s%s", unreachable, code, stdout, stderr)
	}
	stdout, _, code = runBinary(t, "history", "--state", db, "-o", "json", unreachable)
	if code != 0 || !strings.Contains(stdout, `"schema": "fleetcheck.history/v1"`) || !strings.Contains(stdout, `"status": "UNREACHABLE"`) {
		t.Errorf("history -o json: exit %d\n%s", code, stdout)
	}
}

func openEpisodes(t *testing.T, db string) int {
	t.Helper()
	s, err := state.OpenAny(context.Background(), db, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	eps, err := s.Episodes(context.Background(), state.EpisodeFilter{OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return len(eps)
}

// TestStateUsageErrors: what needs a store says so (64), a store that
// cannot be used is a configuration error (78).
func TestStateUsageErrors(t *testing.T) {
	dir := t.TempDir()
	inv := writeFile(t, dir, "hosts.yaml", "hosts:\n  - name: web1\n")
	owners := writeFile(t, dir, "owners.yaml", "fallback: triage\nteams: {triage: {}, web: {}}\nrules:\n  - {id: a, hosts: 'all', owner: web}\n")
	newer := filepath.Join(dir, "newer.db")
	s, err := state.Open(context.Background(), newer, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	bump(t, newer)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sweep", "-i", inv, "-o", "digest"}, 64, "-o digest needs the state store"},
		{[]string{"sweep", "-i", inv, "--owners", owners, "--state", filepath.Join(dir, "x.db"), "--team", "web"}, 64, "--state records the whole sweep"},
		{[]string{"sweep", "-i", inv, "--state", "mysql://fc:pw@db/fleet"}, 64, "--state mysql://fc:xxxxx@db/fleet: expected an SQLite file or a postgres:// URL"},
		{[]string{"digest", "--state", "postgres://fc:s3cret@127.0.0.1:1/fleet?connect_timeout=2"}, 78, "state postgres://fc:xxxxx@127.0.0.1:1/fleet?connect_timeout=2: connecting: "},
		{[]string{"digest", "-i", inv}, 64, "no state store"},
		{[]string{"digest", "--state", filepath.Join(dir, "missing.db")}, 78, "missing.db"},
		{[]string{"digest", "--state", newer}, 78, "upgrade fleetcheck"},
		{[]string{"digest", "--state", newer, "--since", "soon"}, 64, "--since"},
		{[]string{"digest", "--state", newer, "-o", "yaml"}, 64, "markdown, json or slack"},
		{[]string{"digest", "--state", newer, "--team", "nosuch"}, 64, "no owners file"},
		{[]string{"history", "--state", newer}, 64, "HOST"},
	} {
		_, stderr, code := runInProcess(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// bump makes path look written by a newer fleetcheck.
func bump(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// user_version is the big-endian int at offset 60 of the header; the
	// file was closed cleanly, so the WAL holds nothing newer.
	data[60], data[61], data[62], data[63] = 0, 0, 0, 99
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestShardsIntoPostgresThenDigest: three `sweep --shard i/3` processes
// record at once into one PostgreSQL database; the one digest then holds
// the same failures, team for team, as an unsharded sweep's into SQLite.
func TestShardsIntoPostgresThenDigest(t *testing.T) {
	pg := sharedPG.Database(t)
	_, args := simFiles(t, 30, fleetsim.FaultRefuse, fleetsim.FaultRefuse)
	base := append([]string{"sweep", "--no-progress", "--timeout", "5s", "-o", "json"}, args...)
	errs := make(chan string, 3)
	for i := range 3 {
		go func() {
			_, stderr, code := runBinary(t, append(base, "--state", pg, "--shard", fmt.Sprintf("%d/3", i))...)
			if code == 64 || code == 78 || code == 1 {
				errs <- fmt.Sprintf("shard %d/3: exit %d: %s", i, code, stderr)
				return
			}
			errs <- ""
		}()
	}
	for range 3 {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
	db := filepath.Join(t.TempDir(), "fleet.db")
	if _, stderr, code := runBinary(t, append(base, "--state", db)...); code == 64 || code == 78 || code == 1 {
		t.Fatalf("unsharded sweep: exit %d: %s", code, stderr)
	}
	sharded, unsharded := digestFailures(t, pg), digestFailures(t, db)
	if sharded != unsharded || !strings.Contains(sharded, "(host)") {
		t.Errorf("digest of the three shards:\n%s\nof the unsharded sweep:\n%s", sharded, unsharded)
	}
	s, err := state.OpenAny(context.Background(), pg, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sweeps, err := s.Sweeps(context.Background(), 0)
	hosts := 0
	for _, sw := range sweeps {
		hosts += sw.Hosts
	}
	if err != nil || len(sweeps) != 3 || hosts != 30 {
		t.Errorf("%d sweeps over %d hosts recorded (%v), want the 3 shards of 30", len(sweeps), hosts, err)
	}
}

// digestFailures is the new failures of `digest -o json` on store, one
// line per team, check and hosts.
func digestFailures(t *testing.T, store string) string {
	t.Helper()
	stdout, stderr, code := runBinary(t, "digest", "--state", store, "-o", "json")
	if code != 0 {
		t.Fatalf("digest: exit %d: %s", code, stderr)
	}
	var doc struct {
		Teams []struct {
			Team string `json:"team"`
			New  []struct {
				Check  string `json:"check"`
				Status string `json:"status"`
				Hosts  string `json:"hosts"`
			} `json:"new"`
		} `json:"teams"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, tm := range doc.Teams {
		for _, g := range tm.New {
			check := cmp.Or(g.Check, "(host)")
			lines = append(lines, tm.Team+" "+check+" "+g.Status+" "+g.Hosts)
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
