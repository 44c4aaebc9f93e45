package digest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/state"
)

var benchChecks = []string{"disk", "load", "memory", "ntp", "puppet", "reboot", "systemd"}

// churn is the benchmark's fleet: 5% of hosts failing in sweep k, half of
// them always (alternating WARNING and CRITICAL every 10 sweeps) and half
// moving on every sweep (episodes of one sweep each).
func churn(i, k int) health.Status {
	switch {
	case i%40 == 0:
		if (k/10)%2 == 0 {
			return health.Warning
		}
		return health.Critical
	case (i+k)%40 == 1:
		return health.Critical
	}
	return health.OK
}

// BenchmarkHistory100x10k records 100 sweeps of 10,000 hosts with the 7
// default checks (5% failing and churning) once, reports the time a
// churning sweep's recording took and the file's size, then measures a
// digest of every team on that file (reading the store included).
func BenchmarkHistory100x10k(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "fleet.db")
	clock := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s, err := state.Open(ctx, path, state.Options{Now: func() time.Time { return clock }})
	if err != nil {
		b.Fatal(err)
	}
	hosts := make([]string, 10000)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("node%05d.dc1.example.org", i)
	}
	start, cpuStart := time.Now(), cpuTime(b)
	for k := range 100 {
		clock = clock.Add(time.Hour)
		r, err := s.Begin(ctx, state.SweepInfo{Query: "all", Checks: benchChecks, Hosts: hosts, Inventory: hosts, Configured: benchChecks})
		if err != nil {
			b.Fatal(err)
		}
		for i, h := range hosts {
			for j, c := range benchChecks {
				st := health.OK
				if j == i%len(benchChecks) {
					st = churn(i, k)
				}
				rec := health.Record{Result: health.Result{Host: h, Check: c, Status: st, Summary: c + " " + st.String()}}
				if st != health.OK {
					rec.Owner = &health.Owner{Team: fmt.Sprintf("team%d", i%5), Rule: "r"}
				}
				if _, err := r.Add(ctx, rec); err != nil {
					b.Fatal(err)
				}
			}
		}
		if _, err := r.Commit(ctx, state.SweepEnd{Complete: true}); err != nil {
			b.Fatal(err)
		}
	}
	perSweep := time.Since(start) / 100
	perSweepCPU := (cpuTime(b) - cpuStart) / 100
	s.Close() // checkpoints the WAL into the file
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	if s, err = state.Open(ctx, path, state.Options{}); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sla := func(string, health.Status) time.Duration { return 4 * time.Hour }
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for range b.N {
		eps, err := s.Episodes(ctx, state.EpisodeFilter{Since: clock.Add(-DefaultWindow)})
		if err != nil {
			b.Fatal(err)
		}
		d := Make(Input{Episodes: eps, Now: clock, SLA: sla, Since: func(string) time.Time { return clock.Add(-DefaultWindow) }})
		if len(d.Teams) != 5 {
			b.Fatalf("%d teams in the digest, want 5", len(d.Teams))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime(b)-cpu0).Milliseconds())/float64(b.N), "cpu-ms/digest")
	b.ReportMetric(float64(fi.Size())/1e6, "MB-file")
	b.ReportMetric(float64(perSweep.Milliseconds()), "ms/recorded-sweep")
	b.ReportMetric(float64(perSweepCPU.Milliseconds()), "cpu-ms/recorded-sweep")
}

// cpuTime is the process's user plus system CPU time so far: the machine
// is shared, so wall time alone says little.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
