package ownership

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/query"
)

// testHosts is the inventory the matching, explain and lint tests use.
var testHosts = []struct{ name, role, dc string }{
	{"web0001.dc1.example.org", "web", "dc1"},
	{"web0002.dc1.example.org", "web", "dc1"},
	{"web0001.dc2.example.org", "web", "dc2"},
	{"cache0001.dc1.example.org", "cache", "dc1"},
	{"cache0001.dc2.example.org", "cache", "dc2"},
	{"db0001.dc1.example.org", "db", "dc1"},
	{"misc0001.dc1.example.org", "misc", "dc1"},
	{"old0001.dc1.example.org", "old", "dc1"},
}

// testEnv builds the query environment of testHosts with its aliases.
func testEnv(t testing.TB) *query.Env {
	t.Helper()
	hosts := make([]inventory.Host, len(testHosts))
	for i, h := range testHosts {
		hosts[i] = inventory.Host{Name: h.name, Labels: map[string]string{"role": h.role, "dc": h.dc}, Source: "test"}
	}
	inv, err := inventory.New(hosts, map[string]string{
		"canaries":        "web0001.dc1.example.org",
		"decommissioning": "role=old",
	})
	if err != nil {
		t.Fatal(err)
	}
	return &query.Env{Inventory: inv}
}

// testMatcher loads testdata/owners.yaml and compiles it against testEnv.
func testMatcher(t testing.TB) *Matcher {
	t.Helper()
	f, err := Load(filepath.Join("testdata", "owners.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.Compile(context.Background(), testEnv(t))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// has reports whether i is in the set (the matcher itself only combines
// and counts sets; the tests look inside).
func (b bitset) has(i int) bool {
	w := i / 64
	return w < len(b) && b[w]&(1<<(uint(i)%64)) != 0
}
