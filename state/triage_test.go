package state

import (
	"context"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
)

func disk(host string, s health.Status) health.Record { return res(host, "disk", s, "web") }

func one(hosts []string, recs ...health.Record) sweepSpec {
	return sweepSpec{hosts: hosts, configured: []string{"disk"}, results: recs}
}

func ack(t *testing.T, s *DB, host string, d time.Duration) Ack {
	t.Helper()
	acks, err := s.Acknowledge(context.Background(), AckRequest{Hosts: []string{host}, Check: "disk", By: "alice", Reason: "T1", For: d})
	if err != nil {
		t.Fatal(err)
	}
	if len(acks) != 1 {
		t.Fatalf("acknowledged %d episodes, want 1", len(acks))
	}
	return acks[0]
}

func openEpisode(t *testing.T, s *DB, host string) Episode {
	t.Helper()
	check := "disk"
	eps, err := s.Episodes(context.Background(), EpisodeFilter{Host: host, Check: &check, OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 1 {
		t.Fatalf("%s: %d open episodes, want 1", host, len(eps))
	}
	return eps[0]
}

func ackEnds(t *testing.T, s *DB) []AckEnd {
	t.Helper()
	acks, err := s.Acks(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	var out []AckEnd
	for _, a := range acks {
		out = append(out, a.End)
	}
	return out
}

func TestAckExpires(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		c := &clock{t: t0}
		s := openTest(t, fresh(t), c)
		hosts := []string{"a"}
		record(t, s, c, one(hosts, disk("a", health.Warning)))
		a := ack(t, s, "a", 2*time.Hour)
		if want := c.t.Add(2 * time.Hour); !a.Until.Equal(want) {
			t.Fatalf("until %v, want %v", a.Until, want)
		}
		if e := openEpisode(t, s, "a"); e.Ack == nil || e.Ack.Reason != "T1" || e.Ack.By != "alice" {
			t.Fatalf("episode ack %+v, want T1 by alice", e.Ack)
		}
		c.advance(time.Hour)
		if _, marks := record(t, s, c, one(hosts, disk("a", health.Warning))); marks[0].Ack == nil {
			t.Fatal("an ack in force is not on the sweep's mark")
		}
		c.advance(90 * time.Minute) // past until, no sweep yet
		if e := openEpisode(t, s, "a"); e.Ack != nil {
			t.Fatalf("expired ack still shown: %+v", e.Ack)
		}
		if active, _ := s.Acks(context.Background(), false); len(active) != 0 {
			t.Fatalf("expired ack listed as in force: %+v", active)
		}
		if got := ackEnds(t, s); len(got) != 1 || got[0] != AckExpired {
			t.Fatalf("ack ends %v, want [expired] before any sweep", got)
		}
		if _, marks := record(t, s, c, one(hosts, disk("a", health.Warning))); marks[0].Ack != nil {
			t.Fatal("an expired ack is on the sweep's mark")
		}
		var end string
		if err := s.db.QueryRow("SELECT end_kind FROM acks").Scan(&end); err != nil || end != string(AckExpired) {
			t.Fatalf("stored end %q (%v), want expired", end, err)
		}
	})
}

func TestAckEndsOnResolution(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		c := &clock{t: t0}
		s := openTest(t, fresh(t), c)
		hosts := []string{"a"}
		record(t, s, c, one(hosts, disk("a", health.Critical)))
		ack(t, s, "a", 0) // until resolved
		c.advance(30 * 24 * time.Hour)
		if e := openEpisode(t, s, "a"); e.Ack == nil {
			t.Fatal("an ack without until expired")
		}
		record(t, s, c, one(hosts, disk("a", health.OK)))
		if got := ackEnds(t, s); len(got) != 1 || got[0] != AckResolved {
			t.Fatalf("ack ends %v, want [resolved]", got)
		}
		c.advance(time.Hour)
		if _, marks := record(t, s, c, one(hosts, disk("a", health.Critical))); marks[0].Ack != nil || !marks[0].New {
			t.Fatalf("the next failure is %+v, want new and not acknowledged", marks[0])
		}
	})
}

func TestAckEndsOnWorsening(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		c := &clock{t: t0}
		s := openTest(t, fresh(t), c)
		hosts := []string{"a", "b"}
		record(t, s, c, one(hosts, disk("a", health.Warning), disk("b", health.Critical)))
		ack(t, s, "a", 0)
		ack(t, s, "b", 0)
		c.advance(time.Hour)
		// a: WARNING -> CRITICAL is news; b: CRITICAL -> WARNING stays acknowledged.
		_, marks := record(t, s, c, one(hosts, disk("a", health.Critical), disk("b", health.Warning)))
		if marks[0].Ack != nil {
			t.Error("a worsened and is still acknowledged")
		}
		if marks[1].Ack == nil {
			t.Error("b improved and lost its acknowledgement")
		}
		if got := ackEnds(t, s); len(got) != 2 || got[0] != AckWorsened || got[1] != AckActive {
			t.Fatalf("ack ends %v, want [worsened, in force]", got)
		}
		c.advance(time.Hour)
		// Back to WARNING: the ack that ended does not come back.
		if _, marks := record(t, s, c, one(hosts, disk("a", health.Warning), disk("b", health.Warning))); marks[0].Ack != nil {
			t.Error("an ack ended by worsening came back")
		}
		if e := openEpisode(t, s, "a"); e.Ack != nil {
			t.Errorf("episode a still acknowledged: %+v", e.Ack)
		}
		// Removing b's ack.
		removed, err := s.RemoveAcks(context.Background(), []string{"b"}, "disk")
		if err != nil || len(removed) != 1 || removed[0].End != AckRemoved {
			t.Fatalf("remove: %+v, %v", removed, err)
		}
		if e := openEpisode(t, s, "b"); e.Ack != nil {
			t.Error("a removed ack is still shown")
		}
	})
}

func TestAckOnlyOpenEpisodes(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		c := &clock{t: t0}
		s := openTest(t, fresh(t), c)
		record(t, s, c, one([]string{"a", "b"}, disk("a", health.Warning), disk("b", health.OK)))
		acks, err := s.Acknowledge(context.Background(), AckRequest{Hosts: []string{"a", "b"}, Check: "disk", By: "bob", Reason: "T2"})
		if err != nil || len(acks) != 1 || acks[0].Host != "a" || acks[0].Status != health.Warning {
			t.Fatalf("acks %+v, %v: want a's WARNING only", acks, err)
		}
		// Acknowledged again: the first is replaced.
		ack(t, s, "a", time.Hour)
		if got := ackEnds(t, s); len(got) != 2 || got[0] != AckReplaced || got[1] != AckActive {
			t.Fatalf("ack ends %v, want [replaced, in force]", got)
		}
	})
}

func TestMaintenanceWindow(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		c := &clock{t: t0}
		s := openTest(t, fresh(t), c)
		ctx := context.Background()
		hosts := []string{"a", "b", "c"}
		// Made now for a and b, starting in an hour, for two hours.
		w, err := s.AddMaintenance(ctx, Window{Query: "a,b", Hosts: []string{"b", "a"}, Start: t0.Add(time.Hour), End: t0.Add(3 * time.Hour), Reason: "reboots", By: "ops"})
		if err != nil {
			t.Fatal(err)
		}
		// Before the window: b fails, an ordinary episode.
		_, marks := record(t, s, c, one(hosts, disk("b", health.Warning)))
		if marks[0].Maintenance != nil {
			t.Fatal("a failure before the window started is in maintenance")
		}
		bFirst := openEpisode(t, s, "b").FirstSeen
		c.t = t0.Add(90 * time.Minute)
		// In the window: a fails (opens in it), b goes on, c (not in the window) fails.
		_, marks = record(t, s, c, one(hosts, disk("a", health.Critical), disk("b", health.Warning), disk("c", health.Critical)))
		if marks[0].Maintenance == nil || marks[0].Maintenance.ID != w.ID || marks[1].Maintenance == nil {
			t.Fatalf("marks %+v %+v: a and b should be in maintenance", marks[0], marks[1])
		}
		if marks[2].Maintenance != nil {
			t.Fatal("c is not in the window")
		}
		if e := openEpisode(t, s, "a"); e.Maintenance == nil || e.Maintenance.Reason != "reboots" {
			t.Fatalf("episode a: maintenance %+v", e.Maintenance)
		}
		// After the window, before any sweep: a is an ordinary episode from
		// the window's end; b keeps its own start.
		c.t = t0.Add(3*time.Hour + 30*time.Minute)
		a := openEpisode(t, s, "a")
		if a.Maintenance != nil || !a.FirstSeen.Equal(w.End) {
			t.Fatalf("after the window a: first seen %v (want %v), maintenance %+v", a.FirstSeen, w.End, a.Maintenance)
		}
		if since, _ := a.Reached(health.Critical); !since.Equal(w.End) {
			t.Fatalf("a's SLA clock starts at %v, want the window's end %v", since, w.End)
		}
		if b := openEpisode(t, s, "b"); !b.FirstSeen.Equal(bFirst) || b.Maintenance != nil {
			t.Fatalf("b: first seen %v (want %v), maintenance %+v", b.FirstSeen, bFirst, b.Maintenance)
		}
		_, marks = record(t, s, c, one(hosts, disk("a", health.Critical), disk("b", health.Warning), disk("c", health.Critical)))
		if marks[0].New || !marks[0].FirstSeen.Equal(w.End) || marks[0].Maintenance != nil {
			t.Fatalf("a after the window: %+v, want ongoing since %v", marks[0], w.End)
		}
		var maint any
		if err := s.db.QueryRow("SELECT maint FROM episodes WHERE host = 'a'").Scan(&maint); err != nil || maint != nil {
			t.Fatalf("stored window of a: %v (%v), want none once settled", maint, err)
		}
		if got := openEpisode(t, s, "a").FirstSeen; !got.Equal(w.End) {
			t.Fatalf("settled first seen %v, want %v", got, w.End)
		}
	})
}

func TestMaintenanceNeverWidens(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		c := &clock{t: t0}
		s := openTest(t, fresh(t), c)
		ctx := context.Background()
		w, err := s.AddMaintenance(ctx, Window{Query: "role=web", Hosts: []string{"a"}, End: t0.Add(2 * time.Hour), Reason: "r", By: "ops"})
		if err != nil {
			t.Fatal(err)
		}
		if !w.Start.Equal(t0) {
			t.Fatalf("start %v, want now (%v)", w.Start, t0)
		}
		// d joined role=web after the window was made: it is not covered.
		_, marks := record(t, s, c, one([]string{"a", "d"}, disk("a", health.Critical), disk("d", health.Critical)))
		if marks[0].Maintenance == nil || marks[1].Maintenance != nil {
			t.Fatalf("marks %+v / %+v: want a in maintenance, d not", marks[0], marks[1])
		}
		ws, err := s.Maintenance(ctx, time.Time{})
		if err != nil || len(ws) != 1 || len(ws[0].Hosts) != 1 {
			t.Fatalf("windows %+v, %v", ws, err)
		}
		// Removing ends it now; a window ended is not active.
		c.advance(10 * time.Minute)
		rw, err := s.RemoveMaintenance(ctx, w.ID)
		if err != nil || !rw.End.Equal(c.t) || rw.ActiveAt(c.t) {
			t.Fatalf("removed %+v, %v", rw, err)
		}
		if e := openEpisode(t, s, "a"); e.Maintenance != nil || !e.FirstSeen.Equal(c.t) {
			t.Fatalf("after removal a: %+v, want ordinary from %v", e, c.t)
		}
		if _, err := s.RemoveMaintenance(ctx, w.ID); err == nil {
			t.Fatal("removed twice")
		}
		if _, err := s.RemoveMaintenance(ctx, 99); err == nil {
			t.Fatal("removed a window that does not exist")
		}
		if _, err := s.AddMaintenance(ctx, Window{Hosts: []string{"a"}, Start: t0, End: t0}); err == nil {
			t.Fatal("an empty window was accepted")
		}
	})
}

func TestFlapping(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		c := &clock{t: t0}
		s := openTest(t, fresh(t), c)
		hosts := []string{"a"}
		var marks []Mark
		// Three opened-and-fixed episodes within 24h, an hour apart.
		for i := range 4 {
			_, marks = record(t, s, c, one(hosts, disk("a", health.Critical)))
			if i < 3 {
				if marks[0].Flapping() || marks[0].Flaps != 0 {
					t.Fatalf("round %d: flapping after %d resolutions", i, i)
				}
				c.advance(30 * time.Minute)
				record(t, s, c, one(hosts, disk("a", health.OK)))
				c.advance(30 * time.Minute)
			}
		}
		if !marks[0].Flapping() || marks[0].Flaps != 3 {
			t.Fatalf("after 3 resolutions in 24h: %+v, want flapping x3", marks[0])
		}
		// A day later, steady: no longer flapping.
		c.advance(25 * time.Hour)
		if _, marks = record(t, s, c, one(hosts, disk("a", health.Critical))); marks[0].Flapping() {
			t.Fatalf("a day later: %+v, want not flapping", marks[0])
		}
	})
}
