package ownership

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secretURL = "https://hooks.example.org/services/T000/B000/SECRETSECRET"

func TestWebhookFromFile(t *testing.T) {
	dir := t.TempDir()
	hook := filepath.Join(dir, "traffic.hook")
	if err := os.WriteFile(hook, []byte(secretURL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := "fallback: traffic\nteams:\n  traffic: {chat: {webhook_file: traffic.hook}}\n"
	f, err := Parse(filepath.Join(dir, "owners.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tm, _ := f.Team("traffic")
	if tm.Chat.WebhookFile != hook {
		t.Fatalf("webhook_file resolved to %q, want %q", tm.Chat.WebhookFile, hook)
	}
	got, err := tm.Webhook()
	if err != nil || got != secretURL {
		t.Fatalf("Webhook() = %q, %v; want the URL", got, err)
	}
	assertNoSecret(t, tm)
	assertNoSecret(t, f)
}

func TestWebhookFromEnv(t *testing.T) {
	t.Setenv("FLEETCHECK_TEST_HOOK", secretURL)
	tm := Team{Name: "ops", Chat: Chat{WebhookEnv: "FLEETCHECK_TEST_HOOK"}}
	got, err := tm.Webhook()
	if err != nil || got != secretURL {
		t.Fatalf("Webhook() = %q, %v; want the URL", got, err)
	}
	assertNoSecret(t, tm)
}

func TestWebhookErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.hook")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FLEETCHECK_TEST_EMPTY", "")
	tests := []struct {
		team Team
		want string
	}{
		{Team{Name: "a"}, "team a: no chat webhook configured"},
		{Team{Name: "b", Chat: Chat{WebhookFile: filepath.Join(dir, "missing.hook")}}, "team b: reading chat webhook: "},
		{Team{Name: "c", Chat: Chat{WebhookFile: empty}}, "team c: chat webhook file " + empty + " is empty"},
		{Team{Name: "d", Chat: Chat{WebhookEnv: "FLEETCHECK_TEST_EMPTY"}}, "team d: chat webhook variable FLEETCHECK_TEST_EMPTY is unset or empty"},
	}
	for _, tt := range tests {
		_, err := tt.team.Webhook()
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Webhook() of %s = %v, want %q", tt.team.Name, err, tt.want)
		}
	}
	if _, err := (Team{Name: "a"}).Webhook(); !errors.Is(err, ErrNoWebhook) {
		t.Errorf("no chat: %v is not ErrNoWebhook", err)
	}
}

// assertNoSecret fails when any usual rendering of v holds the secret.
func assertNoSecret(t *testing.T, v any) {
	t.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), string(js)} {
		if strings.Contains(s, "SECRET") {
			t.Errorf("rendering holds the webhook secret: %s", s)
		}
	}
}
