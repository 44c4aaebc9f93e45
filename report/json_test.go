package report

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchema compiles the embedded v1 schema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaV1))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	const url = "https://github.com/fleetcheck/fleetcheck/report/schema/sweep-v1.json"
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return sch
}

// validate checks one JSON text against the schema.
func validate(sch *jsonschema.Schema, text []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// sweeps are the JSON test cases, by golden file name.
func jsonSweeps() map[string]*Sweep {
	incomplete := incompleteSweep()
	odd := fixtureSweep([]Record{rec("h1", "load", checks.Unknown, "load \x1b[31m<html>", nil)})
	odd.Results[0].Metrics = []checks.Metric{{Name: "load1", Value: math.NaN(), Max: ptr(math.Inf(1))}}
	return map[string]*Sweep{
		"sweep_owners.json":     fixtureSweep(fixtureRecords()),
		"sweep_noowners.json":   fixtureSweep(withoutOwners(fixtureRecords())),
		"sweep_empty.json":      {Started: start, Finished: start, Complete: true},
		"sweep_incomplete.json": incomplete,
		"sweep_odd.json":        odd,
	}
}

func TestJSONGoldenAndSchema(t *testing.T) {
	sch := compileSchema(t)
	for name, s := range jsonSweeps() {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := JSON(&buf, s); err != nil {
				t.Fatal(err)
			}
			golden(t, name, buf.Bytes())
			if err := validate(sch, buf.Bytes()); err != nil {
				t.Errorf("output does not match the schema: %v\n%s", err, buf.Bytes())
			}
		})
	}
}

// TestSchemaRejects shows that the schema constrains: broken documents fail.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	var buf bytes.Buffer
	if err := JSON(&buf, fixtureSweep(fixtureRecords())); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	tests := []struct{ name, from, to string }{
		{"bad schema name", `"fleetcheck.sweep/v1"`, `"fleetcheck.sweep/v2"`},
		{"bad status", `"status": "WARNING"`, `"status": "WARN"`},
		{"time without ms", `"started_at": "2026-11-21T00:00:00.000Z"`, `"started_at": "2026-11-21T00:00:00Z"`},
		{"negative count", `"critical": 4`, `"critical": -4`},
		{"owner not object", `"owner": {`, `"owner": 7, "x": {`},
		{"results missing", `"results": [`, `"resultz": [`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(good, tt.from) {
				t.Fatalf("fixture output lacks %q", tt.from)
			}
			bad := strings.Replace(good, tt.from, tt.to, 1)
			if err := validate(sch, []byte(bad)); err == nil {
				t.Errorf("schema accepted a document with %s", tt.name)
			}
		})
	}
}

func TestJSONContent(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, fixtureSweep(fixtureRecords())); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema     string `json:"schema"`
		StartedAt  string `json:"started_at"`
		FinishedAt string `json:"finished_at"`
		DurationMS int64  `json:"duration_ms"`
		Complete   bool   `json:"complete"`
		Summary    struct {
			Hosts, OK, Warning, Critical, Unknown, Unreachable, Results int
			ByTeam                                                      map[string]map[string]int `json:"by_team"`
			UnreachableByKind                                           map[string]int            `json:"unreachable_by_kind"`
			HostsChecked                                                int                       `json:"hosts_checked"`
			HostsByStatus                                               map[string]int            `json:"hosts_by_status"`
			ResultsByStatus                                             map[string]int            `json:"results_by_status"`
		} `json:"summary"`
		Results []struct {
			Host, Check, Status string
			Owner               *struct {
				Team    string `json:"team"`
				Unowned bool   `json:"unowned"`
			} `json:"owner"`
			SLA     string `json:"sla"`
			Metrics []struct {
				Value float64  `json:"value"`
				Min   *float64 `json:"min"`
			} `json:"metrics"`
		} `json:"results"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "fleetcheck.sweep/v1" || doc.StartedAt != "2026-11-21T00:00:00.000Z" ||
		doc.FinishedAt != "2026-11-21T00:00:02.134Z" || doc.DurationMS != 2134 || !doc.Complete {
		t.Errorf("head: %+v", doc)
	}
	s := doc.Summary
	if s.Hosts != 12 || s.OK != 2 || s.Warning != 3 || s.Critical != 4 || s.Unknown != 1 || s.Unreachable != 2 || s.Results != 23 {
		t.Errorf("summary counts: %+v", s)
	}
	if s.UnreachableByKind["timeout"] != 1 || s.UnreachableByKind["refused"] != 1 {
		t.Errorf("unreachable_by_kind: %v", s.UnreachableByKind)
	}
	if got := s.ByTeam["web"]; got["warning"] != 5 || got["critical"] != 1 {
		t.Errorf("by_team web: %v", got)
	}
	// by_team's first counts are results; failed_hosts and hosts_* say how
	// many hosts (issue 17): web has 6 failed results on 5 hosts.
	if got := s.ByTeam["web"]; got["failed_results"] != 6 || got["failed_hosts"] != 5 || got["hosts_warning"] != 4 || got["hosts_critical"] != 1 {
		t.Errorf("by_team web hosts: %v", got)
	}
	if s.HostsChecked != 12 || s.HostsByStatus["critical"] != 4 || s.ResultsByStatus["ok"] != 7 || s.ResultsByStatus["unreachable"] != 4 {
		t.Errorf("hosts_checked %d hosts_by_status %v results_by_status %v", s.HostsChecked, s.HostsByStatus, s.ResultsByStatus)
	}
	if got := s.ByTeam["infra-triage"]; got["critical"] != 2 {
		t.Errorf("by_team infra-triage: %v", got)
	}
	if len(doc.Results) != 23 {
		t.Fatalf("%d results, want 23", len(doc.Results))
	}
	for i := 1; i < len(doc.Results); i++ {
		a, b := doc.Results[i-1], doc.Results[i]
		if a.Host > b.Host || (a.Host == b.Host && a.Check >= b.Check) {
			t.Errorf("results out of order at %d: %s/%s then %s/%s", i, a.Host, a.Check, b.Host, b.Check)
		}
	}
	first := doc.Results[0] // cache1 disk
	if first.Host != "cache1.dc2.example.org" || first.Check != "disk" || first.Status != "UNREACHABLE" ||
		first.Owner == nil || first.Owner.Team != "traffic" || first.SLA != "4h0m0s" {
		t.Errorf("first result: %+v", first)
	}
}

func TestJSONNoOwnersIsNull(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, fixtureSweep(withoutOwners(fixtureRecords()))); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), `"owner": null`); n != 23 {
		t.Errorf("%d null owners, want 23", n)
	}
	if !strings.Contains(buf.String(), `"by_team": {}`) {
		t.Errorf("by_team not empty without owners")
	}
}
