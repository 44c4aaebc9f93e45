package demo

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/fleetcheck/fleetcheck/runner"
)

// Every sample must still evaluate to the status its name promises with
// the check as it is now: a check whose output format changed without
// `go generate ./internal/demo` fails here, not in a confusing demo.
func TestSamplesEvaluateToTheirStatus(t *testing.T) {
	samples, err := Samples()
	if err != nil {
		t.Fatal(err)
	}
	reg := checks.Builtins()
	for _, name := range reg.Defaults() {
		if len(samples[name]) == 0 {
			t.Errorf("default check %s has no demo samples: add it to samples.sh", name)
		}
	}
	for check, list := range samples {
		ck, err := reg.New(check, check, checks.Params{})
		if err != nil {
			t.Fatalf("%s: %v", check, err)
		}
		for _, s := range list {
			got := ck.Evaluate(checks.Output{Stdout: []byte(s.Stdout), ExitCode: s.Exit, Now: time.Unix(0, 0)})
			if got.Status != s.Status {
				t.Errorf("%s/%s: status %s, file name says %s (summary %q)", check, s.Case, got.Status, s.Status, got.Summary)
			}
		}
	}
}

func TestWorldIsDeterministicAndMixed(t *testing.T) {
	samples, err := Samples()
	if err != nil {
		t.Fatal(err)
	}
	a, err := World(samples, HealthyShare, true)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := World(samples, HealthyShare, true)
	if len(a) < 200 {
		t.Fatalf("demo world has %d hosts, want at least 200", len(a))
	}
	counts := map[checks.Status]int{}
	faulty := 0
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Fault != b[i].Fault {
			t.Fatalf("host %d differs between two builds", i)
		}
		for c, s := range a[i].States {
			if b[i].States[c].Case != s.Case {
				t.Fatalf("%s/%s: sample differs between two builds", a[i].Name, c)
			}
			counts[s.Status]++
		}
		if a[i].Fault != fleetsim.FaultNone {
			faulty++
		}
	}
	if faulty != len(faults) {
		t.Errorf("%d faulty hosts, want %d", faulty, len(faults))
	}
	total := counts[checks.OK] + counts[checks.Warning] + counts[checks.Critical] + counts[checks.Unknown]
	if ok := float64(counts[checks.OK]) / float64(total); ok < HealthyShare-0.05 || ok > HealthyShare+0.03 {
		t.Errorf("share of OK host/checks = %.2f, want about %.2f", ok, HealthyShare)
	}
	for _, s := range []checks.Status{checks.Warning, checks.Critical} {
		if counts[s] == 0 {
			t.Errorf("no %s host/check in the demo world", s)
		}
	}
}

func TestDemoCommandHelpers(t *testing.T) {
	samples, err := Samples()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		healthy    bool
		wantFaults bool
	}{{true, false}, {false, true}} {
		hosts, err := WorldOf(tt.healthy)(samples)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := World(samples, map[bool]float64{true: 1, false: HealthyShare}[tt.healthy], tt.wantFaults)
		if !reflect.DeepEqual(hosts, want) {
			t.Errorf("WorldOf(%v) differs from World with its share and faults", tt.healthy)
		}
	}
	reg := checks.Builtins()
	var cks []checks.Check
	for _, name := range []string{"disk", "load"} {
		ck, err := reg.New(name, name, nil)
		if err != nil {
			t.Fatal(err)
		}
		cks = append(cks, ck)
	}
	d := &Fleet{Checks: cks, Runner: runner.Config{DefaultUser: "demo"}}
	sc, names := d.SweepChecks()
	if len(sc) != 2 || sc[1].Check != cks[1] || !reflect.DeepEqual(names, []string{"disk", "load"}) {
		t.Errorf("SweepChecks = %v, %v", sc, names)
	}
	rc := d.RunnerConfig(7, time.Second, 2*time.Second)
	if rc.DefaultUser != "demo" || rc.Fanout != 7 || rc.HostTimeout != time.Second || rc.ConnectTimeout != 2*time.Second || d.Runner.Fanout != 0 {
		t.Errorf("RunnerConfig = %+v (fleet's %+v)", rc, d.Runner)
	}
}

func TestServeOptionsCheck(t *testing.T) {
	tests := []struct {
		o    ServeOptions
		want string // "" valid
	}{
		{ServeOptions{Hosts: 1, Healthy: 1}, ""},
		{ServeOptions{Hosts: 1000, Healthy: 0}, ""},
		{ServeOptions{Hosts: 0, Healthy: 1}, "--hosts: expected at least 1, found 0"},
		{ServeOptions{Hosts: 5, Healthy: 1.5}, "--healthy: expected a share from 0 to 1, found 1.5"},
		{ServeOptions{Hosts: 5, Healthy: -0.1}, "--healthy"},
	}
	for _, tt := range tests {
		err := tt.o.Check()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Check(%+v) = %v, want %q", tt.o, err, tt.want)
		}
	}
}
