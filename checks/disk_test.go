package checks

import (
	"fmt"
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
	if r.Status == Unknown || len(r.Metrics) == 0 || !strings.Contains(r.Details, "% used: ") {
		t.Fatalf("got %s %q\n%s\nfrom:\n%s", r.Status, r.Summary, r.Details, stdout)
	}
	t.Logf("this host: %s %s (%d bytes of output)", r.Status, r.Summary, len(stdout))
}

func TestDiskContract(t *testing.T) {
	checkBuiltinContract(t, "disk", Params{"exclude": "/boot/efi"})
}

// TestDiskGoldenExcludeTypes: tmpfs is checked by default (see
// unfiltered_df_pseudo_types: a full /run is CRITICAL); exclude_types
// skips it again.
func TestDiskGoldenExcludeTypes(t *testing.T) {
	runGolden(t, mustBuiltin(t, "disk", Params{"exclude_types": []any{"tmpfs", "devtmpfs", "squashfs", "overlay"}}), "testdata/disk/exclude_types")
}

// TestDiskReasonAndRanges: fs_full and inodes_full name why, and the
// thresholds written into the metrics alert exactly where the verdict
// does, for whole and fractional thresholds.
func TestDiskReasonAndRanges(t *testing.T) {
	for _, p := range []Params{nil, {"warn": 80.5, "crit": 90.5}, {"warn": 1, "crit": 100}} {
		chk := mustBuiltin(t, "disk", p)
		for used := int64(0); used <= 100; used++ {
			for _, inodes := range []bool{false, true} {
				bu, iu := used, int64(0)
				if inodes {
					bu, iu = 0, used
				}
				out := Output{Stdout: []byte(fmt.Sprintf("--- fleetcheck:blocks ---\n/dev/sda1 ext4 100 %d %d %d%% /\n--- fleetcheck:blocks-status rc=0 ---\n"+
					"--- fleetcheck:inodes ---\n/dev/sda1 ext4 100 %d %d %d%% /\n--- fleetcheck:inodes-status rc=0 ---\n--- fleetcheck:end ---\n",
					bu, 100-bu, bu, iu, 100-iu, iu))}
				r := chk.Evaluate(out)
				want := ""
				if r.Status != OK {
					want = map[bool]string{false: ReasonFSFull, true: ReasonInodesFull}[inodes]
				}
				if r.Status == Unknown || r.Reason != want {
					t.Fatalf("%v: used %d (inodes %v): %s %q reason %q, want reason %q", p, used, inodes, r.Status, r.Summary, r.Reason, want)
				}
				checkRangesAgree(t, r, "/")
			}
		}
	}
}

func TestDiskExcludeTypesParam(t *testing.T) {
	for _, tc := range []struct {
		p       Params
		wantKey string
		wantCmd string
	}{
		{nil, "", "-x devtmpfs -x squashfs -x overlay"},
		{Params{"exclude_types": []any{}}, "", ""},
		{Params{"exclude_types": "tmpfs, nfs4"}, "", "-x tmpfs -x nfs4"},
		{Params{"exclude_types": []any{"ext4; rm -rf /"}}, "exclude_types", ""},
	} {
		c, err := Builtins().New("disk", "disk", tc.p)
		assertParamErr(t, err, tc.wantKey)
		if err != nil {
			continue
		}
		cmd := c.Command()
		if tc.wantCmd == "" && strings.Contains(cmd, " -x ") || !strings.Contains(cmd, strings.TrimSpace("-k "+tc.wantCmd)) {
			t.Errorf("%v: command lacks %q:\n%s", tc.p, tc.wantCmd, cmd)
		}
	}
}
