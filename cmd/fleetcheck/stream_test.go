package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
)

// simFiles serves n simulated hosts from this process (the first ones
// given faults) and writes the files a separate fleetcheck process needs.
// Slow hosts answer a minute late (signals end their commands).
func simFiles(t *testing.T, n int, faults ...fleetsim.Fault) (*demo.Fleet, []string) {
	t.Helper()
	return simFilesShare(t, n, 1, faults...)
}

// simFilesShare is simFiles with a share of healthy host/check pairs
// (demo.Sized), the others in the samples' failing states.
func simFilesShare(t *testing.T, n int, healthy float64, faults ...fleetsim.Fault) (*demo.Fleet, []string) {
	t.Helper()
	d, err := demo.Start(context.Background(), demo.Options{
		SlowDelay: time.Minute,
		World: func(s map[string][]demo.Sample) ([]demo.Host, error) {
			hosts := demo.Sized(s, n, healthy)
			for i, f := range faults {
				hosts[i].Fault = f
			}
			return hosts, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	dir := t.TempDir()
	if err := d.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	return d, []string{"-i", filepath.Join(dir, "inventory.yaml"), "--known-hosts", filepath.Join(dir, "known_hosts"), "--ssh-config", "none"}
}

func TestExecBatchAbortsWhenThresholdUnreachable(t *testing.T) {
	d, flags := simFiles(t, 10, fleetsim.FaultRefuse, fleetsim.FaultRefuse)
	args := append(append([]string{"exec"}, flags...), "--force", "-b", "1", "-p", "100", "all", "--", "uptime")
	stdout, stderr, code := runBinary(t, args...)
	if code != 2 {
		t.Errorf("exit %d, want 2 (threshold missed)\n%s\n%s", code, stdout, stderr)
	}
	ran := 0
	for _, h := range d.Hosts {
		if len(d.Sim.Execs(h.Name)) > 0 {
			ran++
		}
	}
	// With one host at a time and a 100% threshold, the first refusal makes
	// the threshold unreachable: no healthy host may be started after it.
	if ran != 0 {
		t.Errorf("%d healthy hosts ran the command after the threshold became unreachable", ran)
	}
	if !strings.Contains(stdout, "0.0% (0/10) success ratio") {
		t.Errorf("no success ratio line:\n%s", stdout)
	}
}

func TestExecGroupsIdenticalOutput(t *testing.T) {
	d, flags := simFiles(t, 6, fleetsim.FaultRefuse)
	args := append(append([]string{"exec"}, flags...), "--force", "-b", "50%", "-p", "80", "all", "--", "uptime")
	stdout, stderr, code := runBinary(t, args...)
	if code != 1 { // issue 17: a met threshold with a failed host exits 1, as cumin (was 0)
		t.Errorf("exit %d, want 1 (5/6 ≥ 80%% but one failed)\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "(5) node[00002-00006].sim.example.org") {
		t.Errorf("the 5 healthy hosts' identical output is not grouped under one node set:\n%s", stdout)
	}
	if !strings.Contains(stdout, "node00001.sim.example.org") || !strings.Contains(stdout, "83.3% (5/6) success ratio") {
		t.Errorf("refused host or ratio missing:\n%s", stdout)
	}
	for _, h := range d.Hosts[1:] {
		if got := d.Sim.Execs(h.Name); len(got) != 1 || got[0] != "uptime" {
			t.Errorf("%s ran %q, want exactly uptime", h.Name, got)
		}
	}
}

func TestDemoTeamWithTwoOutputs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sweep.json")
	stdout, stderr, code := runBinary(t, "demo", "--team", "traffic", "-o", "table", "-o", "json", "--output-file", out, "--no-progress", "--timeout", "3s")
	if !strings.Contains(stdout, "traffic") || strings.Contains(stdout, "appservers") {
		t.Errorf("table should hold only traffic's failures:\n%s", stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("output file: %v (stderr %s)", err, stderr)
	}
	var doc jsonSweep
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Results) == 0 {
		t.Fatal("no traffic failures in the JSON file")
	}
	critical := false
	for _, r := range doc.Results {
		if r.Owner == nil || r.Owner.Team != "traffic" {
			t.Errorf("%s %s owned by %+v in a --team traffic sweep", r.Host, r.Check, r.Owner)
		}
		critical = critical || r.Status == "CRITICAL"
	}
	if want := map[bool]int{true: 2, false: 3}[critical]; code != want && !(code == 1 && !critical) {
		t.Errorf("exit %d does not reflect traffic's worst status", code)
	}
}

// startDemo starts the demo binary with stdout on a pipe.
func startDemo(t *testing.T, args ...string) (*exec.Cmd, *bufio.Reader, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"demo", "--no-progress"}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewReader(pipe), &stderr
}

// NDJSON lines come out as hosts finish: the first arrives while the
// sweep is still waiting on a host that hangs for 30s.
func TestNDJSONStreamsBeforeTheSweepEnds(t *testing.T) {
	cmd, out, _ := startDemo(t, "-o", "ndjson", "--timeout", "30s", "--connect-timeout", "30s")
	exited := make(chan struct{})
	go func() { cmd.Process.Wait(); close(exited) }()
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the first line: %v", err)
	}
	select {
	case <-exited:
		t.Fatal("the first NDJSON line came only when the sweep ended")
	default:
	}
	var first struct {
		Type, Host, Check, Status string
	}
	if err := json.Unmarshal([]byte(line), &first); err != nil || first.Type != "result" || first.Host == "" {
		t.Errorf("first line %q: %v", line, err)
	}
}

// Ctrl-C or SIGTERM: the sweep stops, reports what finished marked
// incomplete, and exits with the code of what it saw.
func TestInterruptReportsPartialResults(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { interruptDemo(t, sig) })
	}
}

func interruptDemo(t *testing.T, sig syscall.Signal) {
	cmd, out, stderr := startDemo(t, "-o", "ndjson", "-o", "json", "--output-file", filepath.Join(t.TempDir(), "x.json"), "--timeout", "60s", "--connect-timeout", "60s")
	// Wait for results to flow, then interrupt while the hung hosts hold
	// the sweep open.
	var lines []string
	for i := 0; i < 50; i++ {
		line, err := out.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	start := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var last string
	for {
		line, err := out.ReadString('\n')
		if err != nil {
			break
		}
		lines = append(lines, line)
		last = line
	}
	err := cmd.Wait()
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v to stop after %v", took, sig)
	}
	// The exit code is that of what the sweep saw before it stopped (hosts
	// it never checked do not count), 130 when that was all OK.
	worst := checks.OK
	for _, l := range lines {
		var r struct {
			Type      string `json:"type"`
			Status    string `json:"status"`
			ErrorKind string `json:"error_kind"`
		}
		if json.Unmarshal([]byte(l), &r) == nil && r.Type == "result" && r.ErrorKind != "canceled" {
			st, err := checks.ParseStatus(r.Status)
			if err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			worst = checks.Worst(worst, st)
		}
	}
	want := health.ExitCode(worst, health.Finished)
	if want == 0 {
		want = exitInterrupted
	}
	ee, _ := err.(*exec.ExitError)
	if ee == nil || ee.ExitCode() != want {
		t.Errorf("exit %v, want %d (worst status seen: %s); stderr %s", err, want, worst, stderr)
	}
	var summary struct {
		Type     string `json:"type"`
		Complete *bool  `json:"complete"`
	}
	if err := json.Unmarshal([]byte(last), &summary); err != nil || summary.Type != "summary" || summary.Complete == nil || *summary.Complete {
		t.Errorf("last line %q: want a summary with complete=false (%v)", last, err)
	}
	if !strings.Contains(stderr.String(), "incomplete") {
		t.Errorf("stderr does not say the sweep is incomplete: %s", stderr)
	}
}

// All default checks of a host share one SSH connection, one session each.
func TestDefaultSweepUsesOneConnectionPerHost(t *testing.T) {
	d, flags := simFiles(t, 20)
	stdout, stderr, code := runBinary(t, append(append([]string{"sweep"}, flags...), "-o", "json", "--no-progress", "all")...)
	var doc jsonSweep
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if code != 0 || len(doc.Results) != 20*7 {
		t.Fatalf("exit %d, %d results, want 0 and 140 (all healthy)\n%s", code, len(doc.Results), stderr)
	}
	for _, h := range d.Hosts {
		if c, s := d.Sim.Connections(h.Name), d.Sim.Sessions(h.Name); c != 1 || s != 7 {
			t.Errorf("%s: %d connections and %d sessions, want 1 and 7", h.Name, c, s)
		}
	}
}

// NDJSON streamed to --output-file lands whole under its name, with no
// temporary file left beside it.
func TestNDJSONOutputFileIsRenamedIntoPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sweep.ndjson")
	_, flags := simFiles(t, 5)
	if _, stderr, code := runBinary(t, append(append([]string{"sweep"}, flags...), "--no-progress", "-o", "ndjson", "--output-file", path, "all")...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 5*7+1 || !strings.Contains(lines[len(lines)-1], `"type":"summary"`) {
		t.Errorf("%d lines, last %q: want 35 results and a summary", len(lines), lines[len(lines)-1])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only sweep.ndjson", len(entries))
	}
}
