package checks

import (
	"os/exec"
	"testing"
	"time"
)

func TestMemoryGolden(t *testing.T) {
	runGolden(t, mustBuiltin(t, "memory", nil), "testdata/memory")
}

func TestMemoryParams(t *testing.T) {
	for _, tc := range []struct {
		name    string
		params  Params
		wantKey string
	}{
		{"defaults", nil, ""},
		{"percent strings", Params{"warn": "20%", "crit": "10%"}, ""},
		{"crit above warn", Params{"warn": 5, "crit": 10}, "crit"},
		{"warn zero", Params{"warn": 0}, "warn"},
		{"crit over 100", Params{"warn": 100, "crit": 101}, "crit"},
		{"unknown", Params{"swap_warn": 50}, "swap_warn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Builtins().New("memory", "memory", tc.params)
			assertParamErr(t, err, tc.wantKey)
		})
	}
}

// TestMemoryCommandOnThisHost runs the real command: Linux always has
// /proc/meminfo, so the verdict must not be UNKNOWN.
func TestMemoryCommandOnThisHost(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	chk := mustBuiltin(t, "memory", nil)
	stdout, err := exec.Command("sh", "-c", chk.Command()).Output()
	if err != nil {
		t.Fatalf("command failed: %v", err)
	}
	r := chk.Evaluate(Output{Stdout: stdout, Now: time.Now()})
	if r.Status == Unknown || len(r.Metrics) < 2 {
		t.Fatalf("got %s %q from:\n%s", r.Status, r.Summary, stdout)
	}
	t.Logf("this host: %s %s (%d bytes of output)", r.Status, r.Summary, len(stdout))
}

func TestMemoryContract(t *testing.T) {
	checkBuiltinContract(t, "memory", nil)
}
