// Package demo builds the simulated fleet of `fleetcheck demo` and
// `fleetcheck sim`: a realistic mix of roles and datacentres, each host with
// a known state per check (served from sample outputs whose file names say
// the expected status) and a few hosts that hang, refuse or drop.
package demo

import (
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

//go:generate ./samples.sh

//go:embed samples owners.yaml
var files embed.FS

// OwnersYAML is the demo fleet's owners file.
func OwnersYAML() []byte {
	b, _ := files.ReadFile("owners.yaml")
	return b
}

// Sample is one canned output of a check's command: the stdout a host
// prints and the status the check must give it (from the file name,
// "<status>-<case>.out").
type Sample struct {
	Check  string
	Case   string
	Status checks.Status
	Stdout string
	Exit   int
}

// Samples returns the embedded samples of every check, by check name, each
// list sorted with the OK cases first.
func Samples() (map[string][]Sample, error) {
	out := map[string][]Sample{}
	err := fs.WalkDir(files, "samples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".out" {
			return err
		}
		check := path.Base(path.Dir(p))
		base := strings.TrimSuffix(path.Base(p), ".out")
		statusName, caseName, ok := strings.Cut(base, "-")
		if !ok {
			return fmt.Errorf("sample %s: expected <status>-<case>.out", p)
		}
		status, err := checks.ParseStatus(statusName)
		if err != nil {
			return fmt.Errorf("sample %s: %w", p, err)
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		s := Sample{Check: check, Case: caseName, Status: status, Stdout: string(data)}
		if b, err := files.ReadFile(strings.TrimSuffix(p, ".out") + ".exit"); err == nil {
			fmt.Sscan(string(b), &s.Exit)
		}
		out[check] = append(out[check], s)
		return nil
	})
	for _, list := range out {
		sort.SliceStable(list, func(i, j int) bool {
			if (list[i].Status == checks.OK) != (list[j].Status == checks.OK) {
				return list[i].Status == checks.OK
			}
			return list[i].Case < list[j].Case
		})
	}
	return out, err
}

// Host is one host of the demo world with its known state.
type Host struct {
	inventory.Host
	Fault  fleetsim.Fault
	States map[string]Sample // check name -> the sample it serves
}

// role is a group of hosts in the demo world.
type role struct {
	pattern string
	labels  map[string]string
}

var roles = []role{
	{"web[0001-0060].dc1.example.org", map[string]string{"role": "web", "dc": "dc1"}},
	{"web[0001-0040].dc2.example.org", map[string]string{"role": "web", "dc": "dc2"}},
	{"cache[001-030].dc1.example.org", map[string]string{"role": "cache", "dc": "dc1"}},
	{"cache[001-030].dc2.example.org", map[string]string{"role": "cache", "dc": "dc2"}},
	{"db[01-12].dc1.example.org", map[string]string{"role": "db", "dc": "dc1", "cluster": "db-main"}},
	{"kafka[01-09].dc1.example.org", map[string]string{"role": "kafka", "dc": "dc1", "cluster": "kafka-main"}},
	{"lb[01-04].dc1.example.org", map[string]string{"role": "lb", "dc": "dc1"}},
	{"mon[01-02].dc1.example.org", map[string]string{"role": "monitoring", "dc": "dc1"}},
	{"ci[001-020].dc2.example.org", map[string]string{"role": "ci", "dc": "dc2"}},
	{"legacy[01-05].dc1.example.org", map[string]string{"dc": "dc1"}},
}

// faults pins the misbehaving hosts, so that every demo shows each kind.
var faults = map[string]fleetsim.Fault{
	"web0013.dc1.example.org":  fleetsim.FaultHangBeforeBanner,
	"cache017.dc2.example.org": fleetsim.FaultHangAfterAuth,
	"web0031.dc2.example.org":  fleetsim.FaultRefuse,
	"ci007.dc2.example.org":    fleetsim.FaultRefuse,
	"kafka04.dc1.example.org":  fleetsim.FaultDropMidOutput,
	"db07.dc1.example.org":     fleetsim.FaultWrongHostKey,
	"legacy03.dc1.example.org": fleetsim.FaultRejectAuth,
	"lb02.dc1.example.org":     fleetsim.FaultSlow,
}

// HealthyShare is the share of the demo fleet's host/check pairs that are
// OK: with seven checks, about seven hosts in ten pass everything.
const HealthyShare = 0.95

// World returns the demo fleet: every host, its labels, fault and the
// sample each check serves. healthyShare in [0,1] is the share of
// host/check pairs that are OK; the rest spread over the failing samples.
// With faultsOn false no host misbehaves (for benchmarks).
func World(samples map[string][]Sample, healthyShare float64, faultsOn bool) ([]Host, error) {
	var hosts []Host
	for _, r := range roles {
		names, err := nodeset.Expand(r.pattern)
		if err != nil {
			return nil, fmt.Errorf("demo role %s: %w", r.pattern, err)
		}
		for _, n := range names {
			hosts = append(hosts, newHost(n, r.labels, samples, healthyShare, faultsOn))
		}
	}
	return hosts, nil
}

// Sized returns a world of n fault-free hosts named
// node00001.sim.example.org and up, for benchmarks and `fleetcheck sim`.
func Sized(samples map[string][]Sample, n int, healthyShare float64) []Host {
	hosts := make([]Host, n)
	roleNames := []string{"web", "cache", "db", "kafka", "ci"}
	for i := range hosts {
		name := fmt.Sprintf("node%05d.sim.example.org", i+1)
		labels := map[string]string{"role": roleNames[i%len(roleNames)], "dc": fmt.Sprintf("dc%d", i%3+1)}
		hosts[i] = newHost(name, labels, samples, healthyShare, false)
	}
	return hosts
}

func newHost(name string, labels map[string]string, samples map[string][]Sample, healthyShare float64, faultsOn bool) Host {
	h := Host{
		Host:   inventory.Host{Name: name, Labels: copyLabels(labels), Source: "demo"},
		States: map[string]Sample{},
	}
	if faultsOn {
		h.Fault = faults[name]
	}
	for check, list := range samples {
		h.States[check] = pick(name, check, list, healthyShare)
	}
	return h
}

// pick chooses a host's sample for a check, deterministically from the
// names so that every demo run shows the same fleet.
func pick(host, check string, list []Sample, healthyShare float64) Sample {
	var ok, bad []Sample
	for _, s := range list {
		if s.Status == checks.OK {
			ok = append(ok, s)
		} else {
			bad = append(bad, s)
		}
	}
	x := hash(host + "/" + check)
	if len(bad) == 0 || (len(ok) > 0 && float64(x%1000) < healthyShare*1000) {
		if len(ok) == 0 {
			return list[0]
		}
		return ok[x/1000%uint64(len(ok))]
	}
	return bad[x/1000%uint64(len(bad))]
}

func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func copyLabels(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Responder serves a host's samples: commands maps each check's remote
// command line to the check's name.
func Responder(h Host, commands map[string]string) fleetsim.Responder {
	return func(cmd string) fleetsim.Response {
		check, ok := commands[cmd]
		if !ok {
			return adHoc(h.Name, cmd)
		}
		s, ok := h.States[check]
		if !ok {
			return fleetsim.Response{Stderr: "no sample for " + check + "\n", ExitCode: 3}
		}
		return fleetsim.Response{Stdout: s.Stdout, ExitCode: s.Exit}
	}
}

// adHoc answers the few ad-hoc commands a simulated host knows, for
// `fleetcheck exec` against the demo or `fleetcheck sim` fleets.
func adHoc(host, cmd string) fleetsim.Response {
	switch {
	case cmd == "true":
		return fleetsim.Response{}
	case cmd == "false":
		return fleetsim.Response{ExitCode: 1}
	case cmd == "hostname" || cmd == "hostname -f":
		return fleetsim.Response{Stdout: host + "\n"}
	case cmd == "uptime":
		return fleetsim.Response{Stdout: " 08:00:00 up 12 days,  3:04,  0 users,  load average: 0.12, 0.10, 0.09\n"}
	case strings.HasPrefix(cmd, "echo "):
		return fleetsim.Response{Stdout: strings.TrimPrefix(cmd, "echo ") + "\n"}
	}
	return fleetsim.Response{Stderr: "sh: 1: " + strings.Fields(cmd + " x")[0] + ": not found (simulated host)\n", ExitCode: 127}
}
