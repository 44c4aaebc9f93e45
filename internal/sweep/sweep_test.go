package sweep

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
	"golang.org/x/crypto/ssh/knownhosts"
)

// fakeCheck says OK when stdout is "ok", CRITICAL otherwise, and panics on "boom".
type fakeCheck struct{ name string }

func (f fakeCheck) Name() string    { return f.name }
func (f fakeCheck) Command() string { return "run " + f.name }
func (f fakeCheck) Evaluate(out checks.Output) checks.Result {
	switch string(out.Stdout) {
	case "ok":
		return checks.Result{Status: checks.OK, Summary: "fine"}
	case "boom":
		panic("parser bug")
	}
	return checks.Result{Status: checks.Critical, Summary: "bad: " + string(out.Stdout)}
}

func TestPlanAppliesHostSelections(t *testing.T) {
	hosts := []inventory.Host{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	cks := []Check{
		{Check: fakeCheck{"disk"}},
		{Check: fakeCheck{"nginx"}, Timeout: 5 * time.Second, Hosts: map[string]struct{}{"b": {}}},
		{Check: fakeCheck{"never"}, Hosts: map[string]struct{}{}},
	}
	tasks := Plan(hosts, cks)
	var got []string
	for _, tk := range tasks {
		var ids []string
		for _, c := range tk.Commands {
			ids = append(ids, fmt.Sprintf("%s(%s,%v)", c.ID, c.Line, c.Timeout))
		}
		got = append(got, tk.Host.Name+":"+strings.Join(ids, " "))
	}
	want := "a:disk(run disk,0s)|b:disk(run disk,0s) nginx(run nginx,5s)|c:disk(run disk,0s)"
	if strings.Join(got, "|") != want {
		t.Errorf("plan = %s\nwant  %s", strings.Join(got, "|"), want)
	}
	if tasks := Plan(hosts, cks[2:]); len(tasks) != 0 {
		t.Errorf("hosts with no applicable check got %d tasks", len(tasks))
	}
}

func TestEvaluate(t *testing.T) {
	byName := map[string]checks.Check{"disk": fakeCheck{"disk"}, "load": fakeCheck{"load"}}
	ids := []string{"disk", "load"}
	host := inventory.Host{Name: "web1"}
	for _, tc := range []struct {
		name string
		out  runner.HostOutput
		want string // status/kind per planned check
	}{
		{"verdicts", runner.HostOutput{Host: host, Commands: []runner.CommandOutput{
			{ID: "disk", Stdout: []byte("ok")}, {ID: "load", Stdout: []byte("high")}}},
			"OK/ CRITICAL/"},
		{"host refused", runner.HostOutput{Host: host, Err: errors.New("dial: refused"), Kind: runner.KindRefused},
			"UNREACHABLE/refused UNREACHABLE/refused"},
		{"host key changed", runner.HostOutput{Host: host, Err: errors.New("key"), Kind: runner.KindHostKeyMismatch},
			"UNREACHABLE/hostkey_mismatch UNREACHABLE/hostkey_mismatch"},
		{"lost after one command", runner.HostOutput{Host: host, Err: errors.New("EOF"), Kind: runner.KindConnectionLost,
			Commands: []runner.CommandOutput{{ID: "disk", Stdout: []byte("ok")}}},
			"OK/ UNREACHABLE/connection_lost"},
		{"command timeout and flood", runner.HostOutput{Host: host, Commands: []runner.CommandOutput{
			{ID: "disk", Err: errors.New("deadline"), Kind: runner.KindTimeout},
			{ID: "load", Stdout: []byte("xxxx"), Err: errors.New("cut"), Kind: runner.KindOutputLimit, Truncated: true}}},
			"UNREACHABLE/timeout UNKNOWN/output_limit"},
		{"canceled", runner.HostOutput{Host: host, Err: context.Canceled, Kind: runner.KindCanceled},
			"UNKNOWN/canceled UNKNOWN/canceled"},
		{"parser panic", runner.HostOutput{Host: host, Commands: []runner.CommandOutput{
			{ID: "disk", Stdout: []byte("boom")}, {ID: "load", Stdout: []byte("ok")}}},
			"UNKNOWN/ OK/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			results := Evaluate(tc.out, ids, byName)
			var got []string
			for i, r := range results {
				if r.Host != "web1" || r.Check != ids[i] {
					t.Errorf("result %d is %s/%s, want web1/%s", i, r.Host, r.Check, ids[i])
				}
				if r.Summary == "" {
					t.Errorf("%s: empty summary", r.Check)
				}
				got = append(got, r.Status.String()+"/"+r.ErrorKind)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %s, want %s", strings.Join(got, " "), tc.want)
			}
		})
	}
}

func TestEvaluateSaysRevoked(t *testing.T) {
	err := fmt.Errorf("host key of h is revoked: %w", &knownhosts.RevokedError{})
	out := runner.HostOutput{Host: inventory.Host{Name: "h"}, Err: err, Kind: runner.KindHostKeyMismatch}
	r := Evaluate(out, []string{"disk"}, map[string]checks.Check{"disk": fakeCheck{"disk"}})[0]
	if r.Status != checks.Unreachable || r.ErrorKind != "hostkey_mismatch" || !strings.HasPrefix(r.Summary, "HOST KEY REVOKED") {
		t.Errorf("got %s %s %q, want UNREACHABLE hostkey_mismatch HOST KEY REVOKED", r.Status, r.ErrorKind, r.Summary)
	}
}

func TestEvaluateKeepsTheErrorInDetails(t *testing.T) {
	out := runner.HostOutput{Host: inventory.Host{Name: "h"}, Err: errors.New("dial tcp 10.0.0.1:22: connect: connection refused"), Kind: runner.KindRefused}
	r := Evaluate(out, []string{"disk"}, map[string]checks.Check{"disk": fakeCheck{"disk"}})[0]
	if r.Summary != "connection refused" || !strings.Contains(r.Details, "10.0.0.1:22") {
		t.Errorf("summary %q details %q: want a short summary and the error in details", r.Summary, r.Details)
	}
}

// fakeRunner answers every task from a function.
type fakeRunner func(runner.Task) runner.HostOutput

func (f fakeRunner) Run(ctx context.Context, tasks []runner.Task, out chan<- runner.HostOutput) error {
	defer close(out)
	for _, t := range tasks {
		out <- f(t)
	}
	return nil
}

type teamOf map[string]string

func (m teamOf) Owner(host, check string, status checks.Status) ownership.Owner {
	return ownership.Owner{Team: m[host], Rule: "r"}
}

func TestRunAttributesEveryResult(t *testing.T) {
	hosts := []inventory.Host{{Name: "a"}, {Name: "b"}}
	cks := []Check{{Check: fakeCheck{"disk"}}}
	r := fakeRunner(func(t runner.Task) runner.HostOutput {
		stdout := "ok"
		if t.Host.Name == "b" {
			stdout = "full"
		}
		return runner.HostOutput{Host: t.Host, Commands: []runner.CommandOutput{{ID: "disk", Stdout: []byte(stdout)}}}
	})
	recs := make(chan report.Record, 8)
	if err := Run(context.Background(), r, Plan(hosts, cks), cks, teamOf{"a": "x", "b": "y"}, recs); err != nil {
		t.Fatal(err)
	}
	var got []string
	for rec := range recs {
		team := "-"
		if rec.Owner != nil {
			team = rec.Owner.Team
		}
		got = append(got, rec.Host+":"+rec.Status.String()+":"+team)
	}
	if strings.Join(got, " ") != "a:OK:x b:CRITICAL:y" {
		t.Errorf("records %v, want a OK owned by x and b CRITICAL owned by y", got)
	}
}

func TestShard(t *testing.T) {
	for _, bad := range []string{"", "1", "2/2", "-1/3", "a/b", "0/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q): no error", bad)
		}
	}
	var hosts []inventory.Host
	for i := 0; i < 1000; i++ {
		hosts = append(hosts, inventory.Host{Name: fmt.Sprintf("web%04d.example.org", i)})
	}
	seen := map[string]int{}
	for i := 0; i < 4; i++ {
		s, err := ParseShard(fmt.Sprintf("%d/4", i))
		if err != nil {
			t.Fatal(err)
		}
		part := s.Filter(hosts)
		if len(part) < 200 || len(part) > 300 {
			t.Errorf("shard %d/4 holds %d of 1000 hosts, want about 250", i, len(part))
		}
		for _, h := range part {
			seen[h.Name]++
		}
		// Stable: a host's shard does not depend on the other hosts.
		if again := s.Filter(hosts[:500]); len(again) > len(part) {
			t.Errorf("shard %d grew on a smaller inventory", i)
		}
		for _, h := range s.Filter(hosts[:500]) {
			if !s.Holds(h.Name) {
				t.Errorf("%s moved shard", h.Name)
			}
		}
	}
	if len(seen) != 1000 {
		t.Errorf("shards cover %d hosts, want all 1000", len(seen))
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("%s in %d shards", n, c)
		}
	}
}

// A host's status series keeps its team label when the check flips from
// CRITICAL to OK (issue 17): the series' identity does not change.
func TestPrometheusTeamLabelStableAcrossFlips(t *testing.T) {
	hosts := []inventory.Host{{Name: "a"}}
	cks := []Check{{Check: fakeCheck{"disk"}}}
	var series []string
	for _, stdout := range []string{"full", "ok"} {
		r := fakeRunner(func(t runner.Task) runner.HostOutput {
			return runner.HostOutput{Host: t.Host, Commands: []runner.CommandOutput{{ID: "disk", Stdout: []byte(stdout)}}}
		})
		recs := make(chan report.Record, 8)
		if err := Run(context.Background(), r, Plan(hosts, cks), cks, teamOf{"a": "x"}, recs); err != nil {
			t.Fatal(err)
		}
		s := &report.Sweep{Hosts: 1, Complete: true}
		for rec := range recs {
			s.Results = append(s.Results, rec)
		}
		var buf strings.Builder
		if err := report.Prometheus(&buf, s); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(buf.String(), "\n") {
			if strings.HasPrefix(line, "fleetcheck_check_status{") {
				series = append(series, line[:strings.LastIndexByte(line, ' ')])
			}
		}
	}
	if len(series) != 2 || series[0] != series[1] || !strings.Contains(series[0], `team="x"`) {
		t.Errorf("status series across a flip: %q, want one label set with team x", series)
	}
}
