package ownership

import (
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
)

// SLA holds triage deadlines per severity; a zero field is unset.
type SLA struct {
	Critical    time.Duration
	Warning     time.Duration
	Unknown     time.Duration // unset: falls back to Critical
	Unreachable time.Duration // unset: falls back to Critical
}

// For returns the deadline set for status, 0 when unset or OK. It does not
// apply the Critical fallback; see ResolveSLA.
func (s SLA) For(status checks.Status) time.Duration {
	switch status {
	case checks.Critical:
		return s.Critical
	case checks.Warning:
		return s.Warning
	case checks.Unknown:
		return s.Unknown
	case checks.Unreachable:
		return s.Unreachable
	}
	return 0
}

// ResolveSLA returns the deadline for a failure of status owned by a team
// with SLA team, given the file's defaults. Order: the team's value for
// the status, then the default for the status; for UNKNOWN and UNREACHABLE
// (no verdict, so possibly the worst) then the team's critical, then the
// default critical. OK and anything unset give 0.
func ResolveSLA(team, defaults SLA, status checks.Status) time.Duration {
	if d := team.For(status); d > 0 {
		return d
	}
	if d := defaults.For(status); d > 0 {
		return d
	}
	if status == checks.Unknown || status == checks.Unreachable {
		if team.Critical > 0 {
			return team.Critical
		}
		return defaults.Critical
	}
	return 0
}
