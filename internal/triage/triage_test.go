package triage

import (
	"errors"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/state"
)

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2026-12-02T06:00:00Z", time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)},
		{"2026-12-02T08:00:00+02:00", time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)},
		{"2026-12-02 06:00", time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)},
		{"2026-12-02T06:00", time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)},
		{"+2h", now.Add(2 * time.Hour)},
		{"30m", now.Add(30 * time.Minute)},
	} {
		got, err := ParseTime("--start", tc.in, now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"tomorrow", "2026-13-01 10:00", "-2h", ""} {
		_, err := ParseTime("--start", bad, now)
		var ue *fleetenv.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("ParseTime(%q): %v, want a usage error", bad, err)
		}
	}
}

func TestParseFor(t *testing.T) {
	if d, err := ParseFor("--for", "2d"); err != nil || d != 48*time.Hour {
		t.Errorf("2d: %v, %v", d, err)
	}
	for _, bad := range []string{"5", "0s", "-1h", "soon"} {
		var ue *fleetenv.UsageError
		if _, err := ParseFor("--for", bad); !errors.As(err, &ue) {
			t.Errorf("ParseFor(%q): %v, want a usage error", bad, err)
		}
	}
}

func TestMarkText(t *testing.T) {
	now := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	until := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		m    state.Mark
		want string
	}{
		{state.Mark{New: true, FirstSeen: now}, "new"},
		{state.Mark{FirstSeen: now.Add(-3 * time.Hour)}, "ongoing 3h"},
		{state.Mark{FirstSeen: now.Add(-time.Hour), Ack: &state.Ack{Reason: "T1234", Until: until}}, "ACK T1234 until Dec 3 10:00 · ongoing 1h"},
		{state.Mark{FirstSeen: now.Add(-time.Hour), Ack: &state.Ack{Reason: "T1"}}, "ACK T1 until resolved · ongoing 1h"},
		{state.Mark{New: true, Maintenance: &state.Window{Reason: "reboots", End: until}}, "MAINT reboots until Dec 3 10:00 · new"},
		{state.Mark{New: true, Flaps: 4}, "FLAPPING x4 · new"},
		{state.Mark{New: true, Flaps: 2}, "new"},
	} {
		if got := digest.MarkText(tc.m, now); got != tc.want {
			t.Errorf("MarkText(%+v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestBudgetFunc(t *testing.T) {
	f := BudgetFunc([]digest.Budget{{Team: "web", SLO: 99}, {Team: health.UnownedTeam}})
	if b := f("web"); b == nil || b.SLO != 99 {
		t.Errorf("web: %+v", b)
	}
	if b := f("db"); b != nil {
		t.Errorf("db: %+v, want none", b)
	}
}
