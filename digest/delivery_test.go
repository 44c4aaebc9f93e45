package digest

import (
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/state"
)

func TestDeliveryOfTriage(t *testing.T) {
	plain := ep("a", "disk", health.Critical, "web", time.Hour)
	acked := plain
	acked.Ack = &state.Ack{By: "alice", Reason: "T1", Until: now.Add(time.Hour)}
	inMaint := plain
	inMaint.Maintenance = &state.Window{ID: 1, End: now.Add(time.Hour)}
	resolved := ended(plain, state.EndFixed, time.Minute)
	for _, tc := range []struct {
		name              string
		e                 state.Episode
		notify, escalate  bool
		acknowledgedLabel bool
	}{
		{"plain", plain, true, true, false},
		{"acknowledged", acked, true, false, true},
		{"in maintenance", inMaint, false, false, false},
		{"resolved", resolved, false, false, false},
	} {
		if got := Notifiable(tc.e); got != tc.notify {
			t.Errorf("%s: Notifiable %v, want %v", tc.name, got, tc.notify)
		}
		if got := Escalatable(tc.e); got != tc.escalate {
			t.Errorf("%s: Escalatable %v, want %v", tc.name, got, tc.escalate)
		}
		if got := AlertLabels(tc.e)["acknowledged"] == "true"; got != tc.acknowledgedLabel {
			t.Errorf("%s: acknowledged label %v, want %v", tc.name, got, tc.acknowledgedLabel)
		}
	}
	if a := AlertAnnotations(acked); a["acknowledged_by"] != "alice" || a["acknowledged_reason"] != "T1" || a["acknowledged_until"] == "" {
		t.Errorf("annotations %v", a)
	}
	d := Make(triageFixture())
	if !d.Teams[2].Deliverable() {
		t.Error("traffic has new failures: deliverable")
	}
	if (Team{Acknowledged: []Group{{}}, Maintenance: []Group{{}}}).Deliverable() {
		t.Error("a digest of only acknowledged and in-maintenance failures is deliverable")
	}
}
