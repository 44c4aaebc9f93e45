package checks

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestSystemdGolden(t *testing.T) {
	runGolden(t, mustBuiltin(t, "systemd", nil), "testdata/systemd")
}

func TestSystemdGoldenIgnore(t *testing.T) {
	chk := mustBuiltin(t, "systemd", Params{"ignore": []any{"*.timer", "apt-daily*.service", "*.mount"}})
	runGolden(t, chk, "testdata/systemd/ignore")
}

func TestSystemdGoldenWarnOnly(t *testing.T) {
	chk := mustBuiltin(t, "systemd", Params{"warn_only": []any{"certbot.service", "*.timer"}, "ignore": "apt-daily*"})
	runGolden(t, chk, "testdata/systemd/warn_only")
}

func TestSystemdParams(t *testing.T) {
	for _, tc := range []struct {
		name    string
		params  Params
		wantKey string
	}{
		{"none", nil, ""},
		{"one glob", Params{"ignore": "foo*.service"}, ""},
		{"list", Params{"ignore": []any{"a.service", "b@*.service"}}, ""},
		{"bad glob", Params{"ignore": []any{"[unclosed"}}, "ignore"},
		{"empty glob", Params{"ignore": []any{""}}, "ignore"},
		{"not strings", Params{"ignore": []any{1}}, "ignore"},
		{"warn_only", Params{"warn_only": []any{"certbot.service"}}, ""},
		{"bad warn_only glob", Params{"warn_only": "a[", "ignore": "b"}, "warn_only"},
		{"unknown", Params{"units": "x"}, "units"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Builtins().New("systemd", "systemd", tc.params)
			assertParamErr(t, err, tc.wantKey)
		})
	}
}

func TestParseSystemdUnit(t *testing.T) {
	for _, tc := range []struct {
		line string
		want string // name, "" when the line is rejected
	}{
		{"nginx.service loaded failed failed A web server", "nginx.service"},
		{"● kdump.service loaded failed failed Crash recovery", "kdump.service"},
		{"gone.service not-found failed failed gone.service", "gone.service"},
		{"x.timer loaded failed failed", "x.timer"},
		{"nginx loaded failed failed A web server", ""},
		{".service loaded failed failed", ""},
		{"nginx.service weird failed failed", ""},
		{"nginx.service loaded failed", ""},
		{"0 loaded units listed.", ""},
	} {
		u, ok := parseSystemdUnit(tc.line)
		if got := map[bool]string{true: u.Name, false: ""}[ok]; got != tc.want {
			t.Errorf("parseSystemdUnit(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

// TestSystemdCommandOnThisHost runs the real command: whatever this host
// is (systemd, a container without it), the verdict must be a clean one.
func TestSystemdCommandOnThisHost(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	chk := mustBuiltin(t, "systemd", nil)
	stdout, err := exec.Command("sh", "-c", chk.Command()).Output()
	if err != nil {
		t.Fatalf("command failed: %v", err)
	}
	r := chk.Evaluate(Output{Stdout: stdout, Now: time.Now()})
	if r.Status == Unknown && !strings.Contains(r.Summary, "systemctl") {
		t.Fatalf("UNKNOWN not explained by systemctl: %q\n%s", r.Summary, stdout)
	}
	t.Logf("this host: %s %s", r.Status, r.Summary)
}

func TestSystemdContract(t *testing.T) {
	checkBuiltinContract(t, "systemd", Params{"ignore": "x*.service"})
}
