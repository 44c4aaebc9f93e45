package digest

import (
	"time"

	"github.com/fleetcheck/fleetcheck/state"
)

// What delivery (digest --post, the Alertmanager push) does with triage:
// a failure in a maintenance window is never notified nor escalated; an
// acknowledged one is not re-delivered as new nor escalated, and goes to
// Alertmanager marked acknowledged="true" instead of as a new page.

// Notifiable reports whether delivery may tell anyone about the episode
// (as a page, an alert or a digest line): open and not in maintenance.
func Notifiable(e state.Episode) bool { return e.Open() && e.Maintenance == nil }

// Escalatable reports whether a breached SLA of the episode may be
// escalated: notifiable and not acknowledged.
func Escalatable(e state.Episode) bool { return Notifiable(e) && e.Ack == nil }

// AlertLabels are the labels the episode adds to its Alertmanager alert:
// acknowledged="true" while acknowledged (nil otherwise), so that routes
// and inhibitions can tell it from a new page.
func AlertLabels(e state.Episode) map[string]string {
	if e.Ack == nil {
		return nil
	}
	return map[string]string{"acknowledged": "true"}
}

// AlertAnnotations are the annotations the episode adds to its alert:
// who acknowledged it, why and until when.
func AlertAnnotations(e state.Episode) map[string]string {
	if e.Ack == nil {
		return nil
	}
	a := map[string]string{"acknowledged_by": e.Ack.By, "acknowledged_reason": e.Ack.Reason}
	if !e.Ack.Until.IsZero() {
		a["acknowledged_until"] = e.Ack.Until.Format(time.RFC3339)
	}
	return a
}

// Deliverable reports whether the team's digest holds anything to
// deliver: new, ongoing, flapping or resolved failures. A digest holding
// only acknowledged or in-maintenance ones is not sent.
func (t Team) Deliverable() bool {
	return len(t.New)+len(t.Ongoing)+len(t.Flapping)+len(t.Resolved) > 0
}
