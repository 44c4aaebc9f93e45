package bench

import (
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
