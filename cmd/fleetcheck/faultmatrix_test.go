package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/ssh/knownhosts"
)

// raceBuild reports whether this test binary has the race detector, which
// slows the simulated fleet served from it several times.
func raceBuild() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

// matrixHost is one host of a fault matrix fleet: a simulated host, or a
// name under .invalid (dns), left out of known_hosts when unknown.
type matrixHost struct {
	spec    fleetsim.HostSpec
	dns     bool
	unknown bool
}

// matrixFiles serves hosts and writes what a separate fleetcheck needs:
// inventory, known_hosts (without the unknown hosts), client key and a
// fleetcheck.yaml with two nagios checks, probe-a and probe-b, timed out
// after checkTimeout (plus the CLI's grace). It returns the --config flags
// and the known_hosts path.
func matrixFiles(t *testing.T, hosts []matrixHost, checkTimeout time.Duration) (*fleetsim.Fleet, []string, string) {
	t.Helper()
	var specs []fleetsim.HostSpec
	for _, h := range hosts {
		if !h.dns {
			specs = append(specs, h.spec)
		}
	}
	f, err := fleetsim.Start(context.Background(), fleetsim.Options{Hosts: specs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	dir := t.TempDir()
	key := writeFile(t, dir, "id_ed25519", string(f.ClientKeyPEM()))
	type invHost struct {
		Name    string `yaml:"name"`
		Address string `yaml:"address"`
		Port    int    `yaml:"port"`
	}
	inv := struct {
		Defaults map[string]any `yaml:"defaults"`
		Hosts    []invHost      `yaml:"hosts"`
	}{Defaults: map[string]any{"user": f.User(), "identity_file": key}}
	var known strings.Builder
	for _, h := range hosts {
		if h.dns {
			inv.Hosts = append(inv.Hosts, invHost{Name: h.spec.Name, Address: h.spec.Name + ".fleetcheck.invalid", Port: 22})
			continue
		}
		ep, _ := f.Endpoint(h.spec.Name)
		inv.Hosts = append(inv.Hosts, invHost{Name: h.spec.Name, Address: ep.Address, Port: ep.Port})
		if !h.unknown {
			known.WriteString(hostKeyLine(t, f, h.spec.Name) + "\n")
		}
	}
	data, err := yaml.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "hosts.yaml", string(data))
	kh := writeFile(t, dir, "known_hosts", known.String())
	cfg := writeFile(t, dir, "fleetcheck.yaml", fmt.Sprintf(`inventory: hosts.yaml
known_hosts: known_hosts
checks:
  probe-a: {nagios: "probe a", timeout: %s}
  probe-b: {nagios: "probe b", timeout: %s}
`, checkTimeout, checkTimeout))
	return f, []string{"--config", cfg, "--ssh-config", "none"}, kh
}

// hostKeyLine is the fleet's known_hosts line for the named host.
func hostKeyLine(t *testing.T, f *fleetsim.Fleet, name string) string {
	t.Helper()
	line, ok := f.KnownHostsLine(name)
	if !ok {
		t.Fatalf("no known_hosts line for %s", name)
	}
	return line
}

// probeAnswer answers the matrix checks as a healthy Nagios plugin.
func probeAnswer(cmd string) fleetsim.Response {
	if strings.HasPrefix(cmd, "probe ") {
		return fleetsim.Response{Stdout: "PROBE OK - " + strings.TrimPrefix(cmd, "probe ") + " fine\n"}
	}
	return fleetsim.Response{Stderr: "sh: not found\n", ExitCode: 127}
}

// TestSweepFaultMatrix sweeps, through the built binary, a fleet mixing
// every fault of issue 8 among healthy hosts at fanout 64: each result has
// the status and error kind of its fault, healthy hosts are all OK, and
// the sweep ends within its deadline.
func TestSweepFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("500-host sweep")
	}
	total, perFault, scale := 500, 10, time.Duration(1)
	if raceBuild() { // the fleet in this process is slowed by the race detector
		total, perFault, scale = 150, 5, 3
	}
	connect, hostTimeout, checkTimeout := scale*2*time.Second, scale*5*time.Second, scale*time.Second
	type want struct{ status, kind string }
	type fault struct {
		name string
		want want
		host func(name string) matrixHost
	}
	ignoreTerm := func(string) fleetsim.Response {
		return fleetsim.Response{Stdout: "started\n", Delay: 30 * time.Second, IgnoreSignals: true}
	}
	bigOutput := func(string) fleetsim.Response {
		return fleetsim.Response{Stdout: strings.Repeat("line of output\n", 4000)}
	}
	withFault := func(fl fleetsim.Fault, respond fleetsim.Responder) func(string) matrixHost {
		return func(n string) matrixHost {
			return matrixHost{spec: fleetsim.HostSpec{Name: n, Fault: fl, Respond: respond, SlowDelay: 200 * time.Millisecond}}
		}
	}
	faults := []fault{
		{"dns", want{"UNREACHABLE", "dns"}, func(n string) matrixHost { return matrixHost{spec: fleetsim.HostSpec{Name: n}, dns: true} }},
		{"refused", want{"UNREACHABLE", "refused"}, withFault(fleetsim.FaultRefuse, nil)},
		{"hang before banner", want{"UNREACHABLE", "timeout"}, withFault(fleetsim.FaultHangBeforeBanner, nil)},
		{"hang after auth", want{"UNREACHABLE", "timeout"}, withFault(fleetsim.FaultHangAfterAuth, probeAnswer)},
		{"drop mid output", want{"UNREACHABLE", "connection_lost"}, withFault(fleetsim.FaultDropMidOutput, bigOutput)},
		{"flood 100 MiB", want{"UNKNOWN", "output_limit"}, withFault(fleetsim.FaultFlood, probeAnswer)},
		{"changed key", want{"UNREACHABLE", "hostkey_mismatch"}, withFault(fleetsim.FaultWrongHostKey, probeAnswer)},
		{"unknown key", want{"UNREACHABLE", "hostkey_unknown"}, func(n string) matrixHost {
			return matrixHost{spec: fleetsim.HostSpec{Name: n, Respond: probeAnswer}, unknown: true}
		}},
		{"auth rejected", want{"UNREACHABLE", "auth"}, withFault(fleetsim.FaultRejectAuth, probeAnswer)},
		{"slow within deadline", want{"OK", ""}, withFault(fleetsim.FaultSlow, probeAnswer)},
		// A plugin that hangs past its deadline on a host that answers is
		// UNKNOWN, not UNREACHABLE (issue 18).
		{"ignores SIGTERM", want{"UNKNOWN", "timeout"}, withFault("", ignoreTerm)},
	}
	hosts := make([]matrixHost, total)
	expect := make(map[string]fault, total)
	healthy := fault{"healthy", want{"OK", ""}, withFault("", probeAnswer)}
	faultOf := make([]*fault, total)
	slot := 0
	for i := range faults {
		n := perFault
		if faults[i].name == "flood 100 MiB" {
			n = max(1, perFault/2)
		}
		for range n {
			faultOf[(slot*37)%total] = &faults[i]
			slot++
		}
	}
	for i := range hosts {
		fl := &healthy
		if faultOf[i] != nil {
			fl = faultOf[i]
		}
		name := fmt.Sprintf("m%03d", i)
		hosts[i] = fl.host(name)
		expect[name] = *fl
	}
	_, flags, _ := matrixFiles(t, hosts, checkTimeout)
	args := append(append([]string{"sweep"}, flags...), "-o", "json", "--no-progress", "--fanout", "64",
		"--connect-timeout", connect.String(), "--timeout", hostTimeout.String(), "all")
	start := time.Now()
	stdout, stderr, code := runBinary(t, args...)
	took := time.Since(start)
	var doc jsonSweep
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("JSON: %v\nstderr:\n%s", err, stderr)
	}
	if code == 0 || !doc.Complete || len(doc.Results) != 2*total {
		t.Fatalf("exit %d, complete %v, %d results; want a failing exit code, complete, %d results\n%s", code, doc.Complete, len(doc.Results), 2*total, stderr)
	}
	counts := map[string]int{}
	for _, r := range doc.Results {
		fl := expect[r.Host]
		counts[fl.name]++
		if r.Status != fl.want.status || r.ErrorKind != fl.want.kind {
			t.Errorf("%s %s (%s): %s %q (%s), want %s %q", r.Host, r.Check, fl.name, r.Status, r.ErrorKind, r.Summary, fl.want.status, fl.want.kind)
		}
		if r.Status == "OK" && r.Summary != "PROBE OK - "+strings.TrimPrefix(r.Check, "probe-")+" fine" {
			t.Errorf("%s %s: summary %q", r.Host, r.Check, r.Summary)
		}
	}
	var rows []string
	for _, fl := range append(faults, healthy) {
		rows = append(rows, fmt.Sprintf("%s: %d results", fl.name, counts[fl.name]))
	}
	slices.Sort(rows)
	t.Logf("sweep of %d hosts (fanout 64, connect %s, host %s, check %s+1s): %s, exit %d\n%s",
		total, connect, hostTimeout, checkTimeout, took.Round(time.Millisecond), code, strings.Join(rows, "\n"))
	// No host outlasts its host timeout plus the graces of an abandoned
	// command (0.5 s); hosts run in waves of 64; the binary starts in well
	// under the slack.
	waves := time.Duration((total + 63) / 64)
	if limit := waves*(hostTimeout+time.Second) + 10*time.Second; took > limit {
		t.Errorf("sweep took %s, want within %s", took, limit)
	}
}

// TestAcceptNewTwoProcesses runs two fleetcheck sweeps with --accept-new
// at once against hosts none of which is known: both reach every host,
// and known_hosts ends with every host's true key exactly once.
func TestAcceptNewTwoProcesses(t *testing.T) {
	const n = 40
	hosts := make([]matrixHost, n)
	for i := range hosts {
		hosts[i] = matrixHost{spec: fleetsim.HostSpec{Name: fmt.Sprintf("n%02d", i), Respond: probeAnswer}, unknown: true}
	}
	f, flags, kh := matrixFiles(t, hosts, 5*time.Second)
	args := append(append([]string{"sweep"}, flags...), "-o", "json", "--no-progress", "--accept-new", "all")
	var wg sync.WaitGroup
	outs := make([]string, 2)
	for p := range outs {
		wg.Go(func() {
			stdout, stderr, code := runBinary(t, args...)
			if code != 0 {
				t.Errorf("process %d: exit %d\n%s", p, code, stderr)
			}
			outs[p] = stdout
		})
	}
	wg.Wait()
	for p, out := range outs {
		var doc jsonSweep
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("process %d: JSON: %v", p, err)
		}
		for _, r := range doc.Results {
			if r.Status != "OK" {
				t.Errorf("process %d: %s %s: %s %s %q", p, r.Host, r.Check, r.Status, r.ErrorKind, r.Summary)
			}
		}
	}
	if _, err := knownhosts.New(kh); err != nil {
		t.Fatalf("known_hosts does not parse: %v", err)
	}
	data, err := os.ReadFile(kh)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		got[l]++
	}
	for _, h := range hosts {
		if l := hostKeyLine(t, f, h.spec.Name); got[l] != 1 {
			t.Errorf("%s: its line is in known_hosts %d times, want once", h.spec.Name, got[l])
		}
	}
	if len(got) != n {
		t.Errorf("known_hosts holds %d distinct lines, want %d", len(got), n)
	}
	if st, err := os.Stat(kh); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("known_hosts mode %v (%v), want 0600", st.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(kh), ".known_hosts.tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
}
