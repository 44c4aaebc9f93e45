package ownership

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Team is a group of people who triage failures. It never holds the chat
// webhook secret, only where to find it, so printing or marshalling a Team
// cannot leak it; Webhook reads the secret on demand.
type Team struct {
	Name       string         // key under teams:
	Contact    string         // free text, usually an address or a handle
	Email      string         // mail address for digests (the first of EmailTo), may be ""
	EmailTo    []string       // every address of email: (one address or {to: [...]})
	Chat       Chat           // where the chat webhook secret lives
	Hook       Webhook        // webhook: where the generic webhook's URL and signing secret live
	Escalation []string       // escalation chain, free text, in order
	SLA        SLA            // triage deadlines; zero fields fall back to the file's sla:
	SLO        float64        // availability objective in percent (99.5); 0: the file's slo:
	Pos        Pos            // position of the team's name
	KeyPos     map[string]Pos // position of each key of the team (chat, webhook, email, ...), for errors found later
}

// Chat says where a team's chat webhook URL is kept; both empty means none.
type Chat struct {
	WebhookFile string // file holding the URL (resolved against the owners file's directory)
	WebhookEnv  string // environment variable holding the URL
}

// Webhook says where a team's generic webhook URL and its Standard
// Webhooks signing secret are kept; no secret means unsigned.
type Webhook struct {
	URLFile, URLEnv       string
	SecretFile, SecretEnv string
}

// ErrNoWebhook is returned by Team.Webhook for a team without a chat webhook.
var ErrNoWebhook = errors.New("no chat webhook configured")

// HasContact reports whether the team can be reached at all.
func (t Team) HasContact() bool {
	return t.Contact != "" || t.Email != "" || t.Chat.WebhookFile != "" || t.Chat.WebhookEnv != "" || t.Hook.URLFile != "" || t.Hook.URLEnv != ""
}

// Webhook reads the team's chat webhook URL from its file or environment
// variable. Errors never include the secret.
func (t Team) Webhook() (string, error) {
	return t.secret("chat webhook", t.Chat.WebhookFile, t.Chat.WebhookEnv, ErrNoWebhook)
}

// HookURL reads the team's generic webhook URL.
func (t Team) HookURL() (string, error) {
	return t.secret("webhook url", t.Hook.URLFile, t.Hook.URLEnv, ErrNoWebhook)
}

// HookSecret reads the team's webhook signing secret; "" when none is
// configured.
func (t Team) HookSecret() (string, error) {
	if t.Hook.SecretFile == "" && t.Hook.SecretEnv == "" {
		return "", nil
	}
	return t.secret("webhook secret", t.Hook.SecretFile, t.Hook.SecretEnv, nil)
}

// secret reads what from its file or environment variable, trimmed;
// none is the error when neither is set. Errors never include the secret.
func (t Team) secret(what, file, env string, none error) (string, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("team %s: reading %s: %w", t.Name, what, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("team %s: %s file %s is empty", t.Name, what, file)
		}
		return v, nil
	case env != "":
		v := strings.TrimSpace(os.Getenv(env))
		if v == "" {
			return "", fmt.Errorf("team %s: %s variable %s is unset or empty", t.Name, what, env)
		}
		return v, nil
	}
	return "", fmt.Errorf("team %s: %w", t.Name, none)
}
