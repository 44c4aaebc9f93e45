package query

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

const (
	allWeb   = "web01.dc1 web02.dc1 web03.dc1 web04.dc1 web01.dc2 web02.dc2"
	dc1Web   = "web01.dc1 web02.dc1 web03.dc1 web04.dc1"
	allCache = "cache1.dc1 cache2.dc1 cache1.dc3"
	everyone = "web01.dc1 web02.dc1 web03.dc1 web04.dc1 cache1.dc1 cache2.dc1 web01.dc2 web02.dc2 db1.dc2 cache1.dc3 lb1.dc3"
)

func TestSelect(t *testing.T) {
	tests := []struct {
		q    string
		want string // hosts in result order without ".example.org", or "ERR:substring"
	}{
		// labels
		{"role=web", allWeb},
		{"role=cache", allCache},
		{"role!=web", "cache1.dc1 cache2.dc1 db1.dc2 cache1.dc3 lb1.dc3"},
		{"role~^(web|cache)$", "web01.dc1 web02.dc1 web03.dc1 web04.dc1 cache1.dc1 cache2.dc1 web01.dc2 web02.dc2 cache1.dc3"},
		{"role~eb", allWeb},
		{"cluster!=a", "web03.dc1 web04.dc1 cache1.dc1 cache2.dc1 db1.dc2 cache1.dc3 lb1.dc3"},
		{"cluster~.", "web01.dc1 web02.dc1 web03.dc1 web04.dc1 cache1.dc1 cache2.dc1 web01.dc2 web02.dc2 cache1.dc3"},
		{`role="web"`, allWeb},
		{`role='cache' and dc="dc3"`, "cache1.dc3"},
		{`role~"^(db|lb)$"`, "db1.dc2 lb1.dc3"},
		{"nolabel=x", ""},
		// Ansible groups: group=NAME matches every group of a host
		{"group=edge", "lb1.dc3"},
		{"group=loadbalancers", "lb1.dc3"},
		{"group=databases", "db1.dc2"},
		{"group~^(load|data)", "db1.dc2 lb1.dc3"},
		{"dc=dc3 and group!=edge", "cache1.dc3"},
		// booleans, left to right without precedence
		{"role=web and dc=dc1", dc1Web},
		{"role=web and not dc=dc1", "web01.dc2 web02.dc2"},
		{"role=web or role=cache and dc=dc1", "web01.dc1 web02.dc1 web03.dc1 web04.dc1 cache1.dc1 cache2.dc1"},
		{"role=cache and dc=dc1 or role=web", "web01.dc1 web02.dc1 web03.dc1 web04.dc1 cache1.dc1 cache2.dc1 web01.dc2 web02.dc2"},
		{"role=web xor dc=dc1", "cache1.dc1 cache2.dc1 web01.dc2 web02.dc2"},
		{"role=web or (role=cache and dc=dc3)", "web01.dc1 web02.dc1 web03.dc1 web04.dc1 web01.dc2 web02.dc2 cache1.dc3"},
		{"(role=web or role=cache) and dc=dc1", "web01.dc1 web02.dc1 web03.dc1 web04.dc1 cache1.dc1 cache2.dc1"},
		{"role=web AND dc=dc2", "web01.dc2 web02.dc2"},
		{"role=web and not (dc=dc1 or dc=dc2)", ""},
		{"role=web xor role=web", ""},
		{"(((role=db)))", "db1.dc2"},
		{"role=db Or role=lb", "db1.dc2 lb1.dc3"},
		// not at the start of a group (fleetcheck's extension)
		{"not role=web", "cache1.dc1 cache2.dc1 db1.dc2 cache1.dc3 lb1.dc3"},
		{"not role=web and dc=dc1", "cache1.dc1 cache2.dc1"},
		{"not (role=web or role=cache)", "db1.dc2 lb1.dc3"},
		{"dc=dc1 and (not role=web or cluster=a)", "web01.dc1 web02.dc1 cache1.dc1 cache2.dc1"},
		{"NOT role=lb and dc=dc3", "cache1.dc3"},
		{"not-a-host", ""},
		// names, globs, node sets
		{"*", everyone},
		{"all", everyone},
		{"all and not role=web and not role=cache", "db1.dc2 lb1.dc3"},
		{"ALL", ""},
		{"web*", allWeb},
		{"web0?.dc1*", dc1Web},
		{"*.dc3.example.org", "cache1.dc3 lb1.dc3"},
		{"web[01-02].dc1.example.org", "web01.dc1 web02.dc1"},
		{"web[0001-0010,0015].dc1.example.org", ""},
		{"web[01-04].dc1.example.org!web03.dc1.example.org", "web01.dc1 web02.dc1 web04.dc1"},
		{"web[01-03]*", "web01.dc1 web02.dc1 web03.dc1 web01.dc2 web02.dc2"},
		{"cache1.dc1.example.org,lb1.dc3.example.org", "cache1.dc1 lb1.dc3"},
		{"db1.dc2.example.org", "db1.dc2"},
		{"nothere.example.org", ""},
		{"dc=dc1 and not web*", "cache1.dc1 cache2.dc1"},
		// aliases
		{"A:canaries", "web01.dc1 cache1.dc3"},
		{"a:canaries", "web01.dc1 cache1.dc3"},
		{"A:dc1web", dc1Web},
		{"A:webs and not A:canaries", "web02.dc1 web03.dc1 web04.dc1 web01.dc2 web02.dc2"},
		{"A:alias.x+y", "lb1.dc3"},
		{"A:everyone and role=db", "db1.dc2"},
		{"A:canaries or A:canaries", "web01.dc1 cache1.dc3"},
		{"A:cycle1", "ERR:alias cycle: A:cycle1 -> A:cycle2 -> A:cycle3 -> A:cycle1"},
		{"role=db and A:self", "ERR:alias cycle: A:self -> A:self"},
		{"A:nothere", "ERR:unknown alias A:nothere"},
		{"A:dangling", "ERR:alias A:dangling: unknown alias A:nothere"},
		{"A:broken", "ERR:alias A:broken: query:1:13: expected a host selection"},
		// D{}: direct, in the inventory or not
		{"D{web01.dc1.example.org or ext9.example.org}", "web01.dc1 ext9"},
		{"D{host[1-2].example.org}", "host1 host2"},
		{"D{web[01-04].dc1.example.org and not web02.dc1.example.org}", "web01.dc1 web03.dc1 web04.dc1"},
		{"D{(web01.dc1.example.org or web02.dc1.example.org) and web02.dc1.example.org}", "web02.dc1"},
		{"D{web01.dc1.example.org xor web[01-02].dc1.example.org}", "web02.dc1"},
		{"d{db1.dc2.example.org}", "db1.dc2"},
		{"role=web and D{web01.dc1.example.org,zzz.example.org}", "web01.dc1"},
		{"D{zzz.example.org} or role=db", "db1.dc2 zzz"},
		{"not D{web*}", "ERR:query:1:10: expected 'and', 'or', 'and not', 'xor' or '}' in the D{} block, found '*'"},
		// K{}: known_hosts
		{"K{*.example.org}", "web01.dc1 bastion ext1 ext2"},
		{"K{ext?.example.org}", "ext1 ext2"},
		{"K{web01.dc1.example.org}", "web01.dc1"},
		{"K{ext[1-3].example.org}", "ext1 ext2"},
		{"K{*} and role=web", "web01.dc1"},
		{"K{10.0.0.1}", ""},
		{"K{ext* and not ext2*}", "ext1"},
		// P{}: PuppetDB
		{"P{R:Class = Role::Web}", "web01.dc1 web02.dc2 pdbonly"},
		{"P{R:class = role::web}", "web01.dc1 web02.dc2 pdbonly"},
		{"P{O:Web}", "web01.dc1 web02.dc2 pdbonly"},
		{"P{C:Role::Web}", "web01.dc1 web02.dc2 pdbonly"},
		{"P{F:os.family = Debian}", "db1.dc2 lb1.dc3"},
		{"P{R:Class = Role::Web} and dc=dc1", "web01.dc1"},
		{"P{R:Class = Role::Web}and dc=dc2", "web02.dc2"},
		{"P{nothing}", ""},
		{"P{F:a = 1 or F:b = 2 and F:c = 3}", "ERR:found 'and' after 'or' in the same group"},
		{"P{R:File%owner@tag = x}", "ERR:holds both '%' (a parameter) and '@' (a field)"},
		// cumin's documentation examples
		{"(D{host1 or host2} and (P{R:Class = Role::MyClass} and not A:group1)) or D{host3}", "host3"},
		{"(D{web01.dc1.example.org or cache1.dc1.example.org} and (P{R:Class = Role::MyClass} and not A:group1)) or D{lb1.dc3.example.org}", "web01.dc1 cache1.dc1 lb1.dc3"},
		{"P{R:Class = Role::Web} and (A:eqiad or A:codfw)", "web01.dc1 web02.dc2"},
		{"P{F:lsbdistid = Debian and F:lsbdistcodename = jessie}", "db1.dc2"},
		{"D{web[01-02].dc1.example.org}", "web01.dc1 web02.dc1"},
		{"A:alias1 and (P{query1} or D{query2}) and not A:alias2 xor D{query3}", "ERR:unknown alias A:alias1"},
		// syntax errors
		{"role=web and", "ERR:query:1:13: expected a host selection after 'role=web and'"},
		{"(role=web", "ERR:query:1:10: expected ')' after 'role=web'"},
		{"role=web)", "ERR:query:1:9: unexpected ')'"},
		{"role=web or not dc=dc1", "ERR:query:1:13: 'not' is accepted only at the start of a group"},
		{"role=web dc=dc1", "ERR:query:1:10: expected 'and', 'or'"},
		{"role=", "ERR:query:1:6: expected a value after 'role='"},
		{"role~(", "ERR:query:1:6: invalid regular expression"},
		{"A:", "ERR:query:1:3: expected an alias name"},
		{"A:alias/name", "ERR:query:1:8:"},
		{"P{F:key1 != value}", "ERR:query:1:10:"},
		{"D{not host1}", "ERR:query:1:7:"},
		{"D{host1", "ERR:query:1:8: expected '}' to close the D{ block"},
		{"O{foo}", "ERR:query:1:1: the OpenStack backend O{} is not supported"},
		{"web[1-", "ERR:query:1:"},
		{"D{h[1-70000]} and not D{h[2-70000]}", "h1"},
		{"some+host", "ERR:query:1:5:"},
		{"and", "ERR:query:1:1: expected a host selection, found the operator 'and'"},
		{"not", "ERR:query:1:4: expected a host selection after 'not'"},
		{"()", "ERR:query:1:2: expected a host selection, found ')'"},
		{`role="web`, "ERR:query:1:6: unterminated quoted value"},
		{"P{x} or not D{y}", "ERR:query:1:9:"},
	}
	env, _ := testEnv(t)
	for _, tt := range tests {
		got, err := select1(env, tt.q)
		if want, isErr := strings.CutPrefix(tt.want, "ERR:"); isErr {
			if err == nil {
				t.Errorf("%q: got %q, want an error containing %q", tt.q, got, want)
			} else if !strings.Contains(err.Error(), want) {
				t.Errorf("%q: error %q, want it to contain %q", tt.q, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.q, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.q, got, tt.want)
		}
	}
	if len(tests) < 60 {
		t.Fatalf("only %d queries", len(tests))
	}
}

// select1 parses and evaluates q and returns the short host names.
func select1(env *Env, q string) (string, error) {
	e, err := Parse(q)
	if err != nil {
		return "", err
	}
	hosts, err := Eval(context.Background(), env, e)
	if err != nil {
		return "", err
	}
	return short(hostNames(hosts)), nil
}

func TestSelectAll(t *testing.T) {
	env, _ := testEnv(t)
	for _, q := range []string{"", "all"} {
		hosts, err := Select(context.Background(), env, q)
		if err != nil {
			t.Fatal(err)
		}
		if got := short(hostNames(hosts)); got != everyone {
			t.Errorf("Select(%q) = %q", q, got)
		}
	}
}

func TestExtraHostSources(t *testing.T) {
	env, _ := testEnv(t)
	hosts, err := Select(context.Background(), env, "D{zzz.example.org,web01.dc1.example.org} or K{ext1.example.org} or P{R:Class = Role::Web}")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, h := range hosts {
		got[h.Name] = h.Source
	}
	want := map[string]string{
		"web01.dc1.example.org": "test.yaml",
		"web02.dc2.example.org": "test.yaml",
		"zzz.example.org":       "D{}",
		"ext1.example.org":      "K{" + env.KnownHosts[0] + "}",
		"pdbonly.example.org":   "P{}",
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for n, src := range want {
		if got[n] != src {
			t.Errorf("%s: source %q, want %q", n, got[n], src)
		}
	}
}

func TestPuppetDBRequired(t *testing.T) {
	env, _ := testEnv(t)
	env.PuppetDB = nil
	_, err := Select(context.Background(), env, "P{F:os.family = Debian}")
	if err == nil || !strings.Contains(err.Error(), "no PuppetDB configured") {
		t.Fatalf("err = %v, want no PuppetDB configured", err)
	}
}

func TestKnownHostsNone(t *testing.T) {
	env, _ := testEnv(t)
	env.KnownHosts = nil
	got, err := select1(env, "K{*}")
	if err != nil || got != "" {
		t.Fatalf("K{*} without files = %q, %v; want nothing", got, err)
	}
}

func TestEvalCancelled(t *testing.T) {
	env, _ := testEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e, err := Parse("role=web")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Eval(ctx, env, e); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestErrorColumns(t *testing.T) {
	tests := []struct {
		q   string
		col int
		msg string
	}{
		{"(role=web", 10, "expected ')' after 'role=web'"},
		{"role=web and (dc=dc1 or", 24, "expected a host selection after"},
		{"role=web and (dc=dc1 or cluster=a", 34, "expected ')' after 'cluster=a'"},
		{"role=web  xor  )", 16, "expected a host selection, found ')'"},
		{"A:a and P{F:key1 = {(value}}", 20, "expected a value after 'F:key1 =', found '{(value'"},
		{"D{host1 or not host2}", 16, "expected 'and', 'or', 'and not', 'xor' or '}' in the D{} block, found 'host2'"},
		{"D{host1 or and host2}", 12, "expected a host name in the D{} block, found the operator 'and'"},
		{"K{a b}", 5, "expected 'and', 'or', 'and not', 'xor' or '}' in the K{} block"},
		{"P{query with unquoted P{}", 23, "'P{' inside the P{ block opened at column 1"},
		{"P{unquoted }}", 13, "expected 'and', 'or', 'and not', 'xor' or the end of the query after 'P{unquoted }', found '}'"},
		{"role=web and web[1-x].dc1", 20, "in node set 'web[1-x].dc1'"},
		{"D{web[3-1]}", 0, "in node set 'web[3-1]'"},
		{"web1 and (", 11, "expected a host selection after"},
		{"é", 1, "expected a host selection, found 'é'"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.q)
		var pe *posfile.Error
		if !errors.As(err, &pe) {
			t.Errorf("%q: err = %v, want a *posfile.Error", tt.q, err)
			continue
		}
		if pe.File != "query" || pe.Line != 1 || (tt.col != 0 && pe.Col != tt.col) || !strings.Contains(pe.Msg, tt.msg) {
			t.Errorf("%q: got %s:%d:%d %q, want query:1:%d containing %q", tt.q, pe.File, pe.Line, pe.Col, pe.Msg, tt.col, tt.msg)
		}
	}
}

func TestEvaluatorReuse(t *testing.T) {
	env, pdb := testEnv(t)
	ev, err := NewEvaluator(env)
	if err != nil {
		t.Fatal(err)
	}
	queries := map[string]string{
		"role=web and dc=dc1":                        dc1Web,
		"A:canaries":                                 "web01.dc1 cache1.dc3",
		"P{R:Class = Role::Web} or role=db":          "web01.dc1 web02.dc2 db1.dc2 pdbonly",
		"P{R:Class = Role::Web} and dc=dc2":          "web02.dc2",
		"D{new.example.org} or A:canaries":           "web01.dc1 cache1.dc3 new",
		"not role=web and not role=cache":            "db1.dc2 lb1.dc3",
		"all":                                        everyone,
		"K{ext1.example.org} or D{ext1.example.org}": "ext1",
		"new.example.org or ext1.example.org":        "",
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(queries))
	for range 4 {
		for q, want := range queries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				hosts, err := ev.Select(context.Background(), q)
				if err != nil {
					errs <- q + ": " + err.Error()
					return
				}
				if got := short(hostNames(hosts)); got != want {
					errs <- q + ": got " + got + ", want " + want
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(pdb.seen); n != 1 {
		t.Errorf("PuppetDB asked %d times for one block text, want 1 (answers are kept)", n)
	}
}

func TestNoInventory(t *testing.T) {
	if _, err := Select(context.Background(), &Env{}, "role=web"); err == nil {
		t.Error("Select without an inventory succeeded")
	}
	if _, err := NewEvaluator(nil); err == nil {
		t.Error("NewEvaluator(nil) succeeded")
	}
}
