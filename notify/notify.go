// Package notify delivers digests and alerts: one small Receiver interface
// (as Alertmanager's notify/), one subpackage per receiver, and a
// Dispatcher that drains an Outbox in order with retries, so that nothing
// is lost and, thanks to a stable delivery id, nothing is taken twice.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout is the deadline of one request (notify.timeout).
const DefaultTimeout = 10 * time.Second

// Exit codes of `digest --post` beyond SPEC's sweep codes (sysexits.h).
const (
	ExitQueued  = 75 // EX_TEMPFAIL: something stays queued for the next run
	ExitRefused = 76 // EX_PROTOCOL: a receiver refused a delivery for good
)

// Receiver is one destination (a team's chat hook, webhook, mailbox, or
// Alertmanager). Notify delivers msg; retry says whether trying again can
// help (5xx, 408, 429, timeouts, connection errors) when err is not nil.
type Receiver interface {
	Notify(ctx context.Context, msg *Message) (retry bool, err error)
}

// ID is the stable identity of one delivery: one team's digest of one
// sweep to one of its receivers. Receivers see it as webhook-id and as
// the mail's Message-ID, so that they can drop a second copy.
type ID struct {
	Team     string
	Receiver string // the receiver's name in the owners file: chat, webhook, email, alertmanager
	Sweep    int64
}

// Dest is where a delivery goes: a team's receiver.
type Dest struct {
	Team     string
	Receiver string
}

// Dest is the destination of the delivery.
func (id ID) Dest() Dest { return Dest{Team: id.Team, Receiver: id.Receiver} }

// String is the id as receivers see it: fc-SWEEP.TEAM.RECEIVER, every
// byte outside [A-Za-z0-9-] of the names escaped as _XX (so that it is a
// valid Message-ID local part and a header value).
func (id ID) String() string {
	return "fc-" + strconv.FormatInt(id.Sweep, 10) + "." + escape(id.Team) + "." + escape(id.Receiver)
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "_%02X", c)
	}
	return b.String()
}

// Message is one delivery. Receivers use what they render: chat the
// Markdown, webhooks the JSON, email both, Alertmanager the Alerts.
type Message struct {
	ID       ID
	Team     string
	Subject  string // one line, e.g. "fleetcheck digest for traffic: 3 new, 5 ongoing"
	Markdown string // the digest as Markdown
	JSON     []byte // the fleetcheck.digest/v1 document, opaque here
	Alerts   []Alert
}

// Alert is one episode as Alertmanager sees it (POST /api/v2/alerts).
type Alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt,omitzero"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// Secret is a credential (a webhook URL, an HMAC key, a password). Its
// String, GoString, JSON and log forms never show it; Reveal does. It
// holds a pointer so that even fmt printing a struct that keeps it in an
// unexported field (where fmt calls no method) shows an address only.
type Secret struct{ p *string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{p: &s} }

// Reveal returns the secret itself, for the wire only.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// Empty reports whether no secret is set.
func (s Secret) Empty() bool { return s.Reveal() == "" }

const redacted = "[redacted]"

// String hides the secret.
func (s Secret) String() string { return redacted }

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return redacted }

// MarshalJSON hides the secret.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText hides the secret.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue hides the secret from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// RetryAfterError is a refusal that says when to come back (HTTP 429 or
// 503 with Retry-After). The dispatcher waits at least After, within its
// deadline.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// retryAfter returns how long err asks to wait, 0 when it does not say.
func retryAfter(err error) time.Duration {
	var ra *RetryAfterError
	if errors.As(err, &ra) {
		return ra.After
	}
	return 0
}
