package deliver

import (
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/notify"
)

// TestRefresh: a push that waited in the outbox goes out with its firing
// alerts' endsAt moved by the wait, its resolved ones as they were.
func TestRefresh(t *testing.T) {
	queued := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	firing := queued.Add(4 * time.Hour)       // now + 4 × resend when queued
	resolved := queued.Add(-30 * time.Minute) // the episode's end
	tests := []struct {
		name         string
		now          time.Time
		wantFiring   time.Time
		wantResolved time.Time
	}{
		{"sent at once", queued, firing, resolved},
		{"sent 5h later", queued.Add(5 * time.Hour), firing.Add(5 * time.Hour), resolved},
		{"clock behind the queue time", queued.Add(-time.Minute), firing, resolved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alerts := []notify.Alert{{EndsAt: firing}, {EndsAt: resolved}}
			refresh(alerts, queued, tt.now)
			if !alerts[0].EndsAt.Equal(tt.wantFiring) {
				t.Errorf("firing alert ends %v, want %v", alerts[0].EndsAt, tt.wantFiring)
			}
			if !alerts[1].EndsAt.Equal(tt.wantResolved) {
				t.Errorf("resolved alert ends %v, want %v", alerts[1].EndsAt, tt.wantResolved)
			}
		})
	}
}
