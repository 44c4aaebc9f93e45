package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestBadFlagsAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--hosts", "0"},
		{"--latency", "soon"},
		{"--runs", "0"},
		{"-o", "xml"},
		{"--bogus"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append([]string{"fleetcheck-bench"}, args...), &stdout, &stderr); code != 64 {
			t.Errorf("%v: exit %d, want 64 (%s)", args, code, stderr.String())
		}
	}
}

// TestQuick runs the harness's quick mode end to end through the built
// binary: a sim of 100 hosts in its own process, one sweep, and the
// OpenSSH side when ssh is installed.
func TestQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a fleet and sweeps it")
	}
	bin := filepath.Join(t.TempDir(), "fleetcheck-bench")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("building: %v", err)
	}
	cmd := exec.Command(bin, "--quick", "-o", "json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("--quick: %v\n%s", err, stderr.String())
	}
	type measure struct {
		Wall    int64  `json:"wall_ns"`
		User    int64  `json:"user_cpu_ns"`
		MaxRSS  int64  `json:"max_rss_bytes"`
		Mallocs uint64 `json:"mallocs"`
		Results int    `json:"results"`
		NotOK   int    `json:"not_ok"`
	}
	var doc struct {
		Scenarios []struct {
			Scenario struct {
				Hosts int `json:"hosts"`
			} `json:"scenario"`
			Fleetcheck []measure `json:"fleetcheck"`
			OpenSSH    []measure `json:"openssh"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, stdout.String())
	}
	if len(doc.Scenarios) != 1 || doc.Scenarios[0].Scenario.Hosts != 100 || len(doc.Scenarios[0].Fleetcheck) != 1 {
		t.Fatalf("scenarios = %+v", doc.Scenarios)
	}
	sc := doc.Scenarios[0]
	if m := sc.Fleetcheck[0]; m.Results != 700 || m.NotOK != 0 || m.Wall <= 0 || m.User <= 0 || m.MaxRSS <= 0 || m.Mallocs == 0 {
		t.Errorf("sweep run = %+v, want 700 OK results (7 default checks × 100 hosts) and non-zero costs", m)
	}
	if _, err := os.Stat("/usr/bin/ssh"); err != nil {
		return
	}
	if len(sc.OpenSSH) != 1 || sc.OpenSSH[0].Results != 100 || sc.OpenSSH[0].NotOK != 0 {
		t.Errorf("openssh runs = %+v, want 100 hosts reached", sc.OpenSSH)
	}
}
