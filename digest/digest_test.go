package digest

import (
	"bytes"
	"encoding/json"
	"flag"
	"slices"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	goldenfile "github.com/fleetcheck/fleetcheck/internal/golden"
	"github.com/fleetcheck/fleetcheck/internal/schematest"
	"github.com/fleetcheck/fleetcheck/state"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// ep is an open episode of status that began ago before now.
func ep(host, check string, status health.Status, team string, ago time.Duration) state.Episode {
	began := now.Add(-ago)
	e := state.Episode{Host: host, Check: check, Status: status, Summary: check + " " + status.String(),
		Owner: health.Owner{Team: team, Rule: "r-" + team}, FirstSeen: began, LastSeen: now.Add(-time.Minute)}
	e.Changes = []state.Change{{At: began, Status: status, Summary: e.Summary, Owner: e.Owner}}
	return e
}

func ended(e state.Episode, how state.End, ago time.Duration) state.Episode {
	e.End, e.Ended = how, now.Add(-ago)
	return e
}

func worsened(e state.Episode, to health.Status, ago time.Duration) state.Episode {
	e.Changes = append(e.Changes, state.Change{At: now.Add(-ago), Status: to, Summary: e.Check + " " + to.String(), Owner: e.Owner})
	e.Status, e.Summary = to, e.Check+" "+to.String()
	return e
}

func fixture() Input {
	unowned := ep("stray1", "disk", health.Critical, "infra-triage", 3*time.Hour)
	unowned.Owner = health.Owner{Team: "infra-triage", Unowned: true}
	eps := []state.Episode{
		// traffic: three caches with the same new failure, folded.
		ep("cache01", "disk", health.Critical, "traffic", 30*time.Minute),
		ep("cache02", "disk", health.Critical, "traffic", 20*time.Minute),
		ep("cache03", "disk", health.Critical, "traffic", 10*time.Minute),
		// ongoing: critical breached (SLA 4h), warning near (3d SLA, 2.5d old), warning ok.
		ep("lb1", "puppet", health.Critical, "traffic", 6*time.Hour),
		ep("lb2", "ntp", health.Warning, "traffic", 60*time.Hour),
		ep("lb3", "load", health.Warning, "traffic", 2*time.Hour),
		// worsened an hour ago: the critical clock counts from there.
		worsened(ep("lb4", "memory", health.Warning, "traffic", 50*time.Hour), health.Critical, time.Hour),
		// resolved after the window start, and one before it (not shown).
		ended(ep("cache04", "disk", health.Warning, "traffic", 5*time.Hour), state.EndFixed, 30*time.Minute),
		ended(ep("old1", "disk", health.Warning, "traffic", 50*time.Hour), state.EndGone, 10*time.Hour),
		ended(ep("db1", "service", health.Critical, "storage", 9*time.Hour), state.EndGone, 2*time.Hour),
		// storage: an unreachable host.
		ep("db2", state.HostCheck, health.Unreachable, "storage", 26*time.Hour),
		unowned,
	}
	eps[10].Summary = "timed out"
	sla := map[string]ownershipSLA{
		"traffic": {critical: 4 * time.Hour, warning: 72 * time.Hour},
		"storage": {critical: 24 * time.Hour},
	}
	return Input{
		Episodes: eps, Now: now,
		Since: func(team string) time.Time {
			if team == "traffic" {
				return now.Add(-time.Hour) // its last digest, an hour ago
			}
			return now.Add(-DefaultWindow)
		},
		SLA: func(team string, s health.Status) time.Duration {
			t := sla[team]
			switch s {
			case health.Warning:
				return t.warning
			case health.Critical, health.Unreachable, health.Unknown:
				return t.critical
			}
			return 0
		},
		Sweep: &state.Sweep{ID: 7, Query: "all", Started: now.Add(-2 * time.Minute), Finished: now.Add(-time.Minute), Complete: true},
	}
}

type ownershipSLA struct{ critical, warning time.Duration }

func TestMake(t *testing.T) {
	d := Make(fixture())
	var teams []string
	for _, tm := range d.Teams {
		teams = append(teams, tm.Team)
	}
	if want := []string{"infra-triage", "storage", "traffic"}; !slices.Equal(teams, want) {
		t.Fatalf("teams %v, want %v (unowned first)", teams, want)
	}
	traffic := d.Teams[2]
	if len(traffic.New) != 1 || traffic.New[0].Hosts != "cache[01-03]" || traffic.New[0].Count != 3 {
		t.Errorf("new: %+v, want the three caches in one group", traffic.New)
	}
	var order []string
	for _, g := range traffic.Ongoing {
		s := "none"
		if g.SLA != nil {
			s = string(g.SLA.State)
		}
		order = append(order, g.Hosts+":"+s)
	}
	if want := []string{"lb1:breached", "lb2:near", "lb4:ok", "lb3:ok"}; !slices.Equal(order, want) {
		t.Errorf("ongoing order %v, want %v (breached, near, then worst status)", order, want)
	}
	if g := traffic.Ongoing[0]; g.SLA.Breached.Duration() != 2*time.Hour {
		t.Errorf("lb1 breached %v ago, want 2h", g.SLA.Breached.Duration())
	}
	if g := traffic.Ongoing[2]; g.SLA.Due != now.Add(3*time.Hour) {
		t.Errorf("lb4's critical clock due %v, want 3h from now (it turned CRITICAL 1h ago)", g.SLA.Due)
	}
	if len(traffic.Resolved) != 1 || traffic.Resolved[0].Hosts != "cache04" || traffic.Resolved[0].End != state.EndFixed {
		t.Errorf("resolved: %+v (old1 ended before the window)", traffic.Resolved)
	}
	storage := d.Teams[1]
	if len(storage.New) != 0 || len(storage.Ongoing) != 1 || storage.Ongoing[0].Check != state.HostCheck || len(storage.Resolved) != 1 || storage.Resolved[0].End != state.EndGone {
		t.Errorf("storage: %+v", storage)
	}

	only := fixture()
	only.Team = "storage"
	if d := Make(only); len(d.Teams) != 1 || d.Teams[0].Team != "storage" {
		t.Errorf("--team storage: %+v", d.Teams)
	}
}

func TestClock(t *testing.T) {
	e := ep("h", "c", health.Critical, "t", 0)
	for _, tc := range []struct {
		age      time.Duration
		deadline time.Duration
		want     SLAState
	}{
		{time.Hour, 4 * time.Hour, SLAOK},
		{3*time.Hour - time.Second, 4 * time.Hour, SLAOK},
		{3 * time.Hour, 4 * time.Hour, SLANear},
		{4*time.Hour - time.Second, 4 * time.Hour, SLANear},
		{4 * time.Hour, 4 * time.Hour, SLABreached},
	} {
		got := Clock(e, tc.deadline, now.Add(tc.age))
		if got == nil || got.State != tc.want {
			t.Errorf("%v of %v: %+v, want %s", tc.age, tc.deadline, got, tc.want)
		}
	}
	if Clock(e, 0, now) != nil {
		t.Error("no deadline gives a clock")
	}
	if Clock(ended(e, state.EndFixed, 0), time.Hour, now) != nil {
		t.Error("a resolved episode has a clock")
	}
}

func TestGolden(t *testing.T) {
	goldenDigest(t, "digest", Make(fixture()))

	var empty bytes.Buffer
	if err := JSON(&empty, Make(Input{Now: now})); err != nil {
		t.Fatal(err)
	}
	validate(t, empty.Bytes())
}

func TestHistoryGolden(t *testing.T) {
	eps := []state.Episode{
		ended(worsened(ep("lb4", "memory", health.Warning, "traffic", 50*time.Hour), health.Critical, 20*time.Hour), state.EndFixed, 10*time.Hour),
		ep("lb4", state.HostCheck, health.Unreachable, "traffic", 2*time.Hour),
		ep("lb4", "disk", health.Warning, "traffic", 5*time.Hour),
	}
	eps[2].LastSeen = now.Add(-2 * time.Hour) // not seen since the host became unreachable
	h := MakeHistory("lb4", nil, eps, now)
	var text, js bytes.Buffer
	if err := WriteHistory(&text, h, "text"); err != nil {
		t.Fatal(err)
	}
	if err := WriteHistory(&js, h, "json"); err != nil {
		t.Fatal(err)
	}
	golden(t, "history.txt", text.Bytes())
	golden(t, "history.json", js.Bytes())
	schematest.Validate(t, "history-v1.json", js.Bytes())
}

// TestHistorySchemaEdges validates the history documents that the golden
// one does not show: nothing recorded, one check asked for, an episode
// that is open (no end) beside one gone, and an owner change to unowned.
func TestHistorySchemaEdges(t *testing.T) {
	disk := "disk"
	moved := worsened(ep("lb4", "disk", health.Warning, "traffic", 5*time.Hour), health.Critical, time.Hour)
	moved.Changes = append(moved.Changes, state.Change{At: now.Add(-30 * time.Minute), Status: health.Critical, Summary: "disk CRITICAL", Owner: health.Owner{Unowned: true}})
	tests := []struct {
		name  string
		check *string
		eps   []state.Episode
	}{
		{"empty", nil, nil},
		{"empty for one check", &disk, nil},
		{"open and gone", &disk, []state.Episode{
			ended(ep("lb4", "disk", health.Critical, "traffic", 30*time.Hour), state.EndGone, 20*time.Hour),
			moved,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var js bytes.Buffer
			if err := WriteHistory(&js, MakeHistory("lb4", tt.check, tt.eps, now), "json"); err != nil {
				t.Fatal(err)
			}
			schematest.Validate(t, "history-v1.json", js.Bytes())
			var got struct {
				Check    *string          `json:"check"`
				Episodes []map[string]any `json:"episodes"`
			}
			if err := json.Unmarshal(js.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Episodes == nil || len(got.Episodes) != len(tt.eps) {
				t.Fatalf("episodes = %v, want %d (an empty history is [], not null)", got.Episodes, len(tt.eps))
			}
			if (got.Check == nil) != (tt.check == nil) {
				t.Errorf("check = %v, want %v", got.Check, tt.check)
			}
			for i, e := range got.Episodes {
				_, hasEnd := e["end"]
				_, hasEnded := e["ended"]
				if open := tt.eps[i].Open(); hasEnd == open || hasEnded == open {
					t.Errorf("episode %d: open %v but end %v, ended %v", i, open, hasEnd, hasEnded)
				}
			}
		})
	}
}

// goldenDigest compares d as Markdown and JSON with name.md and
// name.json, and validates the JSON against the schema.
func goldenDigest(t *testing.T, name string, d Digest) {
	t.Helper()
	var md, js bytes.Buffer
	if err := Markdown(&md, d); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&js, d); err != nil {
		t.Fatal(err)
	}
	golden(t, name+".md", md.Bytes())
	golden(t, name+".json", js.Bytes())
	validate(t, js.Bytes())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got, *update)
}

func validate(t *testing.T, doc []byte) {
	t.Helper()
	schematest.Validate(t, "digest-v1.json", doc)
}
