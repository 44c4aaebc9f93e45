package query

import (
	"context"
	"fmt"
	"testing"

	"github.com/fleetcheck/fleetcheck/inventory"
)

// benchInventory builds n hosts over 4 roles, 5 dcs and 100 clusters.
func benchInventory(b *testing.B, n int) *inventory.Inventory {
	b.Helper()
	roles := []string{"web", "cache", "db", "lb"}
	hosts := make([]inventory.Host, n)
	for i := range hosts {
		role, dc := roles[i%4], fmt.Sprintf("dc%d", i%5+1)
		hosts[i] = inventory.Host{
			Name:   fmt.Sprintf("%s%06d.%s.example.org", role, i, dc),
			Labels: map[string]string{"role": role, "dc": dc, "cluster": fmt.Sprintf("c%d", i%100)},
		}
	}
	inv, err := inventory.New(hosts, map[string]string{"canaries": "web000000.dc1.example.org or cache000001.dc2.example.org"})
	if err != nil {
		b.Fatal(err)
	}
	return inv
}

// benchQuery has 10 clauses: labels (=, !=, ~), a glob, a node set, an
// alias, with parentheses and every operator.
const benchQuery = "role=web and dc=dc1 or role=cache and not cluster=c7 xor dc~^dc[23]$ or " +
	"web00*.dc2* and not (role=db or cluster!=c1) or A:canaries or web[000100-000200].dc1.example.org"

func BenchmarkEval10Clauses100k(b *testing.B) {
	env := &Env{Inventory: benchInventory(b, 100_000)}
	e, err := Parse(benchQuery)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for b.Loop() {
		hosts, err := Eval(ctx, env, e)
		if err != nil {
			b.Fatal(err)
		}
		n = len(hosts)
	}
	b.ReportMetric(float64(n), "hosts")
}

func BenchmarkEvaluatorReuse100k(b *testing.B) {
	env := &Env{Inventory: benchInventory(b, 100_000)}
	ev, err := NewEvaluator(env)
	if err != nil {
		b.Fatal(err)
	}
	e, err := Parse(benchQuery)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ev.Eval(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse10Clauses(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchQueryResult(t *testing.T) {
	// The benchmark query selects what the left-to-right reading says, on a
	// small inventory checked host by host.
	inv := benchInventory(&testing.B{}, 1000)
	got, err := Select(context.Background(), &Env{Inventory: inv}, benchQuery)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, h := range inv.Hosts {
		l := h.Labels
		in := l["role"] == "web" && l["dc"] == "dc1"
		in = in || l["role"] == "cache"
		in = in && l["cluster"] != "c7"
		in = in != (l["dc"] == "dc2" || l["dc"] == "dc3")
		in = in || globMatch("web00*.dc2*", h.Name)
		in = in && !(l["role"] == "db" || l["cluster"] != "c1")
		in = in || h.Name == "web000000.dc1.example.org" || h.Name == "cache000001.dc2.example.org"
		var num int
		if _, err := fmt.Sscanf(h.Name, "web%06d.dc1.example.org", &num); err == nil && num >= 100 && num <= 200 {
			in = true
		}
		want[h.Name] = in
	}
	n := 0
	for _, w := range want {
		if w {
			n++
		}
	}
	if len(got) != n {
		t.Fatalf("got %d hosts, want %d", len(got), n)
	}
	for _, h := range got {
		if !want[h.Name] {
			t.Errorf("%s selected, should not be", h.Name)
		}
	}
}
