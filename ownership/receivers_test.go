package ownership

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestTeamReceivers reads SPEC's "Delivery" example of a team's receivers.
func TestTeamReceivers(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"traffic.url": secretURL + "\n", "traffic.key": "whsec_SECRETc2VjcmV0\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	src := `fallback: traffic
teams:
  traffic:
    chat: {webhook_file: /etc/fleetcheck/traffic.hook}
    webhook: {url_file: traffic.url, secret_file: traffic.key}
    email: {to: [traffic@example.org, leads@example.org]}
    escalation: [oncall-traffic, traffic-leads]
  ops:
    email: ops@example.org
    webhook: {url_env: FLEETCHECK_TEST_OPS_URL}
`
	f, err := Parse(filepath.Join(dir, "owners.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tm, _ := f.Team("traffic")
	if want := (Webhook{URLFile: filepath.Join(dir, "traffic.url"), SecretFile: filepath.Join(dir, "traffic.key")}); tm.Hook != want {
		t.Errorf("Hook = %+v, want %+v", tm.Hook, want)
	}
	if !reflect.DeepEqual(tm.EmailTo, []string{"traffic@example.org", "leads@example.org"}) || tm.Email != "traffic@example.org" {
		t.Errorf("Email %q EmailTo %v", tm.Email, tm.EmailTo)
	}
	if u, err := tm.HookURL(); err != nil || u != secretURL {
		t.Errorf("HookURL = %q, %v", u, err)
	}
	if s, err := tm.HookSecret(); err != nil || s != "whsec_SECRETc2VjcmV0" {
		t.Errorf("HookSecret = %q, %v", s, err)
	}
	assertNoSecret(t, tm)

	ops, _ := f.Team("ops")
	if !reflect.DeepEqual(ops.EmailTo, []string{"ops@example.org"}) || !ops.HasContact() {
		t.Errorf("ops: EmailTo %v", ops.EmailTo)
	}
	if s, err := ops.HookSecret(); s != "" || err != nil {
		t.Errorf("no secret configured: %q, %v", s, err)
	}
	if _, err := ops.HookURL(); err == nil || !strings.Contains(err.Error(), "FLEETCHECK_TEST_OPS_URL is unset") {
		t.Errorf("unset url_env: %v", err)
	}
	if _, err := (Team{Name: "x"}).HookURL(); !errors.Is(err, ErrNoWebhook) {
		t.Errorf("no webhook: %v", err)
	}
}

func TestTeamReceiverErrors(t *testing.T) {
	for _, tc := range []struct{ team, want string }{
		{"{webhook: {secret_file: k}}", "o.yaml:3:16: team t: webhook: expected exactly one of url_file or url_env"},
		{"{webhook: {url_file: u, url_env: U}}", "expected exactly one of url_file or url_env"},
		{"{webhook: {url_file: u, secret_file: k, secret_env: K}}", "expected at most one of secret_file or secret_env"},
		{"{webhook: {url: https://x}}", `unknown key "url" in team t: webhook`},
		{"{webhook: {url_file: ''}}", "team t: webhook.url_file: empty"},
		{"{email: {to: []}}", "team t: email: expected to: with at least one address"},
		{"{email: {cc: [a@example.org]}}", `unknown key "cc" in team t: email`},
	} {
		src := "fallback: t\nteams:\n  t: " + tc.team + "\n"
		_, err := Parse("o.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.team, err, tc.want)
		}
	}
}
