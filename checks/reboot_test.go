package checks

import (
	"os/exec"
	"testing"
	"time"
)

func TestRebootGolden(t *testing.T) {
	runGolden(t, mustBuiltin(t, "reboot", nil), "testdata/reboot")
}

func TestRebootGoldenCritAfter(t *testing.T) {
	runGolden(t, mustBuiltin(t, "reboot", Params{"crit_after": "30d"}), "testdata/reboot/crit_after")
}

func TestRebootParams(t *testing.T) {
	for _, tc := range []struct {
		name    string
		params  Params
		wantKey string
	}{
		{"defaults", nil, ""},
		{"crit_after", Params{"crit_after": "2w"}, ""},
		{"zero", Params{"crit_after": "0s"}, "crit_after"},
		{"bad", Params{"crit_after": "a while"}, "crit_after"},
		{"unknown", Params{"warn": "1d"}, "warn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Builtins().New("reboot", "reboot", tc.params)
			assertParamErr(t, err, tc.wantKey)
		})
	}
}

// TestRebootCommandOnThisHost runs the real command and requires a clean
// verdict: this host either has a flag file or not.
func TestRebootCommandOnThisHost(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	chk := mustBuiltin(t, "reboot", nil)
	stdout, err := exec.Command("sh", "-c", chk.Command()).Output()
	if err != nil {
		t.Fatalf("command failed: %v", err)
	}
	r := chk.Evaluate(Output{Stdout: stdout, Now: time.Now()})
	if r.Status != OK && r.Status != Warning {
		t.Fatalf("got %s %q from:\n%s", r.Status, r.Summary, stdout)
	}
	t.Logf("this host: %s %s (%d bytes of output)", r.Status, r.Summary, len(stdout))
}

func TestRebootContract(t *testing.T) {
	checkBuiltinContract(t, "reboot", Params{"crit_after": "30d"})
}
