package sweep

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/inventory"
)

// Shard is this runner's share of the hosts: shard Index of Count
// (0 ≤ Index < Count), chosen by a hash of the host name so that a host
// stays in the same shard across runs whatever else the inventory holds.
type Shard struct {
	Index, Count int
}

// ParseShard parses "I/N" with 0 ≤ I < N, as a Kubernetes Indexed Job's
// completion index would give it.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	idx, err1 := strconv.Atoi(i)
	cnt, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || cnt < 1 || idx < 0 || idx >= cnt {
		return Shard{}, fmt.Errorf("bad shard: expected I/N with 0 <= I < N, such as 0/4, found %q", s)
	}
	return Shard{Index: idx, Count: cnt}, nil
}

// Holds reports whether the named host belongs to this shard.
func (s Shard) Holds(name string) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()%uint64(s.Count) == uint64(s.Index)
}

// Health is the shard as the sweep document records it; nil when the
// shard is the whole fleet (Count 1 or less), whose document names no shard.
func (s Shard) Health() *health.Shard {
	if s.Count <= 1 {
		return nil
	}
	return &health.Shard{Index: s.Index, Count: s.Count}
}

// Filter keeps the hosts of this shard, in order.
func (s Shard) Filter(hosts []inventory.Host) []inventory.Host {
	if s.Count <= 1 {
		return hosts
	}
	out := make([]inventory.Host, 0, len(hosts)/s.Count+1)
	for _, h := range hosts {
		if s.Holds(h.Name) {
			out = append(out, h)
		}
	}
	return out
}
