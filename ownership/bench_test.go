package ownership

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/query"
)

// benchFleet builds an inventory of n hosts over 50 roles, 4 dcs and 200
// clusters, and an owners file of rules rules mixing role, role-and-dc,
// cluster, check-specific and null-owner rules.
func benchFleet(b *testing.B, n, rules int) (*File, *query.Env, []string) {
	b.Helper()
	hosts := make([]inventory.Host, n)
	names := make([]string, n)
	for i := range hosts {
		names[i] = fmt.Sprintf("host%06d.dc%d.example.org", i, i%4+1)
		hosts[i] = inventory.Host{Name: names[i], Labels: map[string]string{
			"role":    fmt.Sprintf("r%02d", i%50),
			"dc":      fmt.Sprintf("dc%d", i%4+1),
			"cluster": fmt.Sprintf("c%03d", i%200),
		}}
	}
	inv, err := inventory.New(hosts, map[string]string{"retired": "cluster=c199"})
	if err != nil {
		b.Fatal(err)
	}
	var src strings.Builder
	src.WriteString("fallback: triage\nsla: {critical: 4h, warning: 3d}\nteams:\n  triage: {contact: t@example.org}\n")
	for t := 0; t < 20; t++ {
		fmt.Fprintf(&src, "  team%02d: {contact: team%02d@example.org}\n", t, t)
	}
	src.WriteString("rules:\n")
	for r := 0; r < rules; r++ {
		fmt.Fprintf(&src, "  - id: rule%03d\n    owner: team%02d\n", r, r%20)
		switch r % 5 {
		case 0:
			fmt.Fprintf(&src, "    hosts: 'role=r%02d'\n", r%50)
		case 1:
			fmt.Fprintf(&src, "    hosts: 'role=r%02d and dc=dc%d'\n", (r*7)%50, r%4+1)
		case 2:
			fmt.Fprintf(&src, "    hosts: 'cluster=c%03d'\n", r%200)
		case 3:
			fmt.Fprintf(&src, "    hosts: 'role=r%02d or role=r%02d'\n    checks: [disk, 'sys*']\n", r%50, (r+1)%50)
		case 4:
			fmt.Fprintf(&src, "    hosts: 'dc=dc%d'\n    checks: [puppet]\n", r%4+1)
		}
	}
	src.WriteString("  - id: retired\n    hosts: 'A:retired'\n    owner: null\n")
	f, err := Parse("bench.yaml", []byte(src.String()))
	if err != nil {
		b.Fatal(err)
	}
	return f, &query.Env{Inventory: inv}, names
}

var benchChecks = []string{"disk", "systemd", "puppet", "load", "ntp", "memory"}

// BenchmarkOwner100kHosts200Rules is one sweep's ownership work: compile
// (every rule's query evaluated once) plus one lookup per host.
func BenchmarkOwner100kHosts200Rules(b *testing.B) {
	f, env, names := benchFleet(b, 100_000, 200)
	ctx := context.Background()
	unowned := 0
	for b.Loop() {
		m, err := f.Compile(ctx, env)
		if err != nil {
			b.Fatal(err)
		}
		unowned = 0
		for i, h := range names {
			if m.Owner(h, benchChecks[i%len(benchChecks)], checks.Critical).Unowned {
				unowned++
			}
		}
	}
	b.ReportMetric(float64(unowned), "unowned/op")
}

// BenchmarkOwnerLookup is one lookup in a compiled 100k-host, 200-rule matcher.
func BenchmarkOwnerLookup(b *testing.B) {
	f, env, names := benchFleet(b, 100_000, 200)
	m, err := f.Compile(context.Background(), env)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		m.Owner(names[i%len(names)], benchChecks[i%len(benchChecks)], checks.Critical)
		i++
	}
}
