package sweep

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fleetcheck/fleetcheck/inventory"
)

// randomFleet makes n distinct host names of mixed shapes: FQDNs,
// short names, numbered ranges, IPs and odd bytes.
func randomFleet(rng *rand.Rand, n int) []inventory.Host {
	shapes := []func() string{
		func() string { return fmt.Sprintf("web%05d.dc%d.example.org", rng.IntN(100000), rng.IntN(9)) },
		func() string { return fmt.Sprintf("db-%x", rng.Uint64()) },
		func() string { return fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256)) },
		func() string {
			b := make([]byte, 1+rng.IntN(12))
			for i := range b {
				b[i] = byte(33 + rng.IntN(94))
			}
			return string(b)
		},
	}
	seen := map[string]bool{}
	hosts := make([]inventory.Host, 0, n)
	for len(hosts) < n {
		name := shapes[rng.IntN(len(shapes))]()
		if !seen[name] {
			seen[name] = true
			hosts = append(hosts, inventory.Host{Name: name})
		}
	}
	return hosts
}

// Over random fleets and shard counts, the shards are disjoint and cover
// the fleet, each Filter keeps the inventory's order, and a host keeps its
// shard when others come and go.
func TestShardsPartitionRandomFleets(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 2026))
	for round := range 200 {
		hosts := randomFleet(rng, rng.IntN(400))
		count := 1 + rng.IntN(12)
		owner := map[string]int{}
		for i := range count {
			sh := Shard{Index: i, Count: count}
			part := sh.Filter(hosts)
			for j, h := range part {
				if prev, ok := owner[h.Name]; ok {
					t.Fatalf("round %d: %q in shards %d and %d of %d", round, h.Name, prev, i, count)
				}
				owner[h.Name] = i
				if j > 0 && indexOf(hosts, h.Name) < indexOf(hosts, part[j-1].Name) {
					t.Fatalf("round %d: shard %d/%d reorders the inventory", round, i, count)
				}
			}
		}
		if len(owner) != len(hosts) {
			t.Fatalf("round %d: %d shards cover %d of %d hosts", round, count, len(owner), len(hosts))
		}
		// Hosts come and go: drop some, add new ones.
		var changed []inventory.Host
		for _, h := range hosts {
			if rng.IntN(3) > 0 {
				changed = append(changed, h)
			}
		}
		changed = append(changed, randomFleet(rng, rng.IntN(100))...)
		for i := range count {
			for _, h := range (Shard{Index: i, Count: count}).Filter(changed) {
				if was, ok := owner[h.Name]; ok && was != i {
					t.Fatalf("round %d: %q moved from shard %d to %d of %d when the fleet changed", round, h.Name, was, i, count)
				}
			}
		}
	}
}

// indexOf is the position of the named host in hosts, -1 when absent.
func indexOf(hosts []inventory.Host, name string) int {
	for i, h := range hosts {
		if h.Name == name {
			return i
		}
	}
	return -1
}

// A shard of one is the whole fleet and names no shard in its document.
func TestShardHealth(t *testing.T) {
	if got := (Shard{Index: 0, Count: 1}).Health(); got != nil {
		t.Errorf("0/1 records shard %v, want none", got)
	}
	if got := (Shard{Index: 2, Count: 3}).Health(); got == nil || got.Index != 2 || got.Count != 3 {
		t.Errorf("2/3 records %v", got)
	}
}
