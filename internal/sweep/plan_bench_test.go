package sweep

import (
	"fmt"
	"testing"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/inventory"
)

// BenchmarkPlan plans 10,000 hosts with the default checks.
func BenchmarkPlan(b *testing.B) {
	reg := checks.Builtins()
	var cks []Check
	for _, n := range reg.Defaults() {
		ck, err := reg.New(n, n, checks.Params{})
		if err != nil {
			b.Fatal(err)
		}
		cks = append(cks, Check{Check: ck})
	}
	hosts := make([]inventory.Host, 10_000)
	for i := range hosts {
		hosts[i] = inventory.Host{Name: fmt.Sprintf("node%05d.sim.example.org", i)}
	}
	b.ReportAllocs()
	for b.Loop() {
		if tasks := Plan(hosts, cks); len(tasks) != len(hosts) || len(tasks[0].Commands) != len(cks) {
			b.Fatalf("%d tasks", len(tasks))
		}
	}
}
