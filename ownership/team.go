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
	Name       string   // key under teams:
	Contact    string   // free text, usually an address or a handle
	Email      string   // mail address for digests, may be ""
	Chat       Chat     // where the chat webhook secret lives
	Escalation []string // escalation chain, free text, in order
	SLA        SLA      // triage deadlines; zero fields fall back to the file's sla:
	Pos        Pos      // position of the team's name
}

// Chat says where a team's chat webhook URL is kept; both empty means none.
type Chat struct {
	WebhookFile string // file holding the URL (resolved against the owners file's directory)
	WebhookEnv  string // environment variable holding the URL
}

// ErrNoWebhook is returned by Team.Webhook for a team without a chat webhook.
var ErrNoWebhook = errors.New("no chat webhook configured")

// HasContact reports whether the team can be reached at all.
func (t Team) HasContact() bool {
	return t.Contact != "" || t.Email != "" || t.Chat.WebhookFile != "" || t.Chat.WebhookEnv != ""
}

// Webhook reads the team's chat webhook URL from its file or environment
// variable. Errors never include the secret.
func (t Team) Webhook() (string, error) {
	switch {
	case t.Chat.WebhookFile != "":
		b, err := os.ReadFile(t.Chat.WebhookFile)
		if err != nil {
			return "", fmt.Errorf("team %s: reading chat webhook: %w", t.Name, err)
		}
		url := strings.TrimSpace(string(b))
		if url == "" {
			return "", fmt.Errorf("team %s: chat webhook file %s is empty", t.Name, t.Chat.WebhookFile)
		}
		return url, nil
	case t.Chat.WebhookEnv != "":
		url := strings.TrimSpace(os.Getenv(t.Chat.WebhookEnv))
		if url == "" {
			return "", fmt.Errorf("team %s: chat webhook variable %s is unset or empty", t.Name, t.Chat.WebhookEnv)
		}
		return url, nil
	}
	return "", fmt.Errorf("team %s: %w", t.Name, ErrNoWebhook)
}
