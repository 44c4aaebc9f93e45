package checks

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPuppetGolden(t *testing.T) {
	runGolden(t, mustBuiltin(t, "puppet", nil), "testdata/puppet")
}

// TestPuppetGoldenThresholds runs the cases with tighter thresholds, so
// that the parameters are shown to reach the verdict.
func TestPuppetGoldenThresholds(t *testing.T) {
	runGolden(t, mustBuiltin(t, "puppet", Params{"warn": "10m", "crit": "20m", "disabled_crit": "2h"}), "testdata/puppet/thresholds")
}

func TestPuppetParams(t *testing.T) {
	for _, tc := range []struct {
		name    string
		params  Params
		wantKey string // "" for no error
	}{
		{"defaults", nil, ""},
		{"all", Params{"warn": "30m", "crit": "2h", "disabled_crit": "3d"}, ""},
		{"seconds", Params{"warn": 600, "crit": 7200}, ""},
		{"unknown", Params{"warning": "1h"}, "warning"},
		{"bad warn", Params{"warn": "soon"}, "warn"},
		{"crit below warn", Params{"warn": "2h", "crit": "1h"}, "crit"},
		{"zero disabled", Params{"disabled_crit": 0}, "disabled_crit"},
		{"list", Params{"crit": []any{"1h"}}, "crit"},
		{"hung", Params{"hung": "2h"}, ""},
		{"zero hung", Params{"hung": "0s"}, "hung"},
		{"root", Params{"root": "/srv/chroot/"}, ""},
		{"relative root", Params{"root": "srv/chroot"}, "root"},
		{"root with newline", Params{"root": "/srv/a\nb"}, "root"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Builtins().New("puppet", "puppet", tc.params)
			assertParamErr(t, err, tc.wantKey)
		})
	}
}

// TestPuppetCommandOnThisHost runs the real command against layouts made
// under a temporary root (the root parameter) and evaluates what it prints.
func TestPuppetCommandOnThisHost(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	root := filepath.Join(t.TempDir(), "it's a root")
	chk := mustBuiltin(t, "puppet", Params{"root": root})
	run := func() Result {
		t.Helper()
		return runPuppetCommand(t, chk, time.Now())
	}
	if r := run(); r.Status != Unknown || !strings.Contains(r.Summary, "no summary found (looked in "+root+"/var/cache/puppet/public, ") {
		t.Fatalf("no state: got %s %q", r.Status, r.Summary)
	}

	summary, err := os.ReadFile("testdata/puppet/legacy_path.out")
	if err != nil {
		t.Fatal(err)
	}
	yamlBody := strings.SplitN(string(summary), "mtime=1799999300 ---\n", 2)[1]
	yamlBody = strings.SplitN(yamlBody, "--- fleetcheck:end ---", 2)[0]
	yamlBody = strings.Replace(yamlBody, "last_run: 1799998200", "last_run: "+unixNow(-300), 1)
	legacy := filepath.Join(root, "var/lib/puppet/state")
	writeTestFile(t, filepath.Join(legacy, "last_run_summary.yaml"), yamlBody)
	r := run()
	if r.Status != OK || !strings.Contains(r.Details, legacy) || !strings.HasPrefix(r.Summary, "last run 5m ago: 189 resources") {
		t.Fatalf("legacy summary: got %s %q\n%s", r.Status, r.Summary, r.Details)
	}

	// The lock of another state directory than the summary's is not read.
	aioState := filepath.Join(root, "opt/puppetlabs/puppet/cache/state")
	writeTestFile(t, filepath.Join(aioState, "agent_disabled.lock"), `{"disabled_message":"it's \"maintenance\""}`)
	if r = run(); r.Status != OK {
		t.Fatalf("lock of another layout: got %s %q", r.Status, r.Summary)
	}
	writeTestFile(t, filepath.Join(legacy, "agent_disabled.lock"), `{"disabled_message":"it's \"maintenance\""}`)
	r = run()
	if r.Status != Warning || r.Reason != "disabled" || !strings.Contains(r.Summary, `agent disabled for 0s: "it's \"maintenance\""`) {
		t.Fatalf("disabled: got %s %q (%s)", r.Status, r.Summary, r.Reason)
	}

	// A newer summary in another layout wins, with its state directory.
	writeTestFile(t, filepath.Join(root, "opt/puppetlabs/puppet/public/last_run_summary.yaml"),
		"---\nversion: {puppet: 8.4.0}\ntime: {last_run: "+unixNow(-120)+"}\n")
	r = run()
	if r.Status != Critical || r.Reason != "catalog_failed" || !strings.Contains(r.Summary, "Failed to apply catalog") ||
		!strings.Contains(r.Summary, "agent disabled") || !strings.Contains(r.Details, "/opt/puppetlabs/puppet/public/last_run_summary.yaml") {
		t.Fatalf("aio catalog failure: got %s %q\n%s", r.Status, r.Summary, r.Details)
	}
}

// runPuppetCommand runs chk's command with sh on this host and evaluates
// its output as received at now.
func runPuppetCommand(t *testing.T, chk Check, now time.Time) Result {
	t.Helper()
	stdout, stderr, code := runShell(t, chk.Command())
	return chk.Evaluate(Output{Stdout: stdout, Stderr: stderr, ExitCode: code, Now: now})
}

// runShell runs command with the real /bin/sh and returns what it printed
// and its exit status.
func runShell(t *testing.T, command string) (stdout, stderr []byte, code int) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", command)
	stdout, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		stderr = ee.Stderr
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout, stderr, cmd.ProcessState.ExitCode()
}

// unixNow is the local clock offset by sec seconds, as decimal Unix time.
func unixNow(sec int64) string {
	return strconv.FormatInt(time.Now().Unix()+sec, 10)
}

func TestPuppetContract(t *testing.T) {
	checkBuiltinContract(t, "puppet", nil)
}
