package digest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/state"
)

// TestReadInput reads a digest's input from a SQLite store: the episodes,
// each team's window (its last delivered digest, else the default window,
// or --since for all) and the owners' SLAs.
func TestReadInput(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := now.Add(-3 * time.Hour)
	store, err := state.Open(ctx, filepath.Join(t.TempDir(), "state.db"), state.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rec, err := store.Begin(ctx, state.SweepInfo{Query: "all", Checks: []string{"disk"}, Hosts: []string{"db1"}})
	if err != nil {
		t.Fatal(err)
	}
	owner := &health.Owner{Team: "dba", Rule: "db"}
	if _, err := rec.Add(ctx, health.Record{Result: health.Result{Host: "db1", Check: "disk", Status: health.Critical}, Owner: owner}); err != nil {
		t.Fatal(err)
	}
	sw, err := rec.Commit(ctx, state.SweepEnd{Complete: true})
	if err != nil {
		t.Fatal(err)
	}
	delivered := now.Add(-30 * time.Hour) // before the default window: it widens what is read
	if err := store.MarkDelivered(ctx, "dba", sw.ID, delivered); err != nil {
		t.Fatal(err)
	}
	owners, err := ownership.Parse("owners.yaml", []byte("fallback: infra\nsla: {critical: 4h}\nteams: {dba: {contact: x}, infra: {contact: y}}\nrules:\n  - {id: db, hosts: 'db*', owner: dba}\n"))
	if err != nil {
		t.Fatal(err)
	}

	in, err := ReadInput(ctx, store, owners, "dba", 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if in.Team != "dba" || !in.Now.Equal(now) || in.Sweep != nil {
		t.Errorf("Input = team %q now %v sweep %v", in.Team, in.Now, in.Sweep)
	}
	if len(in.Episodes) != 1 || in.Episodes[0].Host != "db1" {
		t.Errorf("episodes = %+v, want db1's", in.Episodes)
	}
	if got := in.Since("dba"); !got.Equal(delivered) {
		t.Errorf("Since(dba) = %v, want its last delivery %v", got, delivered)
	}
	if got, want := in.Since("infra"), now.Add(-DefaultWindow); !got.Equal(want) {
		t.Errorf("Since(infra) = %v, want the default window's start %v", got, want)
	}
	if in.SLA == nil || in.SLA("dba", health.Critical) != 4*time.Hour {
		t.Errorf("SLA(dba, CRITICAL) is not the file's 4h")
	}

	in, err = ReadInput(ctx, store, nil, "", 2*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := in.Since("dba"), now.Add(-2*time.Hour); !got.Equal(want) {
		t.Errorf("with since 2h: Since(dba) = %v, want %v", got, want)
	}
	if in.SLA != nil {
		t.Error("without an owners file: an SLA function, want none")
	}
	if len(in.Episodes) != 1 {
		t.Errorf("an open episode is read whatever the window: %d episodes", len(in.Episodes))
	}
}
