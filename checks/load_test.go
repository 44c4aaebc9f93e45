package checks

import (
	"os/exec"
	"strings"
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

// TestLoadGoldenPeriodAll judges the three averages, as check_load does:
// the spike that load5 does not see is the verdict, and the summary says
// which period it is.
func TestLoadGoldenPeriodAll(t *testing.T) {
	runGolden(t, mustBuiltin(t, "load", Params{"period": "all"}), "testdata/load/periodall")
}

// TestLoadReasonAndRanges: a result over a threshold says load_high, and
// the thresholds written into the metrics alert exactly where the verdict
// does (a dashboard reading the perfdata agrees with the status).
func TestLoadReasonAndRanges(t *testing.T) {
	for _, period := range []any{1, 5, 15, "all"} {
		chk := mustBuiltin(t, "load", Params{"period": period})
		for _, load := range []string{"0.00", "7.99", "8.00", "8.01", "15.99", "16.00", "31.99", "32.00", "40.00"} {
			out := Output{Stdout: []byte("--- fleetcheck:loadavg ---\n" + load + " " + load + " " + load + " 1/100 1\n" +
				"--- fleetcheck:cpus ---\n4\n--- fleetcheck:uptime ---\n100.0 100.0\n--- fleetcheck:end ---\n")}
			r := chk.Evaluate(out)
			if (r.Status != OK) != (r.Reason == ReasonLoadHigh) {
				t.Errorf("period %v load %s: %s with reason %q", period, load, r.Status, r.Reason)
			}
			checkRangesAgree(t, r, "load")
		}
	}
}

// checkRangesAgree checks that each metric of r whose name starts with
// prefix and that carries thresholds alerts by its ranges exactly as r's
// status says, for the metric the status was judged on (the worst).
func checkRangesAgree(t *testing.T, r Result, prefix string) {
	t.Helper()
	worst := OK
	for _, m := range r.Metrics {
		if m.Warn == "" || !strings.HasPrefix(m.Name, prefix) {
			continue
		}
		w, err1 := ParseRange(m.Warn)
		c, err2 := ParseRange(m.Crit)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad ranges %q %q", m.Name, m.Warn, m.Crit)
		}
		st := OK
		switch {
		case c.Alert(m.Value):
			st = Critical
		case w.Alert(m.Value):
			st = Warning
		}
		worst = Worst(worst, st)
	}
	if worst != r.Status {
		t.Errorf("%q: perfdata ranges say %s, the verdict %s (metrics %s)", r.Summary, worst, r.Status, FormatPerfdata(r.Metrics))
	}
}
