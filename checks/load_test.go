package checks

import (
	"os/exec"
	"testing"
	"time"
)

func TestLoadGolden(t *testing.T) {
	runGolden(t, mustBuiltin(t, "load", nil), "testdata/load")
}

// TestLoadGoldenPeriod1 judges the 1-minute average: the spike case that
// is OK on load5 becomes CRITICAL.
func TestLoadGoldenPeriod1(t *testing.T) {
	runGolden(t, mustBuiltin(t, "load", Params{"period": 1, "warn": 1.5, "crit": "3"}), "testdata/load/period1")
}

func TestLoadParams(t *testing.T) {
	for _, tc := range []struct {
		name    string
		params  Params
		wantKey string
	}{
		{"defaults", nil, ""},
		{"period 15", Params{"period": 15}, ""},
		{"period 10", Params{"period": 10}, "period"},
		{"crit below warn", Params{"warn": 3, "crit": 2}, "crit"},
		{"zero warn", Params{"warn": 0}, "warn"},
		{"unknown", Params{"per_cpu": true}, "per_cpu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Builtins().New("load", "load", tc.params)
			assertParamErr(t, err, tc.wantKey)
		})
	}
}

// TestLoadCommandOnThisHost runs the real command: Linux always has
// /proc/loadavg, so the verdict must not be UNKNOWN.
func TestLoadCommandOnThisHost(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	chk := mustBuiltin(t, "load", nil)
	stdout, err := exec.Command("sh", "-c", chk.Command()).Output()
	if err != nil {
		t.Fatalf("command failed: %v", err)
	}
	r := chk.Evaluate(Output{Stdout: stdout, Now: time.Now()})
	if r.Status == Unknown || len(r.Metrics) != 5 {
		t.Fatalf("got %s %q, %d metrics, from:\n%s", r.Status, r.Summary, len(r.Metrics), stdout)
	}
	t.Logf("this host: %s %s (%d bytes of output)", r.Status, r.Summary, len(stdout))
}

func TestLoadContract(t *testing.T) {
	checkBuiltinContract(t, "load", nil)
}
