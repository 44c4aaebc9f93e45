package query

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fleetcheck/fleetcheck/inventory"
)

// testHosts is the test inventory: three dcs, roles web/cache/db/lb,
// clusters.
func testHosts() []inventory.Host {
	h := func(name, role, dc, cluster string) inventory.Host {
		l := map[string]string{"role": role, "dc": dc}
		if cluster != "" {
			l["cluster"] = cluster
		}
		return inventory.Host{Name: name, Labels: l, Source: "test.yaml"}
	}
	lb := h("lb1.dc3.example.org", "lb", "dc3", "")
	lb.Groups = []string{"edge", "loadbalancers"}
	db := h("db1.dc2.example.org", "db", "dc2", "")
	db.Labels["group"] = "databases"
	return []inventory.Host{
		h("web01.dc1.example.org", "web", "dc1", "a"),
		h("web02.dc1.example.org", "web", "dc1", "a"),
		h("web03.dc1.example.org", "web", "dc1", "b"),
		h("web04.dc1.example.org", "web", "dc1", "b"),
		h("cache1.dc1.example.org", "cache", "dc1", "c"),
		h("cache2.dc1.example.org", "cache", "dc1", "c"),
		h("web01.dc2.example.org", "web", "dc2", "a"),
		h("web02.dc2.example.org", "web", "dc2", "a"),
		db,
		h("cache1.dc3.example.org", "cache", "dc3", "c"),
		lb,
	}
}

// testAliases holds plain aliases, nested ones, a cycle and broken ones.
func testAliases() map[string]string {
	return map[string]string{
		"canaries":  "web01.dc1.example.org or cache1.dc3.example.org",
		"webs":      "role=web",
		"dc1web":    "A:webs and dc=dc1",
		"eqiad":     "dc=dc1",
		"codfw":     "dc=dc2",
		"everyone":  "all",
		"cycle1":    "A:cycle2",
		"cycle2":    "role=db or A:cycle3",
		"cycle3":    "A:cycle1",
		"self":      "A:self",
		"broken":    "role=web and",
		"dangling":  "A:nothere",
		"alias.x+y": "lb1.dc3.example.org",
		"group1":    "dc=dc3",
	}
}

// fakePuppetDB answers PQL queries from a table and records them.
type fakePuppetDB struct {
	mu      sync.Mutex
	answers map[string][]string
	seen    []string
}

// Query returns the answer for pql, or none.
func (f *fakePuppetDB) Query(_ context.Context, pql string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = append(f.seen, pql)
	return f.answers[pql], nil
}

// testEnv builds the inventory, a known_hosts file and a fake PuppetDB.
func testEnv(t testing.TB) (*Env, *fakePuppetDB) {
	t.Helper()
	inv, err := inventory.New(testHosts(), testAliases())
	if err != nil {
		t.Fatal(err)
	}
	kh := filepath.Join(t.TempDir(), "known_hosts")
	content := strings.Join([]string{
		"# comment",
		"web01.dc1.example.org,10.0.0.1 ssh-ed25519 AAAAC3Nza",
		"ext1.example.org ssh-ed25519 AAAAC3Nza",
		"ext2.example.org ssh-rsa AAAAB3Nza",
		"[bastion.example.org]:2222 ssh-ed25519 AAAAC3Nza",
		"|1|hashedsalt=|hashedhost= ssh-ed25519 AAAAC3Nza",
		"@cert-authority *.example.org ssh-ed25519 AAAAC3Nza",
		"",
	}, "\n")
	if err := os.WriteFile(kh, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	pdb := &fakePuppetDB{answers: map[string][]string{
		`resources[certname] { (type = "Class" and title = "Role::Web") group by certname }`: {
			"web01.dc1.example.org", "web02.dc2.example.org", "pdbonly.example.org",
		},
		`nodes[certname] { certname in inventory[certname] { facts.os.family = "Debian" } }`: {
			"db1.dc2.example.org", "lb1.dc3.example.org",
		},
		`resources[certname] { (type = "Class" and title = "Role::Myclass") group by certname }`: {
			"web01.dc1.example.org", "cache1.dc1.example.org",
		},
		`nodes[certname] { (certname in inventory[certname] { facts.lsbdistid = "Debian" } and certname in inventory[certname] { facts.lsbdistcodename = "jessie" }) }`: {
			"db1.dc2.example.org",
		},
	}}
	return &Env{Inventory: inv, KnownHosts: []string{kh}, PuppetDB: pdb}, pdb
}

// hostNames returns the names of hosts, in order.
func hostNames(hosts []inventory.Host) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h.Name
	}
	return out
}

// short strips ".example.org" for compact expectations.
func short(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimSuffix(n, ".example.org")
	}
	return strings.Join(out, " ")
}
