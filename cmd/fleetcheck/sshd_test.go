package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/sshdtest"
)

// realHost writes an inventory, known_hosts and config for one real sshd
// and returns the common flags to reach it.
func realHost(t *testing.T, srv *sshdtest.Server, knownHostsLine string, extraConfig string) []string {
	t.Helper()
	dir := t.TempDir()
	inv := writeFile(t, dir, "hosts.yaml", fmt.Sprintf(`
hosts:
  - name: real.example.org
    address: 127.0.0.1
    port: %d
    user: %s
    identity_file: %s
    labels: {role: test}
`, srv.Port, srv.User, srv.ClientKeyPath))
	kh := writeFile(t, dir, "known_hosts", knownHostsLine+"\n")
	cfg := writeFile(t, dir, "fleetcheck.yaml", "inventory: hosts.yaml\nknown_hosts: known_hosts\n"+extraConfig)
	_ = inv
	_ = kh
	return []string{"--config", cfg, "--ssh-config", "none"}
}

// A sweep of a real OpenSSH sshd with every default check: each check's
// command runs on a stock Debian host and is parsed without transport
// errors, and a Nagios plugin's status and perfdata come through.
func TestSweepRealSSHD(t *testing.T) {
	srv := sshdtest.Start(t)
	flags := realHost(t, srv, srv.HostKeyLine(), `checks:
  puppet: {}
  systemd: {}
  disk: {}
  reboot: {}
  ntp: {}
  load: {}
  memory: {}
  fake-plugin:
    nagios: "echo 'DISK WARNING - /var at 91% | used=91%;85;95;0;100'; exit 1"
`)
	args := append([]string{"sweep"}, flags...)
	stdout, stderr, code := runBinary(t, append(args, "-o", "json", "--no-progress", "--timeout", "20s", "all")...)
	var doc jsonSweep
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("JSON: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	if len(doc.Results) != 8 {
		t.Fatalf("%d results, want 8:\n%s", len(doc.Results), stdout)
	}
	for _, r := range doc.Results {
		if r.ErrorKind != "" || r.Status == "UNREACHABLE" {
			t.Errorf("%s: %s %s (%s): the real host was reachable", r.Check, r.Status, r.ErrorKind, r.Summary)
		}
		if r.Summary == "" {
			t.Errorf("%s: empty summary", r.Check)
		}
		switch r.Check {
		case "puppet":
			// Puppet never ran on the test machine: the check must say so,
			// not guess why (issue 12).
			if r.Status != "UNKNOWN" || r.Reason != "no_summary" || !strings.Contains(r.Summary, "no summary found (looked in /var/cache/puppet/public, ") {
				t.Errorf("puppet on a host where it never ran: %s %q (%s), want UNKNOWN no summary found", r.Status, r.Summary, r.Reason)
			}
		case "load", "memory":
			if r.Status == "UNKNOWN" {
				t.Errorf("%s could not read /proc on a real Linux host: %q", r.Check, r.Summary)
			}
		case "fake-plugin":
			if r.Status != "WARNING" || r.Summary != "DISK WARNING - /var at 91%" {
				t.Errorf("nagios plugin: %s %q, want WARNING with the plugin's first line", r.Status, r.Summary)
			}
			if len(r.Metrics) != 1 || r.Metrics[0].Name != "used" || r.Metrics[0].Value != 91 || r.Metrics[0].Unit != "%" {
				t.Errorf("nagios perfdata: %+v, want used=91%%", r.Metrics)
			}
		}
	}
	if code < 1 || code > 3 {
		t.Errorf("exit code %d, want 1..3 (a WARNING plugin at least)", code)
	}
}

// A sweep of a real sshd host laid out as Debian's Puppet 7 (under a
// temporary root, the check's root parameter): the summary in
// /var/cache/puppet/public and the report in /var/cache/puppet/state, as
// real Puppet 7.23 wrote them for a run with a failing exec.
func TestSweepRealSSHDPuppet7Debian(t *testing.T) {
	srv := sshdtest.Start(t)
	root := t.TempDir()
	fixture := "../../checks/testdata/puppet/real/failing_exec"
	for _, f := range []string{"var/cache/puppet/public/last_run_summary.yaml", "var/cache/puppet/state/last_run_report.yaml"} {
		data, err := os.ReadFile(filepath.Join(fixture, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Dir(filepath.Join(root, f)), filepath.Base(f), string(data))
	}
	// The fixture's run is as old as the fixture: thresholds that never
	// make it stale keep the verdict about the run itself.
	flags := realHost(t, srv, srv.HostKeyLine(), fmt.Sprintf("checks:\n  puppet: {root: %q, warn: 36500d, crit: 36500d}\n", root))
	stdout, stderr, code := runBinary(t, append(append([]string{"sweep"}, flags...), "-o", "json", "--no-progress", "--timeout", "20s", "all")...)
	var doc jsonSweep
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("JSON: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	if len(doc.Results) != 1 {
		t.Fatalf("%d results, want 1:\n%s", len(doc.Results), stdout)
	}
	r := doc.Results[0]
	if r.Status != "WARNING" || r.Reason != "failed_resources" || !strings.HasPrefix(r.Summary, "1 resource failed: Exec[migrate-db]; last run ") {
		t.Errorf("Debian Puppet 7 host: %s %q (%s), want WARNING naming Exec[migrate-db] (failed_resources)", r.Status, r.Summary, r.Reason)
	}
	if code != 1 {
		t.Errorf("exit code %d, want 1 (a WARNING)", code)
	}
}

// A changed host key: UNREACHABLE with hostkey_mismatch, exit 3, and the
// command is never sent.
func TestSweepRealSSHDHostKeyMismatch(t *testing.T) {
	srv := sshdtest.Start(t)
	other := sshdtest.Start(t)
	wrong := strings.Replace(other.HostKeyLine(), fmt.Sprint(other.Port), fmt.Sprint(srv.Port), 1)
	flags := realHost(t, srv, wrong, "checks:\n  marker:\n    nagios: \"touch "+srv.Dir+"/was-run\"\n")
	stdout, stderr, code := runBinary(t, append(append([]string{"sweep"}, flags...), "-o", "json", "--no-progress", "all")...)
	var doc jsonSweep
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("JSON: %v\n%s\n%s", err, stdout, stderr)
	}
	if code != 3 || len(doc.Results) != 1 || doc.Results[0].Status != "UNREACHABLE" || doc.Results[0].ErrorKind != "hostkey_mismatch" {
		t.Fatalf("exit %d results %+v, want exit 3 and one UNREACHABLE hostkey_mismatch", code, doc.Results)
	}
	if _, _, c := runBinary(t, "exec", "--force", "-i", "/dev/null", fmt.Sprintf("D{%s}", "x.invalid"), "--", "true"); c == 0 {
		t.Error("exec on an unresolvable host exited 0")
	}
}

// exec on a real host: output grouped and the success ratio line.
func TestExecRealSSHD(t *testing.T) {
	srv := sshdtest.Start(t)
	flags := realHost(t, srv, srv.HostKeyLine(), "")
	stdout, stderr, code := runBinary(t, append(append([]string{"exec"}, flags...), "--force", "all", "--", "echo hello from $(hostname -s >/dev/null && echo sshd)")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"real.example.org", "hello from sshd", "100.0% (1/1) success ratio"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("exec output lacks %q:\n%s", want, stdout)
		}
	}
}
