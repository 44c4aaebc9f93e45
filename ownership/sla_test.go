package ownership

import (
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
)

func TestResolveSLA(t *testing.T) {
	defaults := SLA{Critical: 8 * time.Hour, Warning: 5 * 24 * time.Hour, Unreachable: 2 * time.Hour}
	full := SLA{Critical: time.Hour, Warning: 2 * time.Hour, Unknown: 3 * time.Hour, Unreachable: 4 * time.Hour}
	critOnly := SLA{Critical: 30 * time.Minute}
	tests := []struct {
		name     string
		team     SLA
		defaults SLA
		status   checks.Status
		want     time.Duration
	}{
		{"team critical", full, defaults, checks.Critical, time.Hour},
		{"team warning", full, defaults, checks.Warning, 2 * time.Hour},
		{"team unknown", full, defaults, checks.Unknown, 3 * time.Hour},
		{"team unreachable", full, defaults, checks.Unreachable, 4 * time.Hour},
		{"OK has none", full, defaults, checks.OK, 0},
		{"warning from defaults", critOnly, defaults, checks.Warning, 5 * 24 * time.Hour},
		{"unreachable: default's own beats team critical", critOnly, defaults, checks.Unreachable, 2 * time.Hour},
		{"unknown: team critical when no unknown anywhere", critOnly, defaults, checks.Unknown, 30 * time.Minute},
		{"unknown: default critical last", SLA{}, defaults, checks.Unknown, 8 * time.Hour},
		{"critical from defaults", SLA{}, defaults, checks.Critical, 8 * time.Hour},
		{"nothing set", SLA{}, SLA{}, checks.Critical, 0},
		{"warning never falls back to critical", critOnly, SLA{}, checks.Warning, 0},
	}
	for _, tt := range tests {
		if got := ResolveSLA(tt.team, tt.defaults, tt.status); got != tt.want {
			t.Errorf("%s: ResolveSLA = %v, want %v", tt.name, got, tt.want)
		}
	}
}
