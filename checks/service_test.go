package checks

import (
	"os/exec"
	"strings"
	"testing"
)

func TestServiceGolden(t *testing.T) {
	chk := mustNew(t, "service", "db-and-web", Params{"units": []any{"nginx.service", "postgresql.service"}})
	runGolden(t, chk, "testdata/service")
}

func TestServiceSingleUnitSummary(t *testing.T) {
	chk := mustNew(t, "service", "web", Params{"units": "nginx.service"})
	res := chk.Evaluate(Output{Stdout: []byte("--- fleetcheck:units ---\nnginx.service active\n--- fleetcheck:end ---\n")})
	if res.Status != OK || res.Summary != "nginx.service active" {
		t.Errorf("got %s %q, want OK %q", res.Status, res.Summary, "nginx.service active")
	}
}

func TestServiceNew(t *testing.T) {
	tests := []paramCase{
		{Params{"units": []any{"a.service", "b"}}, ""},
		{Params{}, `parameter "units": required: a list of systemd units`},
		{Params{"units": []any{}}, `parameter "units": required: a list of systemd units`},
		{Params{"units": []any{"ok", 3}}, `parameter "units": item 2: expected a string, found the integer 3`},
		{Params{"units": []any{"--all"}}, `parameter "units": item 1: unit name "--all" starts with '-'`},
		{Params{"units": []any{"a b"}}, `parameter "units": item 1: unit name "a b" contains white space or control characters`},
		{Params{"units": []any{""}}, `parameter "units": item 1: empty unit name`},
		{Params{"units": "a", "unit": "b"}, `parameter "unit": unknown parameter (known: units)`},
	}
	checkNewErrors(t, "service", "s", tests)
}

func TestServiceCommandQuotesUnits(t *testing.T) {
	chk := mustNew(t, "service", "s", Params{"units": []any{"getty@tty1.service", "it's$(reboot).service", "getty@tty1.service"}})
	cmd := chk.Command()
	if !strings.Contains(cmd, `for u in getty@tty1.service 'it'\''s$(reboot).service';`) {
		t.Errorf("units not quoted (or not de-duplicated) in %q", cmd)
	}
	if out, err := exec.Command("sh", "-n", "-c", cmd).CombinedOutput(); err != nil {
		t.Errorf("sh -n: %v: %s", err, out)
	}
}

func TestServiceRunsHere(t *testing.T) {
	// Whatever this machine is (a container without systemd, a systemd
	// host), the command must give a well-formed verdict, never "truncated".
	chk := mustNew(t, "service", "s", Params{"units": []any{"fleetcheck-no-such-unit.service"}})
	res := chk.Evaluate(runCommandHere(t, chk.Command()))
	if res.Status == OK || strings.Contains(res.Summary, "truncated") || strings.Contains(res.Summary, "unexpected output") {
		t.Errorf("a unit that does not exist: got %s %q", res.Status, res.Summary)
	}
	t.Logf("here: %s %s", res.Status, res.Summary)
}

func TestServiceContract(t *testing.T) {
	checkBuiltinContract(t, "service", Params{"units": []any{"nginx.service"}})
}
