package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
)

// jsonSweep is the part of the v1 document the end-to-end tests read.
type jsonSweep struct {
	Schema   string `json:"schema"`
	Query    string `json:"query"`
	Complete bool   `json:"complete"`
	Summary  struct {
		Hosts int `json:"hosts"`
	} `json:"summary"`
	Results []struct {
		Host      string `json:"host"`
		Check     string `json:"check"`
		Status    string `json:"status"`
		Summary   string `json:"summary"`
		ErrorKind string `json:"error_kind"`
		Reason    string `json:"reason"`
		Metrics   []struct {
			Name  string  `json:"name"`
			Value float64 `json:"value"`
			Unit  string  `json:"unit"`
		} `json:"metrics"`
		Owner *struct {
			Team    string `json:"team"`
			Rule    string `json:"rule"`
			Unowned bool   `json:"unowned"`
		} `json:"owner"`
	} `json:"results"`
}

// faultKinds is the error kind each demo fault must produce.
var faultKinds = map[fleetsim.Fault]string{
	fleetsim.FaultRefuse:           "refused",
	fleetsim.FaultHangBeforeBanner: "timeout",
	fleetsim.FaultHangAfterAuth:    "timeout",
	fleetsim.FaultDropMidOutput:    "connection_lost",
	fleetsim.FaultWrongHostKey:     "hostkey_mismatch",
	fleetsim.FaultRejectAuth:       "auth",
}

// The demo sweeps its fleet over real SSH; every host/check must come back
// with the state the simulated fleet was built with, every fault with its
// error kind, and every failure with the owner the demo owners file gives.
func TestDemoReportsKnownStates(t *testing.T) {
	samples, err := demo.Samples()
	if err != nil {
		t.Fatal(err)
	}
	world, err := demo.World(samples, demo.HealthyShare, true)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	stdout, stderr, code := runBinary(t, "demo", "-o", "json", "--no-progress", "--timeout", "3s", "--connect-timeout", "2s")
	elapsed := time.Since(start)
	if code != 2 {
		t.Errorf("exit code = %d, want 2 (some CRITICAL); stderr:\n%s", code, stderr)
	}
	// Hung hosts end at their 3s deadline; a generous bound catches a sweep
	// that waited on one of them for longer.
	if elapsed > 20*time.Second {
		t.Errorf("demo took %v, want well under 20s", elapsed)
	}
	var doc jsonSweep
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("demo JSON: %v\n%s", err, stdout)
	}
	if doc.Schema != "fleetcheck.sweep/v1" || !doc.Complete || doc.Summary.Hosts != len(world) {
		t.Errorf("schema %q complete %v hosts %d, want fleetcheck.sweep/v1, true, %d", doc.Schema, doc.Complete, doc.Summary.Hosts, len(world))
	}
	byHost := map[string]demo.Host{}
	for _, h := range world {
		byHost[h.Name] = h
	}
	defaults := checks.Builtins().Defaults()
	if want := len(world) * len(defaults); len(doc.Results) != want {
		t.Errorf("%d results, want %d (%d hosts × %d checks)", len(doc.Results), want, len(world), len(defaults))
	}
	for _, r := range doc.Results {
		h, ok := byHost[r.Host]
		if !ok {
			t.Errorf("result for unknown host %s", r.Host)
			continue
		}
		wantStatus, wantKind := h.States[r.Check].Status.String(), ""
		if kind, faulty := faultKinds[h.Fault]; faulty {
			wantStatus, wantKind = "UNREACHABLE", kind
		}
		if r.Status != wantStatus || r.ErrorKind != wantKind {
			t.Errorf("%s %s: %s %q (%s), want %s %q (sample %s)", r.Host, r.Check, r.Status, r.ErrorKind, r.Summary, wantStatus, wantKind, h.States[r.Check].Case)
		}
		if r.Status == "OK" {
			continue
		}
		if r.Owner == nil {
			t.Errorf("%s %s: failure without owner", r.Host, r.Check)
			continue
		}
		team, rule, unowned := demoOwner(h, r.Check)
		if r.Owner.Team != team || r.Owner.Rule != rule || r.Owner.Unowned != unowned {
			t.Errorf("%s %s: owner %+v, want team %s rule %q unowned %v", r.Host, r.Check, *r.Owner, team, rule, unowned)
		}
	}
}

// demoOwner is what internal/demo/owners.yaml says, written out by hand.
func demoOwner(h demo.Host, check string) (team, rule string, unowned bool) {
	team, rule = "infra-triage", ""
	switch h.Labels["role"] {
	case "web":
		team, rule = "appservers", "web"
	case "cache", "lb":
		team, rule = "traffic", "edge"
	case "db":
		team, rule = "data-persistence", "databases"
	case "kafka":
		team, rule = "data-engineering", "kafka"
	case "ci":
		team, rule = "release-eng", "ci"
	case "monitoring":
		team, rule = "observability", "monitoring"
	}
	switch check {
	case "puppet":
		team, rule = "infra-foundations", "puppet-everywhere"
	case "ntp":
		team, rule = "infra-foundations", "clocks"
	}
	if h.Name == "legacy01.dc1.example.org" || h.Name == "legacy02.dc1.example.org" {
		return "infra-triage", "retired", true
	}
	return team, rule, rule == ""
}

// jsonUnmarshal decodes a JSON document printed by the binary.
func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
