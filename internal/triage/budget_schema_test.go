package triage

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/schematest"
	"github.com/fleetcheck/fleetcheck/state"
)

// TestBudgetJSONSchema validates `budget -o json` against budget-v1.json:
// no sweep in the window (no budgets), and budgets computed for teams
// that spent their budget, have no objective, have no host-check time at
// all (first swept now) and have only maintenance time.
func TestBudgetJSONSchema(t *testing.T) {
	now := time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)
	day := now.Add(-24 * time.Hour)
	sweeps := []state.Sweep{
		{ID: 1, Started: day, Finished: day, Scope: "web[1-2],db1", Checks: []string{"disk"}, Complete: true},
		{ID: 2, Started: now, Finished: now, Scope: "new1", Checks: []string{"disk"}, Complete: true},
	}
	failing := state.Episode{Host: "web1", Check: "disk", Status: health.Critical, FirstSeen: day.Add(time.Hour), LastSeen: now,
		Changes: []state.Change{{At: day.Add(time.Hour), Status: health.Critical}}}
	maint := state.Window{ID: 1, Hosts: []string{"db1"}, Start: day.Add(-time.Hour), End: now.Add(time.Hour), Reason: "reboot"}
	owner := map[string]string{"web1": "web", "web2": "web", "db1": "db", "new1": "new"}
	slo := map[string]float64{"web": 99.5, "db": 99.9, "new": 99}
	budgets := digest.Budgets(digest.BudgetInput{Now: now, Window: 7 * 24 * time.Hour, Sweeps: sweeps,
		Episodes: []state.Episode{failing}, Maintenance: []state.Window{maint},
		Owner: func(host, _ string) string { return owner[host] }, SLO: func(team string) float64 { return slo[team] }})
	noSLO := digest.Budgets(digest.BudgetInput{Now: now, Sweeps: sweeps, Owner: func(string, string) string { return health.UnownedTeam }})

	tests := []struct {
		name    string
		budgets []digest.Budget
		teams   int
	}{
		{"no sweep in the window", nil, 0},
		{"spent, no time, only maintenance", budgets, 3},
		{"no objective", noSLO, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var js bytes.Buffer
			if err := WriteBudgets(&js, tt.budgets, "json"); err != nil {
				t.Fatal(err)
			}
			schematest.Validate(t, "budget-v1.json", js.Bytes())
			var got struct {
				Budgets []map[string]any `json:"budgets"`
			}
			if err := json.Unmarshal(js.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Budgets == nil || len(got.Budgets) != tt.teams {
				t.Errorf("budgets = %v, want %d (none is [], not null)\n%s", got.Budgets, tt.teams, js.Bytes())
			}
		})
	}
	// The edge cases are really there: a team with no host-check time,
	// one whose time is all maintenance, one overspent.
	byTeam := map[string]digest.Budget{}
	for _, b := range budgets {
		byTeam[b.Team] = b
	}
	if b := byTeam["new"]; b.Total != 0 || b.Maintenance != 0 || b.HostChecks != 1 {
		t.Errorf("new: %+v, want one host-check and no time", b)
	}
	if b := byTeam["db"]; b.Total != 0 || b.Maintenance == 0 {
		t.Errorf("db: %+v, want only maintenance time", b)
	}
	if b := byTeam["web"]; b.Failing == 0 || b.Left >= 0 {
		t.Errorf("web: %+v, want overspent", b)
	}
	if len(noSLO) != 1 || noSLO[0].HasSLO() {
		t.Errorf("no objective: %+v", noSLO)
	}
}
