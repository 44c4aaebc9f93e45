package main

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSummarizeTakesMedianOfEachMetric(t *testing.T) {
	runs := []benchMeasure{
		{Wall: 3 * time.Second, User: 3 * time.Second, MaxRSS: 30e6, Hosts: 1000, Mallocs: 3000, NotOK: 0},
		{Wall: 1 * time.Second, User: 2 * time.Second, Sys: time.Second, MaxRSS: 10e6, Hosts: 1000, Mallocs: 1000, NotOK: 2},
		{Wall: 2 * time.Second, User: 1 * time.Second, MaxRSS: 20e6, Hosts: 1000, Mallocs: 2000},
	}
	s := summarize(runs)
	if s.WallSeconds != 2 || s.HostsPerSec != 500 || s.CPUMsPerHost != 3 || s.PeakRSSMB != 20 || s.AllocsPerHost != 2 || s.NotOK != 2 || s.Runs != 3 {
		t.Errorf("summarize = %+v", s)
	}
}

func TestParseIntList(t *testing.T) {
	got, err := parseIntList("100, 1000,10000", 1)
	if err != nil || len(got) != 3 || got[0] != 100 || got[2] != 10000 {
		t.Errorf("parseIntList = %v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "1,x", "-3"} {
		if _, err := parseIntList(bad, 1); err == nil {
			t.Errorf("parseIntList(%q): want error", bad)
		}
	}
}

func TestBenchBadFlagsAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--hosts", "0"},
		{"bench", "--latency", "soon"},
		{"bench", "--runs", "0"},
		{"bench", "-o", "xml"},
	} {
		if _, stderr, code := runInProcess(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, stderr)
		}
	}
}

// TestBenchQuick runs the harness's quick mode end to end: a sim of 100
// hosts in its own process, one sweep, and the OpenSSH side when ssh is
// installed.
func TestBenchQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a fleet and sweeps it")
	}
	stdout, stderr, code := runBinary(t, "bench", "--quick", "-o", "json")
	if code != 0 {
		t.Fatalf("bench --quick: exit %d\n%s", code, stderr)
	}
	var doc struct {
		Scenarios []struct {
			Scenario   benchScenario  `json:"scenario"`
			Fleetcheck []benchMeasure `json:"fleetcheck"`
			OpenSSH    []benchMeasure `json:"openssh"`
			Median     benchSummary   `json:"fleetcheck_median"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("bench json: %v\n%s", err, stdout)
	}
	if len(doc.Scenarios) != 1 || doc.Scenarios[0].Scenario.Hosts != 100 || len(doc.Scenarios[0].Fleetcheck) != 1 {
		t.Fatalf("scenarios = %+v", doc.Scenarios)
	}
	sc := doc.Scenarios[0]
	m := sc.Fleetcheck[0]
	if m.Results != 700 || m.NotOK != 0 || m.Wall <= 0 || m.CPU() <= 0 || m.MaxRSS <= 0 || m.Mallocs == 0 {
		t.Errorf("fleetcheck run = %+v, want 700 OK results (7 default checks × 100 hosts) and non-zero costs", m)
	}
	if sc.Median.HostsPerSec <= 0 || sc.Median.CPUMsPerHost <= 0 {
		t.Errorf("median = %+v", sc.Median)
	}
	if _, err := os.Stat("/usr/bin/ssh"); err != nil {
		return
	}
	if len(sc.OpenSSH) != 1 || sc.OpenSSH[0].Results != 100 || sc.OpenSSH[0].NotOK != 0 || sc.OpenSSH[0].CPU() <= 0 {
		t.Errorf("openssh runs = %+v, want 100 hosts reached", sc.OpenSSH)
	}
}
