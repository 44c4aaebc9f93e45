package checks

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestDiskGolden(t *testing.T) {
	runGolden(t, mustBuiltin(t, "disk", nil), "testdata/disk")
}

func TestDiskGoldenExclude(t *testing.T) {
	chk := mustBuiltin(t, "disk", Params{"exclude": []any{"/boot/efi", "/mnt/*", "/var"}, "warn": "80%", "crit": 90})
	runGolden(t, chk, "testdata/disk/exclude")
}

func TestDiskParams(t *testing.T) {
	for _, tc := range []struct {
		name    string
		params  Params
		wantKey string
	}{
		{"defaults", nil, ""},
		{"percent strings", Params{"warn": "80%", "crit": "90%"}, ""},
		{"exclude one", Params{"exclude": "/boot/efi"}, ""},
		{"crit below warn", Params{"warn": 90, "crit": 80}, "crit"},
		{"warn over 100", Params{"warn": 101}, "warn"},
		{"warn zero", Params{"warn": 0}, "warn"},
		{"not a number", Params{"crit": "lots"}, "crit"},
		{"bad glob", Params{"exclude": []any{"/mnt/["}}, "exclude"},
		{"unknown", Params{"include_types": []any{"ext4"}}, "include_types"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Builtins().New("disk", "disk", tc.params)
			assertParamErr(t, err, tc.wantKey)
		})
	}
}

func TestParseDF(t *testing.T) {
	rows, bad := parseDF([]string{
		"Filesystem     Type 1024-blocks     Used Available Capacity Mounted on",
		"/dev/sda1      ext4     1000      250       750      25% /mnt/a b  ",
		"/dev/sda15     vfat            0        0         0        - /boot/efi",
		"garbage line",
	})
	if len(rows) != 2 || len(bad) != 1 {
		t.Fatalf("rows %+v bad %q", rows, bad)
	}
	if rows[0].Mount != "/mnt/a b" || rows[0].Percent() != 25 || rows[1].Percent() != 0 {
		t.Errorf("rows %+v", rows)
	}
	if p := (dfRow{Used: 951, Avail: 49}).Percent(); p != 96 {
		t.Errorf("95.1%% rounds up to %v, want 96 as df does", p)
	}
}

// TestDiskCommandOnThisHost runs the real command: any host running the
// tests has a real root filesystem, so the verdict must not be UNKNOWN.
func TestDiskCommandOnThisHost(t *testing.T) {
	if _, err := exec.LookPath("df"); err != nil {
		t.Skip("no df")
	}
	chk := mustBuiltin(t, "disk", nil)
	stdout, err := exec.Command("sh", "-c", chk.Command()).Output()
	if err != nil {
		t.Fatalf("command failed: %v", err)
	}
	r := chk.Evaluate(Output{Stdout: stdout, Now: time.Now()})
	if r.Status == Unknown || len(r.Metrics) == 0 || !strings.Contains(r.Details, "% used of") {
		t.Fatalf("got %s %q\n%s\nfrom:\n%s", r.Status, r.Summary, r.Details, stdout)
	}
	t.Logf("this host: %s %s (%d bytes of output)", r.Status, r.Summary, len(stdout))
}

func TestDiskContract(t *testing.T) {
	checkBuiltinContract(t, "disk", Params{"exclude": "/boot/efi"})
}
