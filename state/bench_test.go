package state

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/fleetcheck/fleetcheck/health"
)

// benchChecks are the default checks' names (7 results a host).
var benchChecks = []string{"disk", "load", "memory", "ntp", "puppet", "reboot", "systemd"}

func benchHosts(n int) []string {
	hosts := make([]string, n)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("node%05d.dc1.example.org", i)
	}
	return hosts
}

// recordBench records one sweep of hosts: failing(i, k) gives host i's
// status on its check i%7 in sweep k (every other check is OK).
func recordBench(b *testing.B, s Store, hosts []string, k int, failing func(i, k int) health.Status) {
	ctx := context.Background()
	r, err := s.Begin(ctx, SweepInfo{Query: "all", Checks: benchChecks, Hosts: hosts, Inventory: hosts, Configured: benchChecks})
	if err != nil {
		b.Fatal(err)
	}
	for i, h := range hosts {
		for j, c := range benchChecks {
			st := health.OK
			if j == i%len(benchChecks) {
				st = failing(i, k)
			}
			rec := health.Record{Result: health.Result{Host: h, Check: c, Status: st, Summary: c + " " + st.String()}}
			if st != health.OK {
				rec.Owner = &health.Owner{Team: "team" + fmt.Sprint(i%5), Rule: "r"}
			}
			if _, err := r.Add(ctx, rec); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := r.Commit(ctx, SweepEnd{Complete: true}); err != nil {
		b.Fatal(err)
	}
}

// storeSize is the store's size: the file once its WAL is checkpointed,
// or the PostgreSQL database's.
func storeSize(b *testing.B, s *DB) int64 {
	ctx := context.Background()
	if _, pg := s.d.(postgresDialect); pg {
		var n int64
		if err := s.db.QueryRowContext(ctx, "SELECT pg_database_size(current_database())").Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// benchBackends runs f as a sub-benchmark per backend, on a fresh store.
func benchBackends(b *testing.B, f func(b *testing.B, s *DB)) {
	for _, be := range []struct {
		name  string
		fresh func(b *testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return filepath.Join(b.TempDir(), "fleet.db") }},
		{"postgres", func(b *testing.B) string { return sharedPG.Database(b) }},
	} {
		b.Run(be.name, func(b *testing.B) {
			s, err := OpenAny(context.Background(), be.fresh(b), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			f(b, s)
		})
	}
}

// BenchmarkRecordHealthy10k records healthy sweeps of 10,000 hosts with
// the 7 default checks (70,000 results each) into a store that already
// holds a history: the time a sweep's recording costs, and the bytes a
// healthy sweep adds to the store. On SQLite and PostgreSQL.
func BenchmarkRecordHealthy10k(b *testing.B) {
	benchBackends(b, func(b *testing.B, s *DB) {
		hosts := benchHosts(10000)
		churn := func(i, k int) health.Status {
			if (i+k)%20 == 0 {
				return health.Critical
			}
			return health.OK
		}
		healthy := func(int, int) health.Status { return health.OK }
		for k := range 5 {
			recordBench(b, s, hosts, k, churn)
		}
		recordBench(b, s, hosts, 5, healthy) // resolves what was open
		before := storeSize(b, s)
		b.ResetTimer()
		for k := 0; k < b.N; k++ {
			recordBench(b, s, hosts, k, healthy)
		}
		b.StopTimer()
		b.ReportMetric(float64(storeSize(b, s)-before)/float64(b.N), "B/sweep")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/70000, "ns/result")
	})
}

// BenchmarkRecordChurn10k records churning sweeps of 10,000 hosts: 5% of
// the hosts fail, half of them persistently (flipping WARNING/CRITICAL
// every 10 sweeps), half new every sweep (the previous ones fixed): the
// per-failure statements' cost. On SQLite and PostgreSQL.
func BenchmarkRecordChurn10k(b *testing.B) {
	benchBackends(b, func(b *testing.B, s *DB) {
		hosts := benchHosts(10000)
		churn := func(i, k int) health.Status {
			switch {
			case i%40 == 0:
				if (k/10)%2 == 0 {
					return health.Warning
				}
				return health.Critical
			case (i+k)%40 == 20:
				return health.Critical
			}
			return health.OK
		}
		recordBench(b, s, hosts, 0, churn)
		b.ResetTimer()
		for k := 1; k <= b.N; k++ {
			recordBench(b, s, hosts, k, churn)
		}
		b.StopTimer()
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/70000, "ns/result")
	})
}
