package digest

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/state"
)

// ReadInput reads from store what a digest is made of: the episodes open or
// ended in any team's window (and in state.FlapWindow), each team's window (since its last delivered
// digest, or since before now when since > 0, or DefaultWindow), and the
// SLAs of owners (nil: none). team "" is every team; Input.Sweep is left
// for the caller.
func ReadInput(ctx context.Context, store state.Store, owners *ownership.File, team string, since time.Duration, now time.Time) (Input, error) {
	in := Input{Now: now, Team: team}
	windows := map[string]time.Time{}
	earliest := now.Add(-DefaultWindow)
	if since > 0 {
		earliest = now.Add(-since)
	} else {
		teams := []string{health.UnownedTeam}
		if owners != nil {
			teams = append(append(teams, owners.Fallback), owners.TeamNames()...)
		}
		for _, t := range teams {
			d, ok, err := store.LastDelivered(ctx, t)
			if err != nil {
				return in, fmt.Errorf("digest: last delivery of %s: %w", t, err)
			}
			if ok {
				windows[t] = d.At
				if d.At.Before(earliest) {
					earliest = d.At
				}
			}
		}
	}
	in.Since = func(team string) time.Time {
		if since > 0 {
			return now.Add(-since)
		}
		if at, ok := windows[team]; ok {
			return at
		}
		return now.Add(-DefaultWindow)
	}
	if owners != nil {
		in.SLA = func(name string, s health.Status) time.Duration {
			t, _ := owners.Team(name)
			return ownership.ResolveSLA(t.SLA, owners.SLA, s)
		}
	}
	// Flapping looks back state.FlapWindow whatever the teams' windows.
	if flap := now.Add(-state.FlapWindow); flap.Before(earliest) {
		earliest = flap
	}
	var err error
	if in.Episodes, err = store.Episodes(ctx, state.EpisodeFilter{Since: earliest}); err != nil {
		return in, fmt.Errorf("digest: episodes: %w", err)
	}
	return in, nil
}

// Write renders d as format: "json", else markdown.
func Write(w io.Writer, d Digest, format string) error {
	if format == "json" {
		return JSON(w, d)
	}
	return Markdown(w, d)
}
