package query

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/puppetdbtest"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// realPuppetDB is the PuppetDB the tests of this binary share: it takes a
// minute or more to start, so the first test that needs it starts it and
// TestMain stops it.
var realPuppetDB struct {
	once sync.Once
	srv  *puppetdbtest.Server
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if realPuppetDB.srv != nil {
		realPuppetDB.srv.Stop()
	}
	os.Exit(code)
}

// sharedPuppetDB returns the running PuppetDB holding testFleet, starting
// it on first use; it skips under -short and where PuppetDB, Java or
// PostgreSQL are not installed.
func sharedPuppetDB(t *testing.T) *puppetdbtest.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no real PuppetDB (it takes a minute or more to start)")
	}
	realPuppetDB.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		realPuppetDB.srv, realPuppetDB.err = puppetdbtest.Start(ctx)
		if realPuppetDB.err == nil {
			realPuppetDB.err = fillFleet(ctx, realPuppetDB.srv)
		}
	})
	if errors.Is(realPuppetDB.err, puppetdbtest.ErrMissing) {
		t.Skipf("no real PuppetDB: %v (Debian: apt-get install puppetdb postgresql)", realPuppetDB.err)
	}
	if realPuppetDB.err != nil {
		t.Fatal(realPuppetDB.err)
	}
	return realPuppetDB.srv
}

// fleetNode is one node of testFleet.
type fleetNode struct {
	name        string
	facts       map[string]any
	resources   []puppetdbtest.Resource // none: the node has no catalog
	deactivated bool
}

// svc, class and res build resources.
func svc(title, ensure string) puppetdbtest.Resource {
	return puppetdbtest.Resource{Type: "Service", Title: title, Parameters: map[string]any{"ensure": ensure}}
}

func class(title string, params map[string]any) puppetdbtest.Resource {
	return puppetdbtest.Resource{Type: "Class", Title: title, Tags: []string{"class", strings.ToLower(title)}, Parameters: params}
}

func catalog(rs ...puppetdbtest.Resource) []puppetdbtest.Resource {
	return append([]puppetdbtest.Resource{{Type: "Stage", Title: "main"}, class("Settings", nil), class("main", nil)}, rs...)
}

func facts(family string, cpus int, extra map[string]any) map[string]any {
	f := map[string]any{"os": map[string]any{"family": family}, "kernel": "Linux", "processorcount": cpus}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

// testFleet: three web servers (nginx running, stopped, running with ssh
// stopped), a cache, a database (Profile::Base full, another class light),
// a deactivated web server and a node with facts only.
func testFleet() []fleetNode {
	return []fleetNode{
		{name: "web1.example.org",
			facts: facts("Debian", 4, map[string]any{"is_virtual": true, "os": map[string]any{"family": "Debian", "release": map[string]any{"major": "12"}}}),
			resources: catalog(class("Role::Web", nil), class("Profile::Base", map[string]any{"variant": "full"}),
				puppetdbtest.Resource{Type: "Service", Title: "nginx", Parameters: map[string]any{"ensure": "running", "enable": true}},
				svc("ssh", "running"),
				puppetdbtest.Resource{Type: "File", Title: "/etc/motd", Tags: []string{"file", "motd", "banner"}, Parameters: map[string]any{"owner": "root"}},
				puppetdbtest.Resource{Type: "Nginx::Site", Title: "default", Parameters: map[string]any{"port": 80}})},
		{name: "web2.example.org", facts: facts("Debian", 8, map[string]any{"is_virtual": false}),
			resources: catalog(class("Role::Web", nil), class("Profile::Base", map[string]any{"variant": "light"}),
				svc("nginx", "stopped"), svc("ssh", "running"))},
		{name: "web3.example.org", facts: facts("RedHat", 2, nil),
			resources: catalog(class("Role::Web", nil), class("Profile::Base", map[string]any{"variant": "light"}),
				svc("nginx", "running"), svc("ssh", "stopped"),
				puppetdbtest.Resource{Type: "Nginx::Site", Title: "default", Parameters: map[string]any{"port": 8080}})},
		{name: "cache1.example.org", facts: facts("Debian", 16, nil),
			resources: catalog(class("Role::Cache", nil), class("Profile::Base", map[string]any{"variant": "light"}),
				svc("varnish", "running"), svc("nginx", "running"), svc("ssh", "running"))},
		{name: "db1.example.org", facts: facts("Debian", 32, nil),
			resources: catalog(class("Role::Db", nil), class("Profile::Base", map[string]any{"variant": "full"}),
				class("Profile::Tuning", map[string]any{"variant": "light"}),
				svc("postgresql", "running"), svc("ssh", "running"))},
		{name: "old1.example.org", facts: facts("Debian", 4, nil), deactivated: true,
			resources: catalog(class("Role::Web", nil), svc("nginx", "running"))},
		{name: "bare1.example.org", facts: facts("Debian", 1, nil)},
	}
}

// fillFleet stores testFleet through PuppetDB's command API.
func fillFleet(ctx context.Context, srv *puppetdbtest.Server) error {
	for _, n := range testFleet() {
		if err := srv.ReplaceFacts(ctx, n.name, n.facts); err != nil {
			return err
		}
		if n.resources != nil {
			if err := srv.ReplaceCatalog(ctx, n.name, n.resources); err != nil {
				return err
			}
		}
		if n.deactivated {
			if err := srv.DeactivateNode(ctx, n.name); err != nil {
				return err
			}
		}
	}
	return nil
}

// Why cumin differs, where it does on purpose.
const (
	dropsNot  = "cumin drops a 'not' before a group"
	nullValue = "cumin sends a key without a value as null, which PuppetDB refuses"
)

// realPuppetDBCases are cumin's documented grammar examples and mixed
// resource queries over testFleet. want is what fleetcheck selects (names
// without ".example.org", sorted; "ERR:" and a piece of the error for a
// refused query); cumin, when set, is what cumin selects where fleetcheck
// differs on purpose ("ERR:" and a piece of cumin's error), with why.
var realPuppetDBCases = []struct {
	q, want, cumin, why string
}{
	// cumin's documented examples (PuppetDBQuery's docstring).
	{q: "*", want: "bare1 cache1 db1 web1 web2 web3"},
	{q: "web*", want: "web1 web2 web3"},
	{q: "web[1-2].example.org", want: "web1 web2"},
	{q: `"db1.example.org" or web3.example.org`, want: "db1 web3"},
	{q: "old1.example.org", want: ""},
	{q: "R:Nginx::Site", want: "web1 web3"},
	{q: "R:nginx::site = default", want: "web1 web3"},
	{q: "R:Class = Role::Web", want: "web1 web2 web3"},
	{q: "R:Class = role::web", want: "web1 web2 web3"},
	{q: "R:File@tag = motd", want: "web1"},
	{q: "R:File@tag ~ '^ban'", want: "web1"},
	{q: "R:Service@title = varnish", want: "cache1"},
	{q: "R:Service%ensure = stopped", want: "web2 web3"},
	{q: "R:Nginx::Site%port = 8080", want: "web3"},
	{q: "C:Profile::Base", want: "cache1 db1 web1 web2 web3"},
	{q: "C:profile::base%variant = full", want: "db1 web1"},
	{q: "O:Web", want: "web1 web2 web3"},
	{q: "O:cache", want: "cache1"},
	{q: "P:Base%variant = light", want: "cache1 web2 web3"},
	{q: "F:kernel = Linux", want: "bare1 cache1 db1 web1 web2 web3"},
	{q: "F:processorcount > 4", want: "cache1 db1 web2"},
	{q: "F:os.family = Debian", want: "bare1 cache1 db1 web1 web2"},
	{q: "not F:os.family = Debian", want: "web3"},
	{q: "F:processorcount >= 8 and F:os.family = Debian", want: "cache1 db1 web2"},
	{q: "web[1-2].example.org or (not F:os.family = Debian and web*) or (F:processorcount > 8 and F:kernel ~ '^Lin')", want: "cache1 db1 web1 web2 web3"},
	// Mixed resource conditions: each applies to one resource (issue 18).
	{q: "R:Service = nginx and R:Service%ensure = running", want: "cache1 web1 web3"},
	{q: "R:Class = Role::Web and R:Service = nginx", want: ""},
	{q: "R:Class = Profile::Base and R:Class%variant = light", want: "cache1 web2 web3"},
	{q: "C:Profile::Base%variant = light", want: "cache1 web2 web3"},
	{q: "R:Service = nginx and not R:Service%ensure = stopped", want: "cache1 web1 web3"},
	{q: "R:Service = ssh and R:Service%ensure = stopped", want: "web3"},
	{q: "R:Service%ensure = stopped or R:Nginx::Site%port = 8080", want: "web2 web3"},
	{q: "(R:Service = nginx or R:Service = varnish) and R:Service%ensure = running", want: "cache1 web1 web3"},
	{q: "web* and R:Service%ensure = stopped", want: "web2 web3"},
	{q: "not web1.example.org and R:Service = nginx", want: "cache1 web2 web3"},
	{q: "O:Web and R:Class%variant = full", want: ""},
	{q: "not R:Service = nginx", want: "cache1 db1 web1 web2 web3"},
	{q: "R:Service%ensure ~ running", want: "cache1 db1 web1 web2 web3"},
	// Where fleetcheck differs from cumin on purpose (README).
	{q: "R:Service%ensure ~ '^run'", want: "cache1 db1 web1 web2 web3", cumin: "",
		why: "PuppetDB's AST query that cumin sends matches the JSON text of a parameter against the pattern in quotes"},
	{q: "not (F:os.family = Debian)", want: "web3", cumin: "bare1 cache1 db1 web1 web2",
		why: dropsNot},
	{q: "R:Service = nginx and not (R:Service%ensure = stopped)", want: "cache1 web1 web3", cumin: "web2",
		why: dropsNot},
	{q: "F:os.family = Debian and R:Service = nginx", want: "cache1 web1 web2", cumin: "ERR:Mixed endpoints",
		why: "cumin refuses facts and resources in one block"},
	{q: "F:is_virtual", want: "web1 web2", cumin: "ERR:400",
		why: nullValue},
	{q: "R:Service%enable", want: "web1", cumin: "ERR:400",
		why: nullValue},
	// Refused by both.
	{q: "F:kernel = Linux or F:processorcount = 2 and F:os.family = RedHat", want: "ERR:found 'and' after 'or'", cumin: "ERR:boolean operator"},
	{q: "C:Role::Web = x", want: "ERR:takes no value", cumin: "ERR:only when using %param or @field"},
}

// TestRealPuppetDBAgreesWithCumin runs realPuppetDBCases against a real
// PuppetDB through fleetcheck and through cumin (Debian's cumin, as the
// oracle; skipped when it is not installed) and logs the table.
func TestRealPuppetDBAgreesWithCumin(t *testing.T) {
	srv := sharedPuppetDB(t)
	t.Logf("PuppetDB %s started in %s", srv.URL, srv.Started.Round(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client, err := NewPuppetDBClient(PuppetDBOptions{URL: srv.URL, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := NewEvaluator(&Env{Inventory: inv, PuppetDB: client})
	if err != nil {
		t.Fatal(err)
	}
	queries := make([]string, len(realPuppetDBCases))
	for i, c := range realPuppetDBCases {
		queries[i] = "P{" + c.q + "}"
	}
	cumin, cuminErr := runCumin(ctx, t, srv, queries)
	if cuminErr != nil {
		t.Logf("cumin is not the oracle here: %v", cuminErr)
	}
	t.Log("| query | cumin | fleetcheck |")
	t.Log("| --- | --- | --- |")
	for i, c := range realPuppetDBCases {
		hosts, err := ev.Select(ctx, queries[i])
		got := shortNames(hosts, err)
		if !matches(got, c.want) {
			t.Errorf("fleetcheck %s = %q, want %q", queries[i], got, c.want)
		}
		if cuminErr != nil {
			continue
		}
		wantCumin := c.want
		if c.why != "" || strings.HasPrefix(c.cumin, "ERR:") {
			wantCumin = c.cumin
		}
		if !matches(cumin[i], wantCumin) {
			t.Errorf("cumin %s = %q, want %q (%s)", queries[i], cumin[i], wantCumin, c.why)
		}
		t.Logf("| `%s` | %s | %s |", queries[i], tableCell(cumin[i]), tableCell(got))
	}
}

// matches reports whether got is want, or for "ERR:x" an error holding x.
func matches(got, want string) bool {
	if w, ok := strings.CutPrefix(want, "ERR:"); ok {
		return strings.HasPrefix(got, "ERR:") && strings.Contains(got, w)
	}
	return got == want
}

// tableCell prints a result for the table: the hosts, "none", or the error.
func tableCell(s string) string {
	switch {
	case s == "":
		return "none"
	case strings.HasPrefix(s, "ERR:"):
		if len(s) > 90 {
			s = s[:90] + "..."
		}
		return "error: " + strings.ReplaceAll(strings.TrimPrefix(s, "ERR:"), "|", `\|`)
	}
	return s
}

// shortNames returns the sorted names without ".example.org", or "ERR:"
// and the error.
func shortNames(hosts []inventory.Host, err error) string {
	if err != nil {
		return "ERR:" + err.Error()
	}
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	return shortSorted(names)
}

// shortSorted sorts names and strips ".example.org".
func shortSorted(names []string) string {
	sort.Strings(names)
	return short(names)
}

// cuminOracle runs each query (read from stdin as a JSON list) through
// cumin's query engine, the one "cumin --dry-run" uses, in one process.
const cuminOracle = `
import json, sys
import cumin
from cumin.query import Query
config = cumin.Config(sys.argv[1])
out = []
for q in json.load(sys.stdin):
    try:
        out.append({"hosts": list(Query(config).execute(q))})
    except Exception as e:
        out.append({"error": "%s: %s" % (type(e).__name__, e)})
json.dump(out, sys.stdout)
`

// cliCheck is the query on which the cumin command line's --dry-run is
// checked against its query engine.
const cliCheck = "P{R:Service = nginx and R:Service%ensure = running}"

// runCumin answers queries with cumin against srv (results as
// shortNames), after checking on cliCheck that the cumin command line's
// --dry-run agrees with its query engine.
func runCumin(ctx context.Context, t *testing.T, srv *puppetdbtest.Server, queries []string) ([]string, error) {
	cuminBin, err := exec.LookPath("cumin")
	if err != nil {
		return nil, errors.New("cumin is not installed (Debian: apt-get install cumin)")
	}
	python, err := exec.LookPath("/usr/bin/python3")
	if err != nil {
		return nil, errors.New("/usr/bin/python3 is missing")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	conf := "transport: clustershell\nlog_file: " + filepath.Join(dir, "cumin.log") +
		"\npuppetdb:\n  host: 127.0.0.1\n  port: " + strconv.Itoa(srv.Port) + "\n  scheme: http\n  api_version: 4\n  timeout: 30\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(queries)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, python, "-c", cuminOracle, cfg)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if bytes.Contains(stderr.Bytes(), []byte("No module named 'cumin'")) {
			return nil, errors.New("cumin's Python module is not installed")
		}
		t.Fatalf("cumin oracle: %v\n%s", err, stderr.Bytes())
	}
	var res []struct {
		Hosts []string `json:"hosts"`
		Error string   `json:"error"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(queries) {
		t.Fatalf("cumin oracle answered %q (%v)", out, err)
	}
	got := make([]string, len(res))
	for i, r := range res {
		if r.Error != "" {
			got[i] = "ERR:" + r.Error
		} else {
			got[i] = shortSorted(r.Hosts)
		}
	}
	// The command line, once: its --dry-run prints the hosts as one node set.
	at := -1
	for i, q := range queries {
		if q == cliCheck {
			at = i
		}
	}
	if at < 0 {
		t.Fatalf("%s is not among the queries", cliCheck)
	}
	cli := exec.CommandContext(ctx, cuminBin, "--config", cfg, "--dry-run", "--no-colors", cliCheck)
	cliOut, err := cli.Output()
	if err != nil {
		t.Fatalf("cumin --dry-run %q: %v", cliCheck, err)
	}
	names, err := nodeset.Expand(strings.TrimSpace(string(cliOut)))
	if err != nil {
		t.Fatalf("cumin --dry-run %q printed %q: %v", cliCheck, cliOut, err)
	}
	if cliHosts := shortSorted(names); cliHosts != got[at] {
		t.Fatalf("cumin --dry-run %q selects %q, its query engine %q", cliCheck, cliHosts, got[at])
	}
	return got, nil
}
