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
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Builtins().New("puppet", "puppet", tc.params)
			assertParamErr(t, err, tc.wantKey)
		})
	}
}

// TestPuppetCommandOnThisHost runs the real command against state
// directories made in a temporary directory and evaluates what it prints.
func TestPuppetCommandOnThisHost(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	base := t.TempDir()
	aio, legacy := filepath.Join(base, "it's aio"), filepath.Join(base, "legacy")
	chk := &puppetCheck{name: "puppet", warn: time.Hour, crit: 24 * time.Hour, disabledCrit: 7 * 24 * time.Hour,
		stateDirs: []string{aio, legacy}}
	run := func() Result {
		t.Helper()
		cmd := exec.Command("sh", "-c", chk.Command())
		stdout, err := cmd.Output()
		var stderr []byte
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			stderr = ee.Stderr
		} else if err != nil {
			t.Fatal(err)
		}
		return chk.Evaluate(Output{Stdout: stdout, Stderr: stderr, ExitCode: cmd.ProcessState.ExitCode(), Now: time.Now()})
	}
	if r := run(); r.Status != Unknown || !strings.Contains(r.Summary, "no last_run_summary.yaml") {
		t.Fatalf("no state: got %s %q", r.Status, r.Summary)
	}

	summary, err := os.ReadFile("testdata/puppet/legacy_path.out")
	if err != nil {
		t.Fatal(err)
	}
	yamlBody := strings.SplitN(string(summary), "mtime=1799999300 ---\n", 2)[1]
	yamlBody = strings.SplitN(yamlBody, "--- fleetcheck:end ---", 2)[0]
	yamlBody = strings.Replace(yamlBody, "last_run: 1799998200", "last_run: "+unixNow(-300), 1)
	writeTestFile(t, filepath.Join(legacy, "last_run_summary.yaml"), yamlBody)
	r := run()
	if r.Status != OK || !strings.Contains(r.Details, legacy) || !strings.HasPrefix(r.Summary, "last run 5m ago: 189 resources") {
		t.Fatalf("legacy summary: got %s %q\n%s", r.Status, r.Summary, r.Details)
	}

	writeTestFile(t, filepath.Join(aio, "agent_disabled.lock"), `{"disabled_message":"it's \"maintenance\""}`)
	r = run()
	if r.Status != Warning || !strings.Contains(r.Summary, `agent disabled for 0s: "it's \"maintenance\""`) {
		t.Fatalf("disabled: got %s %q", r.Status, r.Summary)
	}

	// The AIO directory wins over the legacy one once it has a summary.
	writeTestFile(t, filepath.Join(aio, "last_run_summary.yaml"), "---\nversion: {puppet: 8.4.0}\ntime: {last_run: "+unixNow(-7200)+"}\n")
	r = run()
	if r.Status != Critical || !strings.Contains(r.Summary, "Failed to apply catalog") || !strings.Contains(r.Details, aio) {
		t.Fatalf("aio catalog failure: got %s %q\n%s", r.Status, r.Summary, r.Details)
	}
}

// unixNow is the local clock offset by sec seconds, as decimal Unix time.
func unixNow(sec int64) string {
	return strconv.FormatInt(time.Now().Unix()+sec, 10)
}

func TestPuppetContract(t *testing.T) {
	checkBuiltinContract(t, "puppet", nil)
}
