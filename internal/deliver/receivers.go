// Package deliver is `fleetcheck digest --post`: it decides what each
// team, its escalation targets and Alertmanager are to be told after the
// newest sweep, queues it in the store's outbox in the same write
// transaction that moves the marks (each team's delivered digest, the
// breaches escalated, the last push), then drains the outbox through
// notify's Dispatcher. The receivers come from the owners file and the
// config's notify: section; one that cannot be used is a configuration
// error found before anything is queued.
package deliver

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/config"
	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/alertmanager"
	"github.com/fleetcheck/fleetcheck/notify/email"
	"github.com/fleetcheck/fleetcheck/notify/slack"
	"github.com/fleetcheck/fleetcheck/notify/webhook"
	"github.com/fleetcheck/fleetcheck/ownership"
)

// The receiver names of the owners file, and Alertmanager's.
const (
	Chat         = "chat"
	Webhook      = "webhook"
	Email        = "email"
	Alertmanager = "alertmanager"
)

// AlertmanagerDest is where the pushes to Alertmanager go.
var AlertmanagerDest = notify.Dest{Receiver: Alertmanager}

// Receivers are the usable receivers of one post.
type Receivers struct {
	// ByDest is every destination's receiver, escalation ones included.
	ByDest map[notify.Dest]notify.Receiver
	// Teams maps each team with receivers to their names (chat, webhook,
	// email), in that order.
	Teams map[string][]string
	// Escalation maps a team to the receiver names of its escalation
	// destinations (EscalationName), in its escalation order.
	Escalation map[string][]string
	// Resend is Alertmanager's resend_interval; Alertmanager is pushed
	// to when ByDest holds AlertmanagerDest.
	Resend time.Duration
}

// BuildOptions are what receivers are built from.
type BuildOptions struct {
	Owners *ownership.File // nil: no team receivers
	Config *config.Config  // notify:; nil: none
	Client *http.Client    // nil: http.DefaultClient
	// SMTPTLS verifies the SMTP server; nil: the system roots (tests set it).
	SMTPTLS *tls.Config
}

// EscalationName is the receiver name, under the escalating team, of its
// escalation target's receiver: a team's (escalation:TEAM:RECEIVER) or a
// mail address (escalation:ADDRESS).
func EscalationName(target, receiver string) string {
	if receiver == "" {
		return "escalation:" + target
	}
	return "escalation:" + target + ":" + receiver
}

// Build makes every receiver the owners file and the config name, reading
// their secrets at once: a secret that cannot be read, a bad URL, email
// without notify.smtp, or an escalation target that is neither a team
// with receivers nor a mail address is a *posfile.Error naming where it
// was configured. Secrets never appear in its errors.
func Build(o BuildOptions) (*Receivers, error) {
	rs := &Receivers{ByDest: map[notify.Dest]notify.Receiver{}, Teams: map[string][]string{}, Escalation: map[string][]string{}}
	cfg := o.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	smtp, err := smtpConfig(cfg, o.SMTPTLS)
	if err != nil {
		return nil, err
	}
	var teams []ownership.Team
	if o.Owners != nil {
		teams = o.Owners.Teams
	}
	for _, t := range teams {
		add := func(name string, r notify.Receiver) {
			rs.ByDest[notify.Dest{Team: t.Name, Receiver: name}] = r
			rs.Teams[t.Name] = append(rs.Teams[t.Name], name)
		}
		if t.Chat != (ownership.Chat{}) {
			r, err := chat(t, o.Client)
			if err != nil {
				return nil, teamError(t, Chat, err)
			}
			add(Chat, r)
		}
		if t.Hook != (ownership.Webhook{}) {
			r, err := hook(t, o.Client)
			if err != nil {
				return nil, teamError(t, Webhook, err)
			}
			add(Webhook, r)
		}
		if len(t.EmailTo) > 0 {
			r, err := mail(smtp, t.EmailTo)
			if err != nil {
				return nil, teamError(t, Email, err)
			}
			add(Email, r)
		}
	}
	for _, t := range teams {
		for _, target := range t.Escalation {
			if err := rs.escalate(t, target, smtp); err != nil {
				return nil, teamError(t, "escalation", err)
			}
		}
	}
	if am := cfg.Notify.Alertmanager; am.URL != "" {
		r, err := alertmanager.New(alertmanager.Config{URL: notify.NewSecret(am.URL), Client: o.Client})
		if err != nil {
			return nil, cfg.Errorf("notify: alertmanager: url", "%v", err)
		}
		rs.ByDest[AlertmanagerDest] = r
		rs.Resend = am.ResendInterval
	}
	return rs, nil
}

// escalate adds team t's escalation destinations for target.
func (rs *Receivers) escalate(t ownership.Team, target string, smtp *email.Config) error {
	if names, ok := rs.Teams[target]; ok {
		for _, n := range names {
			name := EscalationName(target, n)
			rs.ByDest[notify.Dest{Team: t.Name, Receiver: name}] = rs.ByDest[notify.Dest{Team: target, Receiver: n}]
			rs.Escalation[t.Name] = append(rs.Escalation[t.Name], name)
		}
		return nil
	}
	if !strings.Contains(target, "@") {
		return fmt.Errorf("%q is neither a team with receivers (chat, webhook, email) nor a mail address", target)
	}
	r, err := mail(smtp, []string{target})
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	name := EscalationName(target, "")
	rs.ByDest[notify.Dest{Team: t.Name, Receiver: name}] = r
	rs.Escalation[t.Name] = append(rs.Escalation[t.Name], name)
	return nil
}

// teamError places err at team t's key in the owners file.
func teamError(t ownership.Team, key string, err error) error {
	p, ok := t.KeyPos[key]
	if !ok {
		p = t.Pos
	}
	return posfile.Errorf(p.File, p.Line, p.Col, "team %s: %s: %s", t.Name, key, strings.TrimPrefix(err.Error(), "team "+t.Name+": "))
}

func chat(t ownership.Team, client *http.Client) (notify.Receiver, error) {
	u, err := t.Webhook()
	if err != nil {
		return nil, err
	}
	return slack.New(slack.Config{URL: notify.NewSecret(u), Client: client})
}

func hook(t ownership.Team, client *http.Client) (notify.Receiver, error) {
	u, err := t.HookURL()
	if err != nil {
		return nil, err
	}
	key, err := t.HookSecret()
	if err != nil {
		return nil, err
	}
	return webhook.New(webhook.Config{URL: notify.NewSecret(u), Secret: notify.NewSecret(key), Client: client})
}

// smtpConfig is notify.smtp with its password read; nil when notify.smtp
// names no server.
func smtpConfig(cfg *config.Config, roots *tls.Config) (*email.Config, error) {
	s := cfg.Notify.SMTP
	if s.Address == "" {
		return nil, nil
	}
	if s.From == "" {
		return nil, cfg.Errorf("notify: smtp: address", "expected from: beside it (the sender's address)")
	}
	tlsMode, err := email.ParseTLS(s.TLS)
	if err != nil {
		return nil, cfg.Errorf("notify: smtp: tls", "%v", err)
	}
	c := &email.Config{Address: s.Address, From: s.From, Username: s.Username, TLS: tlsMode, TLSConfig: roots}
	switch {
	case s.PasswordFile != "":
		b, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return nil, cfg.Errorf("notify: smtp: password_file", "%v", err)
		}
		if c.Password = notify.NewSecret(strings.TrimSpace(string(b))); c.Password.Empty() {
			return nil, cfg.Errorf("notify: smtp: password_file", "%s is empty", s.PasswordFile)
		}
	case s.PasswordEnv != "":
		if c.Password = notify.NewSecret(strings.TrimSpace(os.Getenv(s.PasswordEnv))); c.Password.Empty() {
			return nil, cfg.Errorf("notify: smtp: password_env", "variable %s is unset or empty", s.PasswordEnv)
		}
	}
	probe := *c
	probe.To = []string{s.From}
	if _, err := email.New(probe); err != nil {
		return nil, cfg.Errorf("notify: smtp: address", "%v", err)
	}
	return c, nil
}

// mail is an email receiver for to through smtp.
func mail(smtp *email.Config, to []string) (notify.Receiver, error) {
	if smtp == nil {
		return nil, fmt.Errorf("mail needs notify.smtp (address, from) in the config")
	}
	c := *smtp
	c.To = to
	return email.New(c)
}
