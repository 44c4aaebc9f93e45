// Package email delivers a digest by SMTP (github.com/wneessen/go-mail):
// STARTTLS by default, implicit TLS, or plain text to a loopback relay
// only; authentication when a username is set; the Markdown digest as
// text/plain with an HTML alternative; the delivery id as Message-ID, so
// that a second copy after a crash can be recognised.
package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/fleetcheck/fleetcheck/notify"
)

// TLS is how the connection to the SMTP server is protected.
type TLS string

// The TLS modes of notify.smtp.tls.
const (
	StartTLS TLS = "starttls" // the default: STARTTLS required
	Implicit TLS = "tls"      // TLS from the first byte (port 465)
	None     TLS = "none"     // plain text: only to a loopback address
)

// ParseTLS reads notify.smtp.tls ("" means starttls).
func ParseTLS(s string) (TLS, error) {
	switch t := TLS(strings.ToLower(strings.TrimSpace(s))); t {
	case "":
		return StartTLS, nil
	case StartTLS, Implicit, None:
		return t, nil
	}
	return "", fmt.Errorf("email: tls %q is not starttls, tls or none", s)
}

// Config is one SMTP server and one team's recipients.
type Config struct {
	Address  string // host:port of the SMTP server
	From     string
	To       []string
	Username string        // no authentication when empty
	Password notify.Secret // from password_file or the environment
	TLS      TLS           // "" means StartTLS
	// TLSConfig verifies the server (nil: the system roots, the
	// address's host name); tests set RootCAs.
	TLSConfig *tls.Config
	// Domain is the right-hand side of Message-IDs; "" means "fleetcheck".
	Domain string
}

// Receiver sends to one team's mailboxes.
type Receiver struct {
	cfg  Config
	host string
	port int
}

// New checks cfg: a host:port, valid addresses, a known TLS mode, and
// plain text only to a loopback address. Its errors never show the
// password.
func New(cfg Config) (*Receiver, error) {
	host, p, err := net.SplitHostPort(cfg.Address)
	port, perr := strconv.Atoi(p)
	if err != nil || perr != nil || host == "" || port <= 0 || port > 65535 {
		return nil, fmt.Errorf("email: address %q is not host:port", cfg.Address)
	}
	if cfg.TLS, err = ParseTLS(string(cfg.TLS)); err != nil {
		return nil, err
	}
	if cfg.TLS == None && !loopback(host) {
		return nil, fmt.Errorf("email: tls none sends the password and the digest in clear text: refused to %s, allowed only to a loopback address", host)
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("email: from %q: %w", cfg.From, err)
	}
	if len(cfg.To) == 0 {
		return nil, errors.New("email: no recipient (to)")
	}
	for _, to := range cfg.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return nil, fmt.Errorf("email: to %q: %w", to, err)
		}
	}
	if cfg.Domain == "" {
		cfg.Domain = "fleetcheck"
	}
	return &Receiver{cfg: cfg, host: host, port: port}, nil
}

// loopback reports whether host is this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String names the receiver without its credentials.
func (r *Receiver) String() string { return "email to " + strings.Join(r.cfg.To, ", ") }

// GoString hides the configuration (and its password) from %#v.
func (r *Receiver) GoString() string { return r.String() }

// MessageID is the Message-ID of a delivery, without angle brackets.
func (r *Receiver) MessageID(id notify.ID) string { return id.String() + "@" + r.cfg.Domain }

// Notify implements notify.Receiver: one mail, text and HTML.
func (r *Receiver) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	m := gomail.NewMsg()
	if err := m.From(r.cfg.From); err != nil {
		return false, fmt.Errorf("email: from: %w", err)
	}
	if err := m.To(r.cfg.To...); err != nil {
		return false, fmt.Errorf("email: to: %w", err)
	}
	m.Subject(msg.Subject)
	m.SetMessageIDWithValue(r.MessageID(msg.ID))
	m.SetDate()
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(gomail.TypeTextPlain, msg.Markdown)
	m.AddAlternativeString(gomail.TypeTextHTML, HTML(msg.Markdown))

	timeout := notify.DefaultTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	if timeout <= 0 {
		return true, errors.New("email: timed out before connecting")
	}
	tc := r.cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{}
	}
	tc = tc.Clone()
	if tc.ServerName == "" {
		tc.ServerName = r.host
	}
	tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)
	opts := []gomail.Option{gomail.WithPort(r.port), gomail.WithTimeout(timeout), gomail.WithTLSConfig(tc), gomail.WithHELO("fleetcheck")}
	switch r.cfg.TLS {
	case Implicit:
		opts = append(opts, gomail.WithSSL())
	case None:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if r.cfg.Username != "" {
		// The strongest mechanism the server offers; over plain text
		// to loopback, go-mail offers only PLAIN (it refuses PLAIN in
		// clear to any other host).
		auth := gomail.SMTPAuthAutoDiscover
		if r.cfg.TLS == None {
			auth = gomail.SMTPAuthPlain
		}
		opts = append(opts, gomail.WithSMTPAuth(auth),
			gomail.WithUsername(r.cfg.Username), gomail.WithPassword(r.cfg.Password.Reveal()))
	}
	c, err := gomail.NewClient(r.host, opts...)
	if err != nil {
		return false, fmt.Errorf("email: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return retryable(err), fmt.Errorf("email to %s: %w", strings.Join(r.cfg.To, ", "), r.scrub(err))
	}
	return false, nil
}

// retryable: a 5xx answer (the recipient refused, authentication
// failed) is permanent; 4xx answers, timeouts and connection errors may
// pass on a later try.
func retryable(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 {
		return false
	}
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return false
	}
	var ce *tls.CertificateVerificationError
	return !errors.As(err, &ce)
}

// scrub keeps the password out of an error, whatever a library put in it.
func (r *Receiver) scrub(err error) error {
	if p := r.cfg.Password.Reveal(); p != "" && strings.Contains(err.Error(), p) {
		return errors.New(strings.ReplaceAll(err.Error(), p, "[redacted]"))
	}
	return err
}
