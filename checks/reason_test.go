package checks

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReasons checks the reason of every golden case of the checks whose
// verdicts carry one: the listed cases have that reason, every other case
// none, and no WARNING or CRITICAL is left without one.
func TestReasons(t *testing.T) {
	byDir := map[string]Check{
		"systemd": mustBuiltin(t, "systemd", nil),
		"ntp":     mustBuiltin(t, "ntp", nil),
		"memory":  mustBuiltin(t, "memory", nil),
		"reboot":  mustBuiltin(t, "reboot", nil),
		"certs":   mustNew(t, "certs", "tls", Params{"files": []any{"/etc/ssl/certs/www.pem", "/etc/ssl/certs/api.pem"}}),
		"http":    mustNew(t, "http", "health", Params{"url": "https://example.org/health", "warn": "1s", "crit": "3s"}),
		"service": mustNew(t, "service", "db-and-web", Params{"units": []any{"nginx.service", "postgresql.service"}}),
	}
	want := map[[2]string]string{}
	for _, c := range []struct{ dir, name, reason string }{
		{"certs", "critical", "cert_expiring"},
		{"certs", "critical_and_missing", "cert_expiring"},
		{"certs", "expired", "cert_expired"},
		{"certs", "expires_within_hours", "cert_expiring"},
		{"certs", "garbage_locale", "cert_unreadable"},
		{"certs", "host_clock_ahead", "cert_expired"},
		{"certs", "no_openssl", "no_openssl"},
		{"certs", "not_a_certificate", "cert_unreadable"},
		{"certs", "unknown_missing_file", "cert_missing"},
		{"certs", "unknown_unreadable_and_missing", "cert_missing"},
		{"certs", "warning", "cert_expiring"},
		{"http", "client_error", "http_4xx"},
		{"http", "connection_refused", "http_fetch_failed"},
		{"http", "dns_failure", "http_fetch_failed"},
		{"http", "server_error", "http_5xx"},
		{"http", "slow_critical", "http_slow"},
		{"http", "slow_warning", "http_slow"},
		{"http", "timeout", "http_timeout"},
		{"http", "tls_failure", "http_tls"},
		{"http", "wget_connection_refused", "http_fetch_failed"},
		{"http", "wget_server_error", "http_5xx"},
		{"memory", "critical", "memory_low"},
		{"memory", "old_kernel_critical", "memory_low"},
		{"memory", "warning", "memory_low"},
		{"ntp", "chrony_critical_offset", "clock_offset"},
		{"ntp", "chrony_not_synchronised", "unsynced"},
		{"ntp", "chrony_warning_offset", "clock_offset"},
		{"ntp", "neither_tool", "no_ntp_client"},
		{"ntp", "timesyncd_critical", "clock_offset"},
		{"ntp", "timesyncd_unsynced", "unsynced"},
		{"ntp", "timesyncd_warning", "clock_offset"},
		{"ntp", "ubuntu1804_status_unsynced", "unsynced"},
		{"reboot", "another_locale_rhel", "reboot_required"},
		{"reboot", "both_required", "reboot_required"},
		{"reboot", "debian_required_rhel_error", "reboot_required"},
		{"reboot", "garbage_pkgs", "reboot_required"},
		{"reboot", "no_host_clock", "reboot_required"},
		{"reboot", "required_debian_no_pkgs", "reboot_required"},
		{"reboot", "required_debian_pkgs", "reboot_required"},
		{"reboot", "required_no_mtime", "reboot_required"},
		{"reboot", "required_rhel", "reboot_required"},
		{"reboot", "required_ubuntu_many_pkgs", "reboot_required"},
		{"service", "bus_error", "unit_state_missing"},
		{"service", "critical", "unit_inactive"},
		{"service", "garbage_locale", "unit_inactive"},
		{"service", "no_systemctl", "no_systemd"},
		{"service", "one_activating", "unit_inactive"},
		{"service", "unit_missing_from_output", "unit_state_missing"},
		{"systemd", "daemon_reload_warning", "failed_units"},
		{"systemd", "locale_utf8_descriptions", "failed_units"},
		{"systemd", "many_failed", "failed_units"},
		{"systemd", "no_systemd", "no_systemd"},
		{"systemd", "old_systemd_bullets", "failed_units"},
		{"systemd", "two_failed", "failed_units"},
	} {
		want[[2]string{c.dir, c.name}] = c.reason
	}
	seen := 0
	for dir, chk := range byDir {
		outs, err := filepath.Glob(filepath.Join("testdata", dir, "*.out"))
		if err != nil || len(outs) == 0 {
			t.Fatalf("no cases in testdata/%s: %v", dir, err)
		}
		for _, path := range outs {
			name := strings.TrimSuffix(filepath.Base(path), ".out")
			res := chk.Evaluate(readGoldenOutput(t, strings.TrimSuffix(path, ".out")))
			w, listed := want[[2]string{dir, name}]
			if listed {
				seen++
			}
			if res.Reason != w {
				t.Errorf("%s/%s: %s reason %q, want %q", dir, name, res.Status, res.Reason, w)
			}
			if (res.Status == Warning || res.Status == Critical) && res.Reason == "" {
				t.Errorf("%s/%s: %s without a reason", dir, name, res.Status)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%d listed cases found, want %d: a case was renamed", seen, len(want))
	}
}
