package deliver

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/state"
)

func TestTreat(t *testing.T) {
	open := state.Episode{Host: "a", Check: "disk", Status: health.Critical}
	acked := open
	acked.Ack = &state.Ack{By: "alice", Reason: "T1"}
	inMaint := open
	inMaint.Maintenance = &state.Window{ID: 1}
	resolved := open
	resolved.End = state.EndFixed
	for _, tc := range []struct {
		name string
		e    state.Episode
		want Treatment
	}{
		{"open", open, Treatment{Alert: true, Escalate: true}},
		{"acknowledged", acked, Treatment{Alert: true, Acknowledged: true}},
		{"in maintenance", inMaint, Treatment{}},
		{"resolved", resolved, Treatment{Alert: true}},
	} {
		if got := Treat(tc.e); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestPlanFollowsTriage: after web1 is acknowledged and db2 put in
// maintenance, the push sends web1 labelled acknowledged="true", db2 not
// at all, and neither team gets a digest (nothing in it is news); once
// the SLA is long breached, nothing is escalated either.
func TestPlanFollowsTriage(t *testing.T) {
	_, urls := newServers(t)
	f := newFixture(t, urls, "notify:\n  alertmanager: {url: \"http://127.0.0.1:9\"}\n")
	ctx := context.Background()
	f.sweep(map[string]health.Status{"web1": health.Critical, "db2": health.Critical})
	if _, err := f.store.Acknowledge(ctx, state.AckRequest{Hosts: []string{"web1"}, Check: "disk", By: "alice", Reason: "T1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.AddMaintenance(ctx, state.Window{Hosts: []string{"db2"}, End: f.clock.now().Add(48 * time.Hour), Reason: "r", By: "ops"}); err != nil {
		t.Fatal(err)
	}
	f.clock.advance(6 * time.Hour) // past the 2h critical SLA
	f.sweep(map[string]health.Status{"web1": health.Critical, "db2": health.Critical})
	p, err := MakePlan(ctx, f.store, f.owners, f.rs, f.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	var pushed []map[string]string
	for _, r := range p.Rows {
		switch r.Row.Kind {
		case KindAlertmanager:
			var alerts []struct {
				Labels map[string]string `json:"labels"`
			}
			if err := json.Unmarshal(r.Row.Alerts, &alerts); err != nil {
				t.Fatal(err)
			}
			for _, a := range alerts {
				pushed = append(pushed, a.Labels)
			}
		default:
			t.Errorf("planned a %s row for %s: %s", r.Row.Kind, r.Row.Team, r.Row.ID)
		}
	}
	if len(pushed) != 1 || pushed[0]["host"] != "web1" || pushed[0]["acknowledged"] != "true" {
		t.Errorf("pushed %v, want web1 alone, acknowledged", pushed)
	}
}
