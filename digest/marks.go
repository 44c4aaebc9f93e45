package digest

import (
	"fmt"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/state"
)

// MarkText is the table's mark of a failure from what the recording said
// of it: MAINT (in a maintenance window) before ACK (acknowledged, with
// reason and until) before FLAPPING xN, each followed by new or ongoing
// with its age.
func MarkText(m state.Mark, now time.Time) string {
	age := "new"
	if !m.New {
		age = "ongoing " + duration.Human(now.Sub(m.FirstSeen))
	}
	var parts []string
	if w := m.Maintenance; w != nil {
		parts = append(parts, fmt.Sprintf("MAINT %s until %s", w.Reason, w.End.Format("Jan 2 15:04")))
	}
	if a := m.Ack; a != nil {
		until := "resolved"
		if !a.Until.IsZero() {
			until = a.Until.Format("Jan 2 15:04")
		}
		parts = append(parts, fmt.Sprintf("ACK %s until %s", a.Reason, until))
	}
	if m.Flapping() {
		parts = append(parts, fmt.Sprintf("FLAPPING x%d", m.Flaps))
	}
	return strings.Join(append(parts, age), " · ")
}
