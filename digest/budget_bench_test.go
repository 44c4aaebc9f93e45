package digest

import (
	"fmt"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
	"github.com/fleetcheck/fleetcheck/state"
)

// BenchmarkBudgets30d: 10,000 hosts, 7 checks, hourly sweeps for 30
// days (720), 5% of the pairs with an episode, one maintenance window.
func BenchmarkBudgets30d(b *testing.B) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var hosts []string
	for i := range 10000 {
		hosts = append(hosts, fmt.Sprintf("node%05d.example.org", i))
	}
	scope := nodeset.Fold(hosts)
	checks := []string{"certs", "disk", "load", "memory", "ntp", "puppet", "systemd"}
	var sweeps []state.Sweep
	for i := range 720 {
		sweeps = append(sweeps, state.Sweep{ID: int64(i + 1), Started: now.Add(-time.Duration(720-i) * time.Hour), Scope: scope, Checks: checks})
	}
	var eps []state.Episode
	for i := 0; i < len(hosts); i += 3 {
		first := now.Add(-time.Duration(i%700) * time.Hour)
		e := state.Episode{Host: hosts[i], Check: checks[i%len(checks)], Status: health.Warning, FirstSeen: first,
			Changes: []state.Change{{At: first, Status: health.Warning}, {At: first.Add(time.Hour), Status: health.Critical}}}
		if i%2 == 0 {
			e.End, e.Ended = state.EndFixed, first.Add(5*time.Hour)
		}
		eps = append(eps, e)
	}
	win := state.Window{ID: 1, Hosts: hosts[:500], Start: now.Add(-48 * time.Hour), End: now.Add(-46 * time.Hour)}
	in := BudgetInput{Now: now, Sweeps: sweeps, Episodes: eps, Maintenance: []state.Window{win},
		Owner: func(host, _ string) string { return "team" + host[len(host)-13:len(host)-12] },
		SLO:   func(string) float64 { return 99.5 }}
	b.ReportAllocs()
	for b.Loop() {
		if got := Budgets(in); len(got) == 0 {
			b.Fatal("no budgets")
		}
	}
}
