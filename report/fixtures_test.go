package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/ownership"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// start is the fixed start of every fixture sweep.
var start = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

func ptr(f float64) *float64 { return &f }

// owners of the fixture fleet, by role.
var (
	ownWeb     = &ownership.Owner{Team: "web", Rule: "web-hosts", ProductOwner: "storefront", SLA: 72 * time.Hour}
	ownPuppet  = &ownership.Owner{Team: "infra-foundations", Rule: "puppet-everywhere", AlsoNotify: []string{"sre-leads"}, SLA: 4 * time.Hour}
	ownTraffic = &ownership.Owner{Team: "traffic", Rule: "caches", SLA: 4 * time.Hour}
	ownNone    = &ownership.Owner{Team: "infra-triage", Unowned: true}
)

// rec builds one record.
func rec(host, check string, st checks.Status, summary string, owner *ownership.Owner) Record {
	return Record{
		Result: checks.Result{
			Host: host, Check: check, Status: st, Summary: summary,
			Duration: 150 * time.Millisecond,
		},
		Owner: owner,
	}
}

// fixtureRecords is a 12-host fleet with every kind of failure: web hosts
// owned by web (puppet by infra-foundations), caches by traffic, db hosts
// unowned.
func fixtureRecords() []Record {
	const (
		W = checks.Warning
		C = checks.Critical
		O = checks.OK
		U = checks.Unknown
		R = checks.Unreachable
	)
	recs := []Record{
		rec("web01.dc1.example.org", "puppet", O, "last run 12m ago", ownPuppet),
		rec("web02.dc1.example.org", "puppet", W, "last run 2h ago", ownPuppet),
		rec("web03.dc1.example.org", "puppet", W, "last run 2h ago", ownPuppet),
		rec("web04.dc1.example.org", "puppet", O, "last run 20m ago", ownPuppet),
		rec("web05.dc1.example.org", "puppet", C, "Failed to apply catalog", ownPuppet),
		rec("web06.dc1.example.org", "puppet", U, "no last_run_summary.yaml", ownPuppet),
		rec("web01.dc1.example.org", "disk", W, "/var 87% used", ownWeb),
		rec("web02.dc1.example.org", "disk", W, "/var 88% used", ownWeb),
		rec("web03.dc1.example.org", "disk", W, "/var 86% used", ownWeb),
		rec("web04.dc1.example.org", "disk", W, "/var 86% used", ownWeb),
		rec("web05.dc1.example.org", "disk", W, "/srv/www/static/cache 91% used", ownWeb),
		rec("web06.dc1.example.org", "disk", O, "all filesystems below 85%", ownWeb),
		rec("web01.dc1.example.org", "systemd", O, "no failed units", ownWeb),
		rec("web04.dc1.example.org", "systemd", C,
			"4 failed units: nginx.service, php8.2-fpm.service, varnish.service, prometheus-node-exporter.service", ownWeb),
		rec("db1.dc1.example.org", "systemd", C, "1 failed unit: mariadb.service", ownNone),
		rec("db2.dc1.example.org", "disk", C, "/srv 97% used", ownNone),
		rec("db3.dc1.example.org", "disk", O, "all filesystems below 85%", ownNone),
		rec("cache1.dc2.example.org", "puppet", R, "no answer within 30s", ownTraffic),
		rec("cache1.dc2.example.org", "disk", R, "no answer within 30s", ownTraffic),
		rec("cache2.dc2.example.org", "puppet", R, "connection refused", ownTraffic),
		rec("cache2.dc2.example.org", "disk", R, "connection refused", ownTraffic),
		rec("cache3.dc2.example.org", "puppet", O, "last run 5m ago", ownPuppet),
		rec("cache3.dc2.example.org", "disk", O, "all filesystems below 85%", ownTraffic),
	}
	recs[17].ErrorKind, recs[18].ErrorKind = "timeout", "timeout"
	recs[19].ErrorKind, recs[20].ErrorKind = "refused", "refused"
	recs[17].Duration, recs[18].Duration = 30*time.Second, 30*time.Second
	recs[6].Metrics = []checks.Metric{{Name: "/var", Value: 87.25, Unit: "%", Warn: "85", Crit: "95", Min: ptr(0), Max: ptr(100)}}
	recs[0].Metrics = []checks.Metric{{Name: "age", Value: 720, Unit: "s", Warn: "3600", Crit: "86400"}}
	recs[4].Details = "Error: Could not retrieve catalog from remote server\nUsing cached catalog"
	return recs
}

// fixtureSweep wraps records into a complete sweep of 12 hosts.
func fixtureSweep(recs []Record) *Sweep {
	return &Sweep{
		Query:    "dc=dc1 or role=cache",
		Checks:   []string{"puppet", "disk", "systemd"},
		Hosts:    12,
		Started:  start,
		Finished: start.Add(2134 * time.Millisecond),
		Complete: true,
		Results:  recs,
	}
}

// withoutOwners strips the owners, as when no owners file is configured.
func withoutOwners(recs []Record) []Record {
	out := make([]Record, len(recs))
	for i, r := range recs {
		r.Owner = nil
		out[i] = r
	}
	return out
}

// onlyOK keeps the OK records.
func onlyOK(recs []Record) []Record {
	var out []Record
	for _, r := range recs {
		if r.Status == checks.OK {
			out = append(out, r)
		}
	}
	return out
}
