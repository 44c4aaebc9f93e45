package adhoc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
)

// fakeRunner fails the hosts named in fail and records which hosts started.
type fakeRunner struct {
	mu      sync.Mutex
	started []string
	fail    map[string]bool
}

func (f *fakeRunner) RunHost(_ context.Context, t runner.Task) runner.HostOutput {
	f.mu.Lock()
	f.started = append(f.started, t.Host.Name)
	f.mu.Unlock()
	ho := runner.HostOutput{Host: t.Host}
	if f.fail[t.Host.Name] {
		ho.Err, ho.Kind = errors.New("refused"), runner.KindRefused
		return ho
	}
	ho.Commands = []runner.CommandOutput{{ID: "exec", Stdout: []byte("ok\n")}}
	return ho
}

func someHosts(n int) []inventory.Host {
	out := make([]inventory.Host, n)
	for i := range out {
		out[i] = inventory.Host{Name: fmt.Sprintf("h%d", i+1)}
	}
	return out
}

func TestRunStopsWhenTheThresholdIsOutOfReach(t *testing.T) {
	for _, tc := range []struct {
		name        string
		batch       int
		pct         float64
		fail        []string
		wantStarted int
	}{
		{"first fails, one at a time, 100%", 1, 100, []string{"h1"}, 1},
		{"third fails, one at a time, 100%", 1, 100, []string{"h3"}, 3},
		{"one failure allowed", 1, 80, []string{"h1", "h2"}, 2},
		{"threshold 0 runs everything", 1, 0, []string{"h1", "h2", "h3"}, 5},
		{"all healthy", 2, 100, nil, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeRunner{fail: map[string]bool{}}
			for _, h := range tc.fail {
				f.fail[h] = true
			}
			var done atomic.Int32
			res := Run(context.Background(), f, someHosts(5), "uptime", Options{Batch: tc.batch, SuccessPct: tc.pct, Done: func(report.ExecResult) { done.Add(1) }})
			if len(f.started) != tc.wantStarted || int(done.Load()) != tc.wantStarted {
				t.Errorf("started %v (done %d), want %d hosts", f.started, done.Load(), tc.wantStarted)
			}
			for i, r := range res[tc.wantStarted:] {
				if r.ErrorKind != Skipped {
					t.Errorf("host %d: %+v, want skipped", tc.wantStarted+i+1, r)
				}
			}
		})
	}
}

func TestBatchSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{{"", 256}, {"1", 1}, {"10%", 10}, {"1%", 1}, {"100%", 100}} {
		if got, err := BatchSize(tc.in, 100, 256); err != nil || got != tc.want {
			t.Errorf("BatchSize(%q) = %d, %v, want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"0", "-1", "x", "0%", "101%"} {
		if _, err := BatchSize(bad, 100, 256); err == nil {
			t.Errorf("BatchSize(%q): want an error", bad)
		}
	}
}

func TestConfirm(t *testing.T) {
	var out strings.Builder
	if err := Confirm(context.Background(), strings.NewReader("3\n"), &out, []string{"a1", "a2", "a3"}, "uptime"); err != nil {
		t.Errorf("3 hosts confirmed with 3: %v", err)
	}
	if !strings.Contains(out.String(), "a[1-3]") {
		t.Errorf("the prompt does not list the hosts folded: %q", out.String())
	}
	for _, answer := range []string{"q\n", "2\n", ""} {
		if err := Confirm(context.Background(), strings.NewReader(answer), &out, []string{"a1", "a2", "a3"}, "uptime"); err == nil {
			t.Errorf("answer %q confirmed", answer)
		}
	}
}

func TestCheckSuccessPct(t *testing.T) {
	for _, tt := range []struct {
		pct float64
		ok  bool
	}{{0, true}, {50, true}, {100, true}, {-1, false}, {100.5, false}} {
		if err := CheckSuccessPct(tt.pct); (err == nil) != tt.ok {
			t.Errorf("CheckSuccessPct(%v) = %v, want ok %v", tt.pct, err, tt.ok)
		}
	}
}
