package checks

import (
	"os/exec"
	"testing"
	"time"
)

func TestNTPGolden(t *testing.T) {
	runGolden(t, mustBuiltin(t, "ntp", nil), "testdata/ntp")
}

func TestNTPParams(t *testing.T) {
	for _, tc := range []struct {
		name    string
		params  Params
		wantKey string
	}{
		{"defaults", nil, ""},
		{"both", Params{"warn": "50ms", "crit": "500ms"}, ""},
		{"crit below warn", Params{"warn": "2s", "crit": "1s"}, "crit"},
		{"zero warn", Params{"warn": "0s"}, "warn"},
		{"bad", Params{"warn": "fast"}, "warn"},
		{"unknown", Params{"server": "pool.ntp.org"}, "server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Builtins().New("ntp", "ntp", tc.params)
			assertParamErr(t, err, tc.wantKey)
		})
	}
}

func TestParseSystemdTimespan(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"-1.390ms", -1390 * time.Microsecond, true},
		{"+283us", 283 * time.Microsecond, true},
		{"283µs", 283 * time.Microsecond, true},
		{"1.5s", 1500 * time.Millisecond, true},
		{"1min 2.5s", 62500 * time.Millisecond, true},
		{"-12ns", -12, true},
		{"", 0, false},
		{"fast", 0, false},
		{"1.5 s", 0, false},
	} {
		got, ok := parseSystemdTimespan(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseSystemdTimespan(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestNTPCommandOnThisHost runs the real command; any verdict is fine but
// it must come from a complete answer, never from a broken shell line.
func TestNTPCommandOnThisHost(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	chk := mustBuiltin(t, "ntp", nil)
	cmd := exec.Command("sh", "-c", chk.Command())
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("command failed: %v", err)
	}
	if _, err := readSections(Output{Stdout: stdout}); err != nil {
		t.Fatalf("incomplete output: %v\n%s", err, stdout)
	}
	r := chk.Evaluate(Output{Stdout: stdout, Now: time.Now()})
	t.Logf("this host: %s %s (%d bytes of output)", r.Status, r.Summary, len(stdout))
}

func TestNTPContract(t *testing.T) {
	checkBuiltinContract(t, "ntp", nil)
}
