package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
)

// Issue 17: a typo or a failure never reads as success. Each case runs the
// built binary and asserts the exit code and what stderr names.

// wantExit fails t unless code is want and stderr holds every one of words.
func wantExit(t *testing.T, args []string, stderr string, code, want int, words ...string) {
	t.Helper()
	if code != want {
		t.Errorf("fleetcheck %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), code, want, stderr)
	}
	for _, w := range words {
		if !strings.Contains(stderr, w) {
			t.Errorf("fleetcheck %s: stderr %q lacks %q", strings.Join(args, " "), stderr, w)
		}
	}
}

// usageFiles writes an inventory of hosts that cannot be reached (nothing
// in these cases may connect) and an owners file with two teams.
func usageFiles(t *testing.T) (inv, owners string) {
	t.Helper()
	dir := t.TempDir()
	inv = writeFile(t, dir, "hosts.yaml", "hosts:\n  - name: web[01-03].example.invalid\n    labels: {role: web}\n")
	owners = writeFile(t, dir, "owners.yaml", "fallback: triage\nteams: {traffic: {contact: t@example.org}, triage: {contact: x@example.org}}\n"+
		"rules:\n  - {id: web, hosts: 'role=web', owner: traffic}\n  - {id: typo, checks: [pupet], owner: triage}\n")
	return inv, owners
}

func TestUsageErrorsThroughTheBinary(t *testing.T) {
	inv, owners := usageFiles(t)
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "out.json")
	home := t.TempDir()
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		words []string
	}{
		{"unknown command", []string{"swep"}, exitUsage, []string{`unknown command "swep"`, `did you mean "sweep"`}},
		{"unknown subcommand", []string{"owners", "frob"}, exitUsage, []string{`unknown command "owners frob"`, "explain, test, lint"}},
		{"unknown flag", []string{"sweep", "--fanot", "3"}, exitUsage, []string{"--fanot", "did you mean --fanout"}},
		{"team unknown", []string{"sweep", "-i", inv, "--owners", owners, "--team", "trafic", "all"}, exitUsage, []string{`no team "trafic"`, `did you mean "traffic"`, "traffic, triage"}},
		{"team without owners", []string{"sweep", "-i", inv, "--team", "traffic", "all"}, exitUsage, []string{"--team traffic: no owners file"}},
		{"negative timeout", []string{"sweep", "-i", inv, "--timeout", "-1s", "all"}, exitUsage, []string{"--timeout", "positive duration"}},
		{"negative fanout", []string{"sweep", "-i", inv, "--fanout", "-5", "all"}, exitUsage, []string{"--fanout", "≥ 1"}},
		{"zero fanout", []string{"exec", "-i", inv, "--fanout", "0", "all", "--", "true"}, exitUsage, []string{"--fanout", "≥ 1"}},
		{"negative global timeout", []string{"sweep", "-i", inv, "--global-timeout", "-1s", "all"}, exitUsage, []string{"--global-timeout", "≥ 0"}},
		{"timeout without unit", []string{"sweep", "-i", inv, "--timeout", "5", "all"}, exitUsage, []string{"--timeout", `"5"`, "unit", "30s"}},
		{"fanout not a number", []string{"sweep", "-i", inv, "--fanout", "many"}, exitUsage, []string{"--fanout", "whole number"}},
		{"output file in a missing directory", []string{"sweep", "-i", inv, "-o", "json", "--output-file", missing, "all"}, exitUsage, []string{"--output-file", "no such file or directory"}},
		{"owners test without --expect", []string{"owners", "test", "-i", inv, "--owners", owners, "web01.example.invalid"}, exitUsage, []string{"--expect TEAM is required"}},
		{"owners test unknown team", []string{"owners", "test", "-i", inv, "--owners", owners, "--expect", "trafic", "web01.example.invalid"}, exitUsage, []string{"--expect", `"trafic"`, "traffic, triage"}},
		{"exec without --", []string{"exec", "-i", inv, "--force", "role=web", "uptime"}, exitUsage, []string{"the -- is required"}},
		{"exec without query", []string{"exec", "-i", inv, "--force", "--", "uptime"}, exitUsage, []string{"no query before --"}},
		{"hosts selects nothing", []string{"hosts", "-i", inv, "role=nothing"}, exitNoVerdict, []string{`"role=nothing" selects no hosts`}},
		{"sweep with no inventory", []string{"sweep"}, exitNoVerdict, []string{"no inventory was loaded"}},
		{"hosts all with no inventory", []string{"hosts", "all"}, exitNoVerdict, []string{"no inventory was loaded"}},
		{"owners lint with no inventory", []string{"owners", "lint", "--owners", owners}, exitUsage, []string{"no inventory was loaded"}},
		{"exec selects nothing", []string{"exec", "-i", inv, "--force", "role=db", "--", "true"}, exitNoVerdict, []string{`"role=db" selects no hosts`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// HOME without a config: no inventory unless the case names one.
			_, stderr, code := runBinaryEnv(t, []string{"HOME=" + home}, tc.args...)
			wantExit(t, tc.args, stderr, code, tc.code, tc.words...)
			if n := strings.Count(stderr, "\n"); n != 1 {
				t.Errorf("stderr has %d lines, want one message: %q", n, stderr)
			}
		})
	}
}

// A usage error in the demo's team or query is found before it sweeps.
func TestDemoQueryAndTeamErrors(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		code  int
		words []string
	}{
		{[]string{"demo", "--no-progress", "nosuch*"}, exitNoVerdict, []string{`"nosuch*" selects no hosts`}},
		{[]string{"demo", "--no-progress", "--team", "trafic"}, exitUsage, []string{`no team "trafic"`, `did you mean "traffic"`}},
	} {
		stdout, stderr, code := runBinary(t, tc.args...)
		wantExit(t, tc.args, stderr, code, tc.code, tc.words...)
		if strings.Contains(stdout, "no failures") {
			t.Errorf("%v printed %q", tc.args, stdout)
		}
	}
}

// Flags may follow the query (a query word never starts with '-').
func TestFlagsAfterTheQuery(t *testing.T) {
	d, flags := simFiles(t, 4)
	inv := flags[1]
	stdout, stderr, code := runBinary(t, "hosts", "role=web", "-i", inv, "-o", "json")
	var hosts []struct{ Name string }
	if err := json.Unmarshal([]byte(stdout), &hosts); err != nil || code != 0 || len(hosts) != 1 {
		t.Errorf("hosts role=web -i INV -o json: exit %d, %v, %q %q", code, err, stdout, stderr)
	}
	args := append([]string{"sweep", "role=web"}, append(flags, "-o", "json", "--no-progress", "-c", "disk")...)
	stdout, stderr, code = runBinary(t, args...)
	var doc jsonSweep
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Results) != 1 || doc.Query != "role=web" {
		t.Errorf("sweep role=web -o json: exit %d, %v: %q %q", code, err, stdout, stderr)
	}
	args = append([]string{"exec", "role=cache"}, append(flags, "--force", "-o", "json", "--", "uptime", "-p")...)
	stdout, stderr, code = runBinary(t, args...)
	if !strings.Contains(stdout, `"node00002.sim.example.org"`) || strings.Count(stdout, "sim.example.org") != 1 {
		t.Errorf("exec role=cache --force -o json -- uptime -p: exit %d %q %q", code, stdout, stderr)
	}
	if got := d.Sim.Execs("node00002.sim.example.org"); len(got) != 1 || got[0] != "uptime -p" {
		t.Errorf("exec ran %q, want the words after -- as they are", got)
	}
	stdout, stderr, code = runBinary(t, "demo", "web[0001-0002].dc1.example.org", "-o", "json", "--no-progress", "-c", "disk")
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Results) != 2 {
		t.Errorf("demo QUERY -o json: exit %d, %v, %q", code, err, stderr)
	}
}

// exec's query is every word before "--": `role=web and dc=dc1` is one query.
func TestExecQueryIsEverythingBeforeDashDash(t *testing.T) {
	d, flags := simFiles(t, 15)
	args := append(append([]string{"exec"}, flags...), "--force", "role=web", "and", "dc=dc1", "--", "hostname")
	stdout, stderr, code := runBinary(t, args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	// Sized hosts: role web for i%5 == 0, dc1 for i%3 == 0: node00001 and node00016.
	for _, h := range d.Hosts {
		got := d.Sim.Execs(h.Name)
		want := h.Name == "node00001.sim.example.org"
		if want && (len(got) != 1 || got[0] != "hostname") || !want && len(got) != 0 {
			t.Errorf("%s ran %q", h.Name, got)
		}
	}
}

// With one host at a time and a 100% threshold, the first failure ends
// the run: the next host is not started.
func TestExecBatchStopsAtTheFirstFailure(t *testing.T) {
	d, flags := simFiles(t, 5, fleetsim.FaultRefuse)
	args := append(append([]string{"exec"}, flags...), "--force", "-b", "1", "all", "--", "uptime")
	stdout, stderr, code := runBinary(t, args...)
	if code != 2 {
		t.Errorf("exit %d, want 2\n%s%s", code, stdout, stderr)
	}
	for _, h := range d.Hosts[1:] {
		if got := d.Sim.Execs(h.Name); len(got) != 0 {
			t.Errorf("%s ran %q after the threshold became unreachable", h.Name, got)
		}
	}
	if !strings.Contains(stdout, "(4) node[00002-00005].sim.example.org: skipped") {
		t.Errorf("the hosts never started are not listed as skipped:\n%s", stdout)
	}
}

// A command cut by --timeout after it started says so, not "NOT RUN" nor
// a connection failure.
func TestExecTimedOutWhileRunning(t *testing.T) {
	d, flags := simFiles(t, 2, fleetsim.FaultSlow)
	args := append(append([]string{"exec"}, flags...), "--force", "--timeout", "1s", "all", "--", "uptime")
	stdout, stderr, code := runBinary(t, args...)
	if code != 2 {
		t.Errorf("exit %d, want 2 (1 of 2 hosts)\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "----- CUT WHILE RUNNING -----\n(1) node00001.sim.example.org: timed out while running") {
		t.Errorf("the timed-out host is not reported as cut while running:\n%s", stdout)
	}
	if strings.Contains(stdout, "NOT RUN") || strings.Contains(stdout, "CONNECTION FAILURES") {
		t.Errorf("the timed-out host is reported as not run or unreachable:\n%s", stdout)
	}
	waitSignal(t, d, "node00001.sim.example.org")
}

// Ctrl-C while a command runs: reported as interrupted while running
// (it may still run there), exit 130.
func TestExecInterruptedWhileRunning(t *testing.T) {
	d, flags := simFiles(t, 2, fleetsim.FaultSlow)
	cmd := exec.Command(binary, append(append([]string{"exec"}, flags...), "--force", "--timeout", "60s", "all", "--", "uptime")...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FLEETCHECK_CONFIG=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // the healthy host finished, the hung one holds the run
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
		t.Errorf("exit %v, want %d\n%s%s", err, exitInterrupted, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "(1) node00001.sim.example.org: interrupted while running (may still be running)") {
		t.Errorf("the interrupted host is not reported as interrupted while running:\n%s", stdout.String())
	}
	waitSignal(t, d, "node00001.sim.example.org")
}

// waitSignal fails t unless the host's running command is sent SIGTERM
// (its session closed with a signal, not just dropped).
func waitSignal(t *testing.T, d *demo.Fleet, host string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(d.Sim.Signals(host)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := d.Sim.Signals(host); len(got) == 0 || got[0] != "TERM" {
		t.Errorf("%s: signals %q, want TERM before its session closed", host, got)
	}
}

// The threshold met but a host failed: exit 1, as cumin.
func TestExecPartialSuccessExitsOne(t *testing.T) {
	_, flags := simFiles(t, 4, fleetsim.FaultRefuse)
	args := append(append([]string{"exec"}, flags...), "--force", "-p", "50", "all", "--", "uptime")
	stdout, stderr, code := runBinary(t, args...)
	if code != 1 || !strings.Contains(stdout, "75.0% (3/4) success ratio (>= 50.0% threshold)") {
		t.Errorf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
}

// An output file that cannot be created is found before any host is contacted.
func TestOutputFileCheckedBeforeConnecting(t *testing.T) {
	d, flags := simFiles(t, 3)
	out := filepath.Join(t.TempDir(), "missing", "sweep.json")
	args := append(append([]string{"sweep"}, flags...), "-o", "json", "--output-file", out, "--no-progress", "all")
	_, stderr, code := runBinary(t, args...)
	wantExit(t, args, stderr, code, exitUsage, "--output-file", out)
	for _, h := range d.Hosts {
		if n := d.Sim.Connections(h.Name); n != 0 {
			t.Errorf("%s was contacted %d times", h.Name, n)
		}
	}
}

// demo --healthy does what it says: every host healthy, exit 0.
func TestDemoHealthyIsAllOK(t *testing.T) {
	// No host hangs: generous deadlines keep a loaded machine from timing out.
	stdout, stderr, code := runBinary(t, "demo", "--healthy", "-o", "json", "--no-progress", "--timeout", "30s", "--connect-timeout", "30s")
	var doc jsonSweep
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	for _, r := range doc.Results {
		if r.Status != "OK" {
			t.Errorf("%s %s: %s %s", r.Host, r.Check, r.Status, r.Summary)
		}
	}
}

// sim --dir writes into that directory and leaves no temporary one behind.
func TestSimDirLeavesNoTemporaryDirectory(t *testing.T) {
	tmp, dir := t.TempDir(), t.TempDir()
	cmd := exec.Command(binary, "sim", "--hosts", "3", "--dir", dir)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "FLEETCHECK_CONFIG=")
	readUntil(t, cmd, "serving until interrupted")
	for _, f := range []string{"inventory.yaml", "owners.yaml", "ssh_config", "known_hosts", "id_ed25519"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("sim --dir: %v", err)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("sim after Ctrl-C: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
		t.Errorf("sim --dir left %v behind", left)
	}
}

// owners lint finds a rule naming a check that does not exist; owners
// explain warns about one.
func TestOwnersUnknownCheckNames(t *testing.T) {
	inv, owners := usageFiles(t)
	stdout, stderr, code := runBinary(t, "owners", "lint", "-i", inv, "--owners", owners)
	if code != 1 || !strings.Contains(stdout, `rule typo names check "pupet", which does not exist (did you mean "puppet"?)`) {
		t.Errorf("owners lint: exit %d, want 1 and the unknown check\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = runBinary(t, "owners", "explain", "-i", inv, "--owners", owners, "web01.example.invalid", "pupet")
	if code != 0 || !strings.Contains(stderr, `no check is named "pupet" (did you mean "puppet"?)`) || stdout == "" {
		t.Errorf("owners explain HOST pupet: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// checks NAME NAME shows each.
func TestChecksShowsEveryNamedCheck(t *testing.T) {
	stdout, stderr, code := runBinary(t, "checks", "puppet", "disk")
	if code != 0 || !strings.Contains(stdout, "puppet:") || !strings.Contains(stdout, "disk:") {
		t.Errorf("checks puppet disk: exit %d\n%s%s", code, stdout, stderr)
	}
	_, stderr, code = runBinary(t, "checks", "puppet", "dsk")
	wantExit(t, []string{"checks", "puppet", "dsk"}, stderr, code, exitUsage, `unknown check "dsk"`, `did you mean "disk"`)
}

// A host that never sends its banner reports the time it was waited for.
func TestBannerlessHostReportsItsWait(t *testing.T) {
	_, flags := simFiles(t, 1, fleetsim.FaultHangBeforeBanner)
	args := append(append([]string{"sweep"}, flags...), "-o", "json", "--no-progress", "-c", "disk", "--connect-timeout", "1s", "all")
	stdout, stderr, _ := runBinary(t, args...)
	var doc struct {
		Results []struct {
			ErrorKind  string `json:"error_kind"`
			DurationMS int64  `json:"duration_ms"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Results) != 1 {
		t.Fatalf("%v\n%s%s", err, stdout, stderr)
	}
	if r := doc.Results[0]; r.ErrorKind != "timeout" || r.DurationMS < 900 {
		t.Errorf("result %+v, want a timeout of about 1000 ms", r)
	}
}

// readUntil starts cmd and reads its stderr until it has printed word;
// the rest of stderr is drained in the background.
func readUntil(t *testing.T, cmd *exec.Cmd, word string) string {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var seen bytes.Buffer
	buf := make([]byte, 4096)
	for !strings.Contains(seen.String(), word) {
		n, err := stderr.Read(buf)
		if err != nil {
			t.Fatalf("%s stopped before printing %q: %v\n%s", cmd.Args[1], word, err, seen.String())
		}
		seen.Write(buf[:n])
	}
	go io.Copy(io.Discard, stderr)
	return seen.String()
}

// An unknown host key says which known_hosts files were read and how to
// accept it; --accept-new says what it recorded, as OpenSSH does.
func TestHostKeyMessages(t *testing.T) {
	_, flags := simFiles(t, 1)
	kh := writeFile(t, t.TempDir(), "known_hosts", "")
	flags[3] = kh // -i INV --known-hosts FILE --ssh-config none
	args := append(append([]string{"sweep"}, flags...), "-o", "json", "--no-progress", "-c", "disk", "all")
	stdout, stderr, code := runBinary(t, args...)
	var doc struct {
		Results []struct {
			ErrorKind string `json:"error_kind"`
			Details   string `json:"details"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Results) != 1 {
		t.Fatalf("%v\n%s%s", err, stdout, stderr)
	}
	r := doc.Results[0]
	if code != exitNoVerdict || r.ErrorKind != "hostkey_unknown" || !strings.Contains(r.Details, "known_hosts files read: "+kh) || !strings.Contains(r.Details, "--accept-new") {
		t.Errorf("exit %d, result %+v: want hostkey_unknown naming %s and --accept-new", code, r, kh)
	}
	_, stderr, code = runBinary(t, append(args, "--accept-new")...)
	if code != 0 || !strings.Contains(stderr, "Permanently added [127.") || !strings.Contains(stderr, kh) {
		t.Errorf("--accept-new: exit %d, stderr %q: want what was recorded and where", code, stderr)
	}
	if data, _ := os.ReadFile(kh); len(data) == 0 {
		t.Error("--accept-new recorded nothing")
	}
}
