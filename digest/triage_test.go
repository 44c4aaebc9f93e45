package digest

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/state"
)

// triageFixture: traffic has an acknowledged failure, one in
// maintenance, one flapping (three fixed episodes and an open one in 24h)
// and one that opened and was fixed only twice (not flapping).
func triageFixture() Input {
	in := fixture()
	acked := ep("lb5", "disk", health.Warning, "traffic", 3*time.Hour)
	acked.Ack = &state.Ack{By: "alice", Reason: "T1234", Until: now.Add(48 * time.Hour), Status: health.Warning}
	inMaint := ep("lb6", "load", health.Critical, "traffic", 20*time.Minute)
	inMaint.Maintenance = &state.Window{ID: 4, Reason: "kernel upgrade", Start: now.Add(-time.Hour), End: now.Add(time.Hour), Hosts: []string{"lb6"}}
	in.Episodes = append(in.Episodes, acked, inMaint)
	id := int64(100)
	for i, ago := range []time.Duration{20 * time.Hour, 14 * time.Hour, 8 * time.Hour} {
		e := ended(ep("lb7", "http", health.Critical, "traffic", ago), state.EndFixed, ago-time.Hour)
		e.ID = id + int64(i)
		in.Episodes = append(in.Episodes, e)
	}
	open := ep("lb7", "http", health.Critical, "traffic", 10*time.Minute)
	open.ID = 200
	in.Episodes = append(in.Episodes, open)
	for i, ago := range []time.Duration{20 * time.Minute, 40 * time.Minute} {
		e := ended(ep("lb8", "http", health.Warning, "traffic", ago), state.EndFixed, ago-5*time.Minute)
		e.ID = 300 + int64(i)
		in.Episodes = append(in.Episodes, e)
	}
	in.Budget = func(team string) *Budget {
		if team != "traffic" {
			return nil
		}
		return &Budget{Team: team, SLO: 99.5, Window: seconds(30 * 24 * time.Hour), HostChecks: 10, Total: 10 * 30 * 86400,
			Failing: 64800, Critical: 43200, Warning: 21600, Observed: 0.0025, Allowed: 0.005, Burn: 0.5, Left: 0.5, LeftTime: 64800}
	}
	return in
}

func TestMakeTriage(t *testing.T) {
	d := Make(triageFixture())
	traffic := d.Teams[2]
	if len(traffic.Acknowledged) != 1 || traffic.Acknowledged[0].Hosts != "lb5" || traffic.Acknowledged[0].Ack.Reason != "T1234" {
		t.Errorf("acknowledged: %+v", traffic.Acknowledged)
	}
	if len(traffic.Maintenance) != 1 || traffic.Maintenance[0].Hosts != "lb6" || traffic.Maintenance[0].InMaint.ID != 4 {
		t.Errorf("maintenance: %+v", traffic.Maintenance)
	}
	if len(traffic.Flapping) != 1 || traffic.Flapping[0].Hosts != "lb7" || traffic.Flapping[0].Flaps != 3 || traffic.Flapping[0].Ended != nil {
		t.Errorf("flapping: %+v, want lb7 once, open, x3", traffic.Flapping)
	}
	for _, g := range slices.Concat(traffic.New, traffic.Ongoing) {
		if g.Hosts == "lb5" || g.Hosts == "lb6" || g.Hosts == "lb7" {
			t.Errorf("%s is also listed as new or ongoing: %+v", g.Hosts, g)
		}
	}
	// lb8 opened and resolved twice: not flapping, its resolutions shown.
	var resolved []string
	for _, g := range traffic.Resolved {
		resolved = append(resolved, g.Hosts)
	}
	if !slices.Contains(resolved, "lb8") {
		t.Errorf("resolved %v, want lb8 (twice is not flapping)", resolved)
	}
	if traffic.Budget == nil || d.Teams[0].Budget != nil {
		t.Errorf("budgets: traffic %+v, infra-triage %+v", traffic.Budget, d.Teams[0].Budget)
	}
}

func TestTriageGolden(t *testing.T) {
	goldenDigest(t, "triage", Make(triageFixture()))
}

// budgetClock is the store's clock in the scripted history.
type budgetClock struct{ t time.Time }

func (c *budgetClock) now() time.Time { return c.t }

// TestBudgetsScripted records a history into a real store and checks the
// budgets against figures computed by hand (in the comments).
func TestBudgetsScripted(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := &budgetClock{t: t0}
	s, err := state.Open(ctx, filepath.Join(t.TempDir(), "fleet.db"), state.Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checks := []string{"disk", "load"}
	sweep := func(at time.Duration, status map[string]health.Status) {
		t.Helper()
		c.t = t0.Add(at)
		r, err := s.Begin(ctx, state.SweepInfo{Query: "all", Checks: checks, Hosts: []string{"a", "b"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{"a", "b"} {
			for _, ch := range checks {
				st := status[h+"/"+ch] // zero value: OK
				rec := health.Record{Result: health.Result{Host: h, Check: ch, Status: st, Summary: st.String()}}
				if st == health.Unreachable {
					rec.ErrorKind = "timeout"
				}
				if _, err := r.Add(ctx, rec); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := r.Commit(ctx, state.SweepEnd{Complete: true}); err != nil {
			t.Fatal(err)
		}
	}
	// b is in maintenance from 6h to 8h (made at t0).
	if _, err := s.AddMaintenance(ctx, state.Window{Query: "b", Hosts: []string{"b"}, Start: t0.Add(6 * time.Hour), End: t0.Add(8 * time.Hour), Reason: "reboot", By: "ops"}); err != nil {
		t.Fatal(err)
	}
	h := time.Hour
	sweep(0, nil)
	sweep(1*h, map[string]health.Status{"a/disk": health.Warning})
	sweep(2*h, map[string]health.Status{"a/disk": health.Critical})
	sweep(3*h, nil)
	sweep(4*h, map[string]health.Status{"b/disk": health.Unreachable, "b/load": health.Unreachable})
	sweep(5*h, nil)
	sweep(6*h+30*time.Minute, map[string]health.Status{"b/load": health.Critical})
	sweep(9*h, map[string]health.Status{"b/load": health.Critical})
	c.t = t0.Add(10 * h)

	window := 10 * h
	sweeps, err := s.Sweeps(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	eps, err := s.Episodes(ctx, state.EpisodeFilter{Since: c.t.Add(-window)})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := s.Maintenance(ctx, c.t.Add(-window))
	if err != nil {
		t.Fatal(err)
	}
	in := BudgetInput{Now: c.t, Window: window, Sweeps: sweeps, Episodes: eps, Maintenance: ws,
		Owner: func(host, _ string) string { return map[string]string{"a": "web", "b": "db"}[host] },
		SLO:   func(team string) float64 { return map[string]float64{"web": 99, "db": 90}[team] }}
	got := Budgets(in)
	hs := func(hours float64) Seconds { return Seconds(hours * 3600) }
	want := []Budget{
		// db: b/disk and b/load for 10h = 20h, less 2h of maintenance each
		// = 16h. Unreachable 4h-5h on both pairs = 2h; b/load CRITICAL
		// opened in the window at 6h30, counted from its end (8h) to 10h
		// = 2h. Failing 4h of 16h = 25%; allowed 10%: burn 2.5, left -1.5,
		// 1.6h - 4h = -2.4h.
		{Team: "db", SLO: 90, Window: hs(10), HostChecks: 2, Total: hs(16), Failing: hs(4), Critical: hs(2), Unreachable: hs(2),
			Maintenance: hs(4), Observed: 0.25, Allowed: 0.1, Burn: 2.5, Left: -1.5, LeftTime: -hs(2.4)},
		// web: a/disk and a/load for 10h = 20h. a/disk WARNING 1h-2h,
		// CRITICAL 2h-3h: 2h of 20h = 10%; allowed 1%: burn 10, left -9,
		// 0.2h - 2h = -1.8h.
		{Team: "web", SLO: 99, Window: hs(10), HostChecks: 2, Total: hs(20), Failing: hs(2), Warning: hs(1), Critical: hs(1),
			Observed: 0.1, Allowed: 0.01, Burn: 10, Left: -9, LeftTime: -hs(1.8)},
	}
	if len(got) != len(want) {
		t.Fatalf("budgets %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		floats := [][2]float64{{g.Observed, w.Observed}, {g.Allowed, w.Allowed}, {g.Burn, w.Burn}, {g.Left, w.Left}}
		g.Observed, g.Allowed, g.Burn, g.Left = 0, 0, 0, 0
		w.Observed, w.Allowed, w.Burn, w.Left = 0, 0, 0, 0
		if g != w {
			t.Errorf("budget %d:\n got %+v\nwant %+v", i, g, w)
		}
		for _, f := range floats {
			if math.Abs(f[0]-f[1]) > 1e-9 {
				t.Errorf("%s: %v, want %v", got[i].Team, f[0], f[1])
			}
		}
	}
	// The window moved on: from 5h, db counts 10h of 20h minus 4h of
	// maintenance = 6h... of which b/load critical 8h-10h = 2h.
	in.Window = 5 * h
	for _, b := range Budgets(in) {
		if b.Team == "db" && (b.Total != hs(6) || b.Failing != hs(2) || b.Unreachable != 0) {
			t.Errorf("db over 5h: %+v, want total 6h, failing 2h", b)
		}
		if b.Team == "web" && (b.Total != hs(10) || b.Failing != 0) {
			t.Errorf("web over 5h: %+v, want total 10h, failing 0", b)
		}
	}
	in.Team = "web"
	if got := Budgets(in); len(got) != 1 || got[0].Team != "web" {
		t.Errorf("--team web: %+v", got)
	}
	line := BudgetLine(want[1])
	if wantLine := "Error budget (10h, SLO 99%): 10% failing of 20 host-check hours (critical 5%, warning 5%, unknown 0%, unreachable 0%), burn rate 10.00, budget overspent: 10× what the SLO allows."; line != wantLine {
		t.Errorf("line %q\nwant %q", line, wantLine)
	}
}
