package state

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
)

// shardFleet is the script of TestShardsRecordAtOnce: 240 hosts, two
// checks, rounds in which episodes open, worsen, resolve, hosts go
// unreachable and come back, and from round 4 on 40 hosts leave the
// inventory (every shard's sweep sees them gone: one must end them).
type shardFleet struct {
	hosts  []string
	checks []string
}

func newShardFleet() shardFleet {
	f := shardFleet{checks: []string{"disk", "puppet"}}
	for i := range 240 {
		f.hosts = append(f.hosts, fmt.Sprintf("h%03d", i))
	}
	return f
}

// inventory is the hosts in the inventory in round k.
func (f shardFleet) inventory(k int) []string {
	if k < 4 {
		return f.hosts
	}
	return f.hosts[:200]
}

// shard is the hosts of shard i of n in round k.
func (f shardFleet) shard(k, i, n int) []string {
	var out []string
	for j, h := range f.inventory(k) {
		if j%n == i {
			out = append(out, h)
		}
	}
	return out
}

// results are what round k sees of hosts.
func (f shardFleet) results(k int, hosts []string) []health.Record {
	var out []health.Record
	for _, h := range hosts {
		var i int
		fmt.Sscanf(h, "h%d", &i)
		if (i+k)%11 == 0 {
			for _, c := range f.checks {
				out = append(out, res(h, c, health.Unreachable, ""))
			}
			continue
		}
		disk := health.OK
		switch {
		case (i+k)%7 == 0:
			disk = health.Critical
		case (i+k)%7 == 1 && i%2 == 0:
			disk = health.Warning
		}
		puppet := health.OK
		if i%10 == 0 {
			puppet = health.Warning
			if k%2 == 1 {
				puppet = health.Critical
			}
		}
		out = append(out, res(h, "disk", disk, "infra"), res(h, "puppet", puppet, "web"))
	}
	return out
}

// recordShard records round k of shard i of n into s.
func (f shardFleet) recordShard(ctx context.Context, s Store, k, i, n int) (Sweep, error) {
	hosts := f.shard(k, i, n)
	r, err := s.Begin(ctx, SweepInfo{Query: "all", Checks: f.checks, Hosts: hosts, Shard: &Shard{Index: i, Count: n},
		Inventory: f.inventory(k), Configured: f.checks})
	if err != nil {
		return Sweep{}, err
	}
	for _, rec := range f.results(k, hosts) {
		if _, err := r.Add(ctx, rec); err != nil {
			r.Abort()
			return Sweep{}, err
		}
	}
	return r.Commit(ctx, SweepEnd{Complete: true})
}

// TestShardsRecordAtOnce: three shards record each round at the same time
// into one PostgreSQL database, each through its own store (as three
// processes would); the history equals the one the same shards make
// recording one after the other into SQLite, episode for episode, and the
// sweeps' counts add up to the episodes: nothing lost, nothing twice.
func TestShardsRecordAtOnce(t *testing.T) {
	const rounds, n = 6, 3
	ctx := context.Background()
	fleet := newShardFleet()
	var now atomic.Int64 // the round's time: all shards of a round see one clock
	clk := func() time.Time { return time.UnixMilli(now.Load()).UTC() }
	where := sharedPG.Database(t)
	stores := make([]*DB, n)
	for i := range stores {
		s, err := OpenPostgres(ctx, where, Options{Now: clk})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	var parallel []Sweep
	for k := range rounds {
		now.Store(t0.Add(time.Duration(k) * time.Hour).UnixMilli())
		var wg sync.WaitGroup
		start := make(chan struct{})
		got := make([]Sweep, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got[i], errs[i] = fleet.recordShard(ctx, stores[i], k, i, n)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d shard %d: %v", k, i, err)
			}
		}
		parallel = append(parallel, got...)
	}

	seq := openTest(t, backends[0].fresh(t), &clock{})
	seq.opt.Now = clk
	var sequential []Sweep
	for k := range rounds {
		now.Store(t0.Add(time.Duration(k) * time.Hour).UnixMilli())
		for i := range n {
			sw, err := fleet.recordShard(ctx, seq, k, i, n)
			if err != nil {
				t.Fatal(err)
			}
			sequential = append(sequential, sw)
		}
	}

	pg := stores[0]
	want, got := historyLines(t, seq), historyLines(t, pg)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("history of the shards recorded at once differs from one after the other:\n got %d episodes\nwant %d", len(got), len(want))
		for _, l := range got {
			if !slices.Contains(want, l) {
				t.Errorf("  only at once: %s", l)
			}
		}
		for _, l := range want {
			if !slices.Contains(got, l) {
				t.Errorf("  only one after the other: %s", l)
			}
		}
	}
	total := func(sweeps []Sweep) Counts {
		var c Counts
		for _, sw := range sweeps {
			o := sw.Counts
			c.Results += o.Results
			c.Opened += o.Opened
			c.Fixed += o.Fixed
			c.Gone += o.Gone
			c.Worsened += o.Worsened
			c.Improved += o.Improved
		}
		return c
	}
	if tp, ts := total(parallel), total(sequential); tp != ts {
		t.Errorf("counts at once %+v, one after the other %+v", tp, ts)
	}
	eps, err := pg.Episodes(ctx, EpisodeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ended := 0
	for _, e := range eps {
		if !e.Open() {
			ended++
		}
	}
	tp := total(parallel)
	results := 0
	for k := range rounds {
		results += len(fleet.inventory(k)) * len(fleet.checks)
	}
	if tp.Opened != len(eps) || tp.Fixed+tp.Gone != ended || tp.Results != results {
		t.Errorf("sweeps counted %d opened, %d ended, %d results; the store holds %d episodes, %d ended; the fleet gave %d results",
			tp.Opened, tp.Fixed+tp.Gone, tp.Results, len(eps), ended, results)
	}
	if tp.Opened < 100 || tp.Fixed < 50 || tp.Gone < 5 {
		t.Errorf("the script made only %d episodes, %d fixed, %d gone: too few to test anything", tp.Opened, tp.Fixed, tp.Gone)
	}
	sweeps, err := pg.Sweeps(ctx, 0)
	if err != nil || len(sweeps) != rounds*n {
		t.Fatalf("%d sweeps stored, want %d: %v", len(sweeps), rounds*n, err)
	}
	checkIntegrity(t, pg)
}
