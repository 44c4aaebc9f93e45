package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
)

// runBinaryStdin is runBinary with stdin.
func runBinaryStdin(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(stdin), &stdout, &stderr
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FLEETCHECK_CONFIG=")
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return stdout.String(), stderr.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running fleetcheck %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), 0
}

// decodeDoc decodes the sweep document in the named file.
func decodeDoc(t *testing.T, path string) *health.Sweep {
	t.Helper()
	s, err := sweep.DecodeFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// resultLines are a sweep's results as NDJSON lines, sorted, without their
// timings: host, check, status, summary, details, metrics, error kind,
// reason, owner and SLA.
func resultLines(t *testing.T, s *health.Sweep) []string {
	t.Helper()
	var out []string
	for _, r := range health.SortedRecords(s.Results) {
		r.Duration = 0
		b, err := health.MarshalResultLine(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// A fleetsim fleet swept once whole and once in 3 shards by the built
// binary: the merge of the shards is, result for result, the whole
// sweep, with the same summary and exit code; hosts --shard lists each
// shard's hosts.
func TestMergeEqualsUnsharded(t *testing.T) {
	_, inputs := simFilesShare(t, 90, 0.6, fleetsim.FaultRefuse, fleetsim.FaultWrongHostKey, fleetsim.FaultRejectAuth)
	dir := t.TempDir()
	inputs = append(inputs, "--owners", writeFile(t, dir, "owners.yaml", string(demo.OwnersYAML())))
	flags := append(slices.Clone(inputs), "--no-progress", "--timeout", "10s")
	whole := filepath.Join(dir, "whole.json")
	_, stderr, wholeCode := runBinary(t, append([]string{"sweep", "-o", "json", "--output-file", whole}, flags...)...)
	if wholeCode != health.ExitCritical {
		t.Fatalf("whole sweep exits %d, want 2 (the sim has CRITICAL hosts)\n%s", wholeCode, stderr)
	}
	const count = 3
	var files []string
	for i := range count {
		f := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
		files = append(files, f)
		if _, stderr, code := runBinary(t, append([]string{"sweep", "--shard", fmt.Sprintf("%d/%d", i, count), "-o", "json", "--output-file", f}, flags...)...); code > 3 {
			t.Fatalf("shard %d exits %d\n%s", i, code, stderr)
		}
		s := decodeDoc(t, f)
		if s.Shard == nil || *s.Shard != (health.Shard{Index: i, Count: count}) {
			t.Fatalf("shard %d's document records shard %v", i, s.Shard)
		}
		listed, stderr, code := runBinary(t, append(append([]string{"hosts", "--list", "--shard", fmt.Sprintf("%d/%d", i, count)}, inputs...), "all")...)
		if code != 0 {
			t.Fatalf("hosts --shard: exit %d\n%s", code, stderr)
		}
		var hosts []string
		for _, r := range s.Results {
			if !slices.Contains(hosts, r.Host) {
				hosts = append(hosts, r.Host)
			}
		}
		slices.Sort(hosts)
		if got := strings.Fields(listed); !slices.Equal(got, hosts) || len(hosts) != s.Hosts {
			t.Errorf("hosts --shard %d/%d lists %d hosts, the shard swept %d (document says %d)", i, count, len(got), len(hosts), s.Hosts)
		}
	}
	// The last shard comes on stdin, as "-".
	last, err := os.ReadFile(files[count-1])
	if err != nil {
		t.Fatal(err)
	}
	merged := filepath.Join(dir, "merged.json")
	_, stderr, code := runBinaryStdin(t, last, append([]string{"merge", "-o", "json", "--output-file", merged}, append(files[:count-1], "-")...)...)
	if code != wholeCode {
		t.Fatalf("merge exits %d, the whole sweep %d\n%s", code, wholeCode, stderr)
	}
	w, m := decodeDoc(t, whole), decodeDoc(t, merged)
	wl, ml := resultLines(t, w), resultLines(t, m)
	if len(wl) != 90*len(w.Checks) {
		t.Fatalf("whole sweep has %d results, want 90 hosts x %d checks", len(wl), len(w.Checks))
	}
	for i := range max(len(wl), len(ml)) {
		if i >= len(wl) || i >= len(ml) || wl[i] != ml[i] {
			t.Fatalf("result %d differs (whole %d results, merged %d):\nwhole:  %s\nmerged: %s", i, len(wl), len(ml), at(wl, i), at(ml, i))
		}
	}
	if !slices.ContainsFunc(m.Results, func(r health.Record) bool { return r.Owner != nil && r.Owner.Team == "appservers" }) {
		t.Error("no merged result is attributed to a team: the comparison did not cover owners")
	}
	ws, ms := health.Summarize(w), health.Summarize(m)
	if ws.Hosts != ms.Hosts || ws.HostStatus != ms.HostStatus || ws.Results != ms.Results || ws.Worst != ms.Worst ||
		!maps.Equal(ws.ByTeam, ms.ByTeam) || !maps.Equal(ws.UnreachableByKind, ms.UnreachableByKind) {
		t.Errorf("summaries differ:\nwhole:  %+v\nmerged: %+v", ws, ms)
	}
	if m.Query != w.Query || !slices.Equal(m.Checks, w.Checks) || !m.Complete || m.Shard != nil {
		t.Errorf("merged head: query %q checks %v complete %v shard %v", m.Query, m.Checks, m.Complete, m.Shard)
	}
}

// at is lines[i], or a note that there is none.
func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(none)"
}

// writeShards writes the documents of a paper sweep of 24 hosts in count
// shards (host h02 CRITICAL), started a second apart, as sweep --shard
// would, after edit has had its way with them; it returns their paths.
func writeShards(t *testing.T, dir string, count int, edit func([]*health.Sweep)) []string {
	t.Helper()
	start := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	docs := make([]*health.Sweep, count)
	for i := range docs {
		at := start.Add(time.Duration(i) * time.Second)
		docs[i] = &health.Sweep{Query: "role=web", Checks: []string{"disk"}, Complete: true,
			Started: at, Finished: at.Add(time.Minute), Shard: &health.Shard{Index: i, Count: count}}
	}
	for h := range 24 {
		host := fmt.Sprintf("h%02d", h)
		st := health.OK
		if h == 2 {
			st = health.Critical
		}
		for i, doc := range docs {
			if (sweep.Shard{Index: i, Count: count}).Holds(host) {
				doc.Hosts++
				doc.Results = append(doc.Results, health.Record{Result: health.Result{Host: host, Check: "disk", Status: st, Summary: "disk"}})
			}
		}
	}
	if edit != nil {
		edit(docs)
	}
	paths := make([]string, count)
	for i, doc := range docs {
		var buf bytes.Buffer
		if err := health.Encode(&buf, doc); err != nil {
			t.Fatal(err)
		}
		paths[i] = writeFile(t, dir, fmt.Sprintf("shard-%d.json", i), buf.String())
	}
	return paths
}

// merge refuses what is not the shards of one sweep, through the built
// binary: exit 78 and a message naming the file and the shard.
func TestMergeRefusesThroughBinary(t *testing.T) {
	dir := t.TempDir()
	other := t.TempDir()
	good := writeShards(t, dir, 3, nil)
	otherQuery := writeShards(t, other, 3, func(d []*health.Sweep) { d[1].Query = "role=db" })
	otherChecks := writeShards(t, t.TempDir(), 3, func(d []*health.Sweep) { d[2].Checks = []string{"disk", "load"} })
	fourShards := writeShards(t, t.TempDir(), 4, nil)
	stale := writeShards(t, t.TempDir(), 3, func(d []*health.Sweep) {
		d[0].Started, d[0].Finished = d[0].Started.Add(-time.Hour), d[0].Finished.Add(-time.Hour)
	})
	twice := writeShards(t, t.TempDir(), 3, func(d []*health.Sweep) {
		d[1].Results = append(d[1].Results, d[0].Results[0])
		d[1].Hosts++
	})
	// The NDJSON stream of a shard (-o ndjson) merges like its document.
	stream := filepath.Join(t.TempDir(), "shard-1.ndjson")
	if err := os.WriteFile(stream, ndjsonOf(t, decodeDoc(t, good[1])), 0o600); err != nil {
		t.Fatal(err)
	}
	whole := writeFile(t, dir, "whole.json", strings.Replace(readFile(t, good[0]), `"shard": {`, `"x": {`, 1))
	broken := writeFile(t, dir, "broken.json", readFile(t, good[1])[:200])
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		wants []string
	}{
		{"missing", []string{good[0], good[2]}, 78, []string{"merge: missing shard 1/3 (have 2 of 3; --allow-partial merges what is there)"}},
		{"duplicated", []string{good[0], good[1], good[1], good[2]}, 78, []string{good[1] + ": shard 1/3 again, already read from " + good[1]}},
		{"same index from another file", []string{good[0], good[1], good[2], otherQuery[2]}, 78, []string{otherQuery[2] + ": shard 2/3 again, already read from " + good[2]}},
		{"other query", []string{good[0], otherQuery[1], good[2]}, 78, []string{otherQuery[1] + ` (shard 1/3): query "role=db", but ` + good[0] + ` (shard 0/3) has "role=web": a shard of another sweep`}},
		{"other checks", []string{good[0], good[1], otherChecks[2]}, 78, []string{otherChecks[2] + ` (shard 2/3): checks ["disk" "load"]`}},
		{"other count", []string{good[0], good[1], fourShards[2]}, 78, []string{fourShards[2] + " (shard 2/4): shard count 4, but " + good[0] + " (shard 0/3) has 3"}},
		{"stale", stale, 78, []string{stale[0] + " (shard 0/3) started 2026-12-01T17:00:00Z, 1h0m2s before " + stale[2] + " (shard 2/3) (more than --max-skew 30m0s): a stale shard"}},
		{"stale within a wider skew", append([]string{"--max-skew", "2h"}, stale...), 2, nil},
		{"no skew limit", append([]string{"--max-skew", "0"}, stale...), 2, nil},
		{"host in two shards", twice, 78, []string{"is in two shards, " + twice[0] + " (shard 0/3) and " + twice[1] + " (shard 1/3)"}},
		{"not a shard", []string{whole, good[1], good[2]}, 78, []string{whole + `: not a shard's document (no "shard" field`}},
		{"unreadable", []string{good[0], filepath.Join(dir, "nope.json"), good[2]}, 78, []string{"merge: " + filepath.Join(dir, "nope.json") + ": open"}},
		{"not JSON to the end", []string{good[0], broken, good[2]}, 78, []string{"merge: " + broken + ": sweep/v1: decode: "}},
		{"no files", nil, 64, []string{"at least one shard FILE"}},
		{"stdin twice", []string{"-", "-"}, 64, []string{"'-' (stdin) given twice"}},
		{"negative skew", append([]string{"--max-skew", "-1m"}, good...), 64, []string{"--max-skew"}},
		{"state not a store", append([]string{"--state", "mysql://db/fleet"}, good...), 64, []string{"expected an SQLite file or a postgres:// URL"}},
		{"unknown format", append([]string{"-o", "yaml"}, good...), 64, []string{`unknown output format "yaml"`}},
		{"whole", good, 2, nil},
		{"an NDJSON shard", []string{good[0], stream, good[2]}, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runBinary(t, append([]string{"merge", "-o", "json"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, tc.code, stderr)
			}
			for _, want := range tc.wants {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q, want it to say %q", stderr, want)
				}
			}
			if code == 78 || code == 64 {
				if stdout != "" {
					t.Errorf("a refused merge wrote a result:\n%s", stdout)
				}
				return
			}
			s, err := health.Decode(strings.NewReader(stdout))
			if err != nil || s.Hosts != 24 || len(s.Results) != 24 || !s.Complete {
				t.Errorf("merged: %v; want 24 hosts, 24 results, complete", err)
			}
		})
	}
}

// merge --state records the merged sweep as one: the digest read from the
// store then holds its failures as new.
func TestMergeRecordsState(t *testing.T) {
	good := writeShards(t, t.TempDir(), 3, nil)
	db := filepath.Join(t.TempDir(), "fleet.db")
	if _, stderr, code := runBinary(t, append([]string{"merge", "-o", "json", "--state", db}, good...)...); code != 2 {
		t.Fatalf("merge --state: exit %d, want 2\n%s", code, stderr)
	}
	stdout, stderr, code := runBinary(t, "digest", "--state", db, "-o", "json")
	if code != 0 {
		t.Fatalf("digest: exit %d\n%s", code, stderr)
	}
	var d struct {
		Sweep any `json:"sweep"`
		Teams []struct {
			New []any `json:"new"`
		} `json:"teams"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatalf("digest JSON: %v\n%s", err, stdout)
	}
	news := 0
	for _, team := range d.Teams {
		news += len(team.New)
	}
	if d.Sweep == nil || news == 0 {
		t.Errorf("the digest after merge --state names no sweep or no new failure:\n%s", stdout)
	}
}

// --allow-partial merges what is there, lists the missing shards on
// stderr and in the document, and exits as a cut sweep would.
func TestMergeAllowPartial(t *testing.T) {
	files := writeShards(t, t.TempDir(), 4, func(d []*health.Sweep) {
		for _, doc := range d { // all OK: the exit code comes from the gap alone
			for i := range doc.Results {
				doc.Results[i].Status = health.OK
			}
		}
	})
	stdout, stderr, code := runBinary(t, "merge", "--allow-partial", "-o", "json", files[0], files[2])
	if code != health.ExitNoVerdict {
		t.Errorf("exit %d, want 3: an incomplete sweep never reads as all OK", code)
	}
	if !strings.Contains(stderr, "partial sweep, missing shards 1/4, 3/4") {
		t.Errorf("stderr does not list the missing shards: %q", stderr)
	}
	s, err := health.Decode(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	want := []health.Shard{{Index: 1, Count: 4}, {Index: 3, Count: 4}}
	if s.Complete || !slices.Equal(s.MissingShards, want) {
		t.Errorf("document: complete %v, missing_shards %v; want false, %v", s.Complete, s.MissingShards, want)
	}
	if !strings.Contains(stdout, `"missing_shards": [`) {
		t.Errorf("no missing_shards field:\n%s", stdout)
	}
	if stdout, _, _ := runBinary(t, "merge", "--allow-partial", files[0], files[2]); !strings.Contains(stdout, "INCOMPLETE: merged without shards 1/4, 3/4: their hosts are not in this sweep") {
		t.Errorf("the table does not name the missing shards:\n%s", stdout)
	}
	// Every format, repeatable: table to stdout, Prometheus to the file.
	prom := filepath.Join(t.TempDir(), "fleet.prom")
	stdout, stderr, code = runBinary(t, "merge", "-o", "table", "-o", "prometheus", "--output-file", prom, files[0], files[1], files[2], files[3])
	if code != 0 || !strings.Contains(stdout, "24 hosts") {
		t.Errorf("table: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if p := readFile(t, prom); !strings.Contains(p, "fleetcheck_") {
		t.Errorf("prometheus file:\n%s", p)
	}
}

// ndjsonOf is the -o ndjson stream of s.
func ndjsonOf(t *testing.T, s *health.Sweep) []byte {
	t.Helper()
	var out []byte
	for _, r := range health.SortedRecords(s.Results) {
		b, err := health.MarshalResultLine(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	b, err := health.MarshalSummaryLine(s, health.Summarize(s))
	if err != nil {
		t.Fatal(err)
	}
	return append(out, b...)
}

// readFile returns the file's content.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
