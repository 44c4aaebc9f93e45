package triage

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	goldenfile "github.com/fleetcheck/fleetcheck/internal/golden"
	"github.com/fleetcheck/fleetcheck/internal/schematest"
	"github.com/fleetcheck/fleetcheck/state"
	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type weekClock struct{ t time.Time }

func (c *weekClock) now() time.Time { return c.t }

// demoEnv writes the demo fleet's inventory and owners file (with slo:
// added) and loads them as a command would.
func demoEnv(t *testing.T) (*fleetenv.Env, []demo.Host) {
	t.Helper()
	samples, err := demo.Samples()
	if err != nil {
		t.Fatal(err)
	}
	hosts, err := demo.World(samples, demo.HealthyShare, true)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	type invHost struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels,omitempty"`
	}
	var inv struct {
		Hosts []invHost `yaml:"hosts"`
	}
	for _, h := range hosts {
		inv.Hosts = append(inv.Hosts, invHost{Name: h.Name, Labels: h.Labels})
	}
	data, err := yaml.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	invPath, ownersPath := filepath.Join(dir, "inventory.yaml"), filepath.Join(dir, "owners.yaml")
	owners := strings.Replace(string(demo.OwnersYAML()), "\nteams:\n", "\nslo: 99.5%\nteams:\n", 1)
	owners = strings.Replace(owners, "escalation: [oncall-traffic, traffic-leads], ", "escalation: [oncall-traffic, traffic-leads], slo: 99.9%, ", 1)
	if err := os.WriteFile(invPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ownersPath, []byte(owners), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := fleetenv.Load(fleetenv.Inputs{Inventory: []string{invPath}, Owners: ownersPath},
		func(string) string { return "" }, dir)
	if err != nil {
		t.Fatal(err)
	}
	return e, hosts
}

// TestScriptedWeek drives a week of two-hourly sweeps of the demo fleet
// through a real store on its clock, with a maintenance window, an
// acknowledgement (and one that worsens), a flapping check and fixes, and
// writes the digest and budget at the end (testdata/week_*: the closing
// note's sample).
func TestScriptedWeek(t *testing.T) {
	if testing.Short() {
		t.Skip("a week of sweeps")
	}
	ctx := context.Background()
	e, hosts := demoEnv(t)
	file, matcher, err := e.Owners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // a Monday
	c := &weekClock{t: t0}
	store, err := state.Open(ctx, filepath.Join(t.TempDir(), "fleet.db"), state.Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	checkNames := []string{"certs", "disk", "load", "memory", "ntp", "puppet", "systemd"}
	var names []string
	for _, h := range hosts {
		names = append(names, h.Name)
	}
	fixedWeb := map[string]bool{}
	status := func(h demo.Host, check string, at time.Duration) (health.Status, string) {
		if h.Fault != fleetsim.FaultNone && h.Fault != fleetsim.FaultSlow {
			return health.Unreachable, "connection refused"
		}
		day := at / (24 * time.Hour)
		switch {
		// db01-06 fail their disk check during Wednesday's window (06-10),
		// db01 still failing after it.
		case strings.HasPrefix(h.Name, "db0") && h.Name <= "db06.dc1.example.org" && check == "disk" &&
			at >= 2*24*time.Hour+6*time.Hour && (at < 2*24*time.Hour+10*time.Hour || h.Name == "db01.dc1.example.org"):
			return health.Critical, "/var/lib/postgresql 97% used (CRITICAL)"
		// lb01's load flaps every other sweep on the last day.
		case h.Name == "lb01.dc1.example.org" && check == "load" && day == 6:
			if (at/(2*time.Hour))%2 == 0 {
				return health.Critical, "load5 per CPU 4.18 (66.93 on 16 CPUs) ≥ 4"
			}
			return health.OK, "load5 per CPU 0.41"
		// cache005.dc1's ntp: WARNING, worsens to CRITICAL on Saturday.
		case h.Name == "cache005.dc1.example.org" && check == "ntp" && day >= 3:
			if day >= 5 {
				return health.Critical, "clock offset 2.4s ≥ 1s"
			}
			return health.Warning, "clock offset 140ms ≥ 100ms"
		}
		if fixedWeb[h.Name] {
			return health.OK, "fixed"
		}
		s := h.States[check]
		return health.Status(s.Status), check + " " + s.Case
	}
	sweep := func(at time.Duration) {
		c.t = t0.Add(at)
		r, err := store.Begin(ctx, state.SweepInfo{Query: "all", Checks: checkNames, Hosts: names, Inventory: names, Configured: checkNames})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hosts {
			for _, ch := range checkNames {
				st, summary := status(h, ch, at)
				rec := health.Record{Result: health.Result{Host: h.Name, Check: ch, Status: st, Summary: summary}}
				if st == health.Unreachable {
					rec.ErrorKind = "refused"
				}
				o := matcher.Owner(h.Name, ch, checks.Status(st))
				rec.Owner = &o
				if _, err := r.Add(ctx, rec); err != nil {
					t.Fatal(err)
				}
			}
		}
		c.t = t0.Add(at + 30*time.Second)
		if _, err := r.Commit(ctx, state.SweepEnd{Complete: true}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	step := 2 * time.Hour
	for at := time.Duration(0); at < 7*24*time.Hour; at += step {
		switch at {
		case 2*24*time.Hour + 4*time.Hour: // Wednesday 04:00: plan the db window for 06:00-08:00
			c.t = t0.Add(at)
			o := MaintenanceOptions{Query: "db[01-06].dc1.example.org", For: 2 * time.Hour, Start: t0.Add(at + 2*time.Hour), Reason: "disk resize", By: "dba", Now: c.t}
			if err := AddMaintenance(ctx, e, store, o, &out); err != nil {
				t.Fatal(err)
			}
		case 4 * 24 * time.Hour: // Friday: the traffic team acknowledges two failures
			c.t = t0.Add(at)
			for _, a := range []AckOptions{
				{Query: "cache005.dc1.example.org", Check: "ntp", Reason: "NET-1234 chrony upstream", By: "alice", For: 5 * 24 * time.Hour},
				{Query: ackTarget(t, store, "traffic", "cache005.dc1.example.org"), Check: "", Reason: "OPS-88 replace PSU", By: "bob", For: 4 * 24 * time.Hour},
			} {
				if a.Check == "" {
					a.Query, a.Check, _ = strings.Cut(a.Query, " ")
				}
				if err := Ack(ctx, e, store, a, &out); err != nil {
					t.Fatal(err)
				}
			}
		case 6*24*time.Hour + 12*time.Hour: // Sunday noon: half the web hosts of dc1 are fixed
			for _, h := range hosts {
				if strings.HasPrefix(h.Name, "web00") && strings.HasSuffix(h.Name, "dc1.example.org") && h.Name[6]%2 == 0 {
					fixedWeb[h.Name] = true
				}
			}
		case 6*24*time.Hour + 20*time.Hour: // Sunday 20:00: CI hosts in maintenance for 4 hours
			c.t = t0.Add(at)
			o := MaintenanceOptions{Query: "role=ci", For: 4 * time.Hour, Reason: "runner image rollout", By: "releng", Now: c.t}
			if err := AddMaintenance(ctx, e, store, o, &out); err != nil {
				t.Fatal(err)
			}
		}
		sweep(at)
	}
	now := t0.Add(7*24*time.Hour - time.Hour) // Sunday 23:00, an hour after the last sweep
	c.t = now
	in, err := digest.ReadInput(ctx, store, file, "", 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := AddBudgets(ctx, &in, store, Owners{File: file, Matcher: matcher}); err != nil {
		t.Fatal(err)
	}
	sweeps, _ := store.Sweeps(ctx, 1)
	in.Sweep = &sweeps[0]
	d := digest.Make(in)
	if got, err := Digest(ctx, store, Owners{File: file, Matcher: matcher}, "", 0, nil, now); err != nil || !reflect.DeepEqual(got, d) {
		t.Errorf("Digest (newest sweep) differs from ReadInput, AddBudgets and Make: %v", err)
	}
	var md bytes.Buffer
	if err := digest.Markdown(&md, d); err != nil {
		t.Fatal(err)
	}
	budgets, err := Budgets(ctx, store, Owners{File: file, Matcher: matcher}, "", 7*24*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := WriteBudgets(&table, budgets, "table"); err != nil {
		t.Fatal(err)
	}
	var budgetJSON bytes.Buffer
	if err := WriteBudgets(&budgetJSON, budgets, "json"); err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, "budget-v1.json", budgetJSON.Bytes())
	for _, want := range []string{"### Acknowledged", "OPS-88", "### Flapping", "**flapping ×", "### In maintenance (not notified)",
		"runner image rollout", "Error budget (30d, SLO 99.9%)", "Error budget (30d, SLO 99.5%)"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("digest lacks %q", want)
		}
	}
	// cache005's ntp worsened on Saturday after its ack: news again, not acknowledged.
	for _, tm := range d.Teams {
		for _, g := range tm.Acknowledged {
			if g.Check == "ntp" && strings.Contains(g.Hosts, "cache005.dc1") {
				t.Errorf("cache005's ntp is still acknowledged after worsening: %+v", g)
			}
		}
	}
	if i := slices.IndexFunc(budgets, func(b digest.Budget) bool { return b.Team == "data-persistence" }); i < 0 || budgets[i].Maintenance == 0 {
		t.Errorf("data-persistence's budget excludes no maintenance: %+v", budgets)
	}
	// The history is shorter than both windows: the digest's 30-day
	// budgets are the 7-day table's.
	for _, tm := range d.Teams {
		i := slices.IndexFunc(budgets, func(b digest.Budget) bool { return b.Team == tm.Team })
		if tm.Budget == nil || i < 0 || tm.Budget.Total != budgets[i].Total || tm.Budget.Failing != budgets[i].Failing {
			t.Errorf("%s: digest budget %+v, budget command %+v", tm.Team, tm.Budget, budgets[max(i, 0)])
		}
	}
	golden(t, "week_digest.md", md.Bytes())
	golden(t, "week_budget.txt", append([]byte(fmt.Sprintf("$ fleetcheck budget --window 7d   # at %s\n", now.Format(time.RFC3339))), table.Bytes()...))
}

// ackTarget is "HOST CHECK" of one open failure of team's (not on skip):
// the first by host and check, so that the script is deterministic.
func ackTarget(t *testing.T, store state.Store, team, skip string) string {
	t.Helper()
	eps, err := store.Episodes(context.Background(), state.EpisodeFilter{Team: team, OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(eps, func(a, b state.Episode) int {
		return strings.Compare(a.Host+"/"+a.Check, b.Host+"/"+b.Check)
	})
	for _, e := range eps {
		if e.Host != skip && e.Check != state.HostCheck && e.Status != health.Unreachable {
			return e.Host + " " + e.Check
		}
	}
	t.Fatalf("no open failure of %s to acknowledge", team)
	return ""
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got, *update)
}
