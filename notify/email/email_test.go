package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

const password = notifytest.SMTPPassword

func digestMessage(sweep int64) notify.Message {
	return notify.Message{
		ID: notify.ID{Team: "traffic", Receiver: "email", Sweep: sweep}, Team: "traffic",
		Subject:  "fleetcheck digest for traffic: 1 new",
		Markdown: "# fleetcheck digest\n\n## traffic: 1 new\n\n- **CRITICAL** disk on `web1`: full _(unowned)_\n",
	}
}

func deliver(t *testing.T, cfg Config, timeout time.Duration, ob notify.Outbox) notify.Result {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return notifytest.Run(t, &notify.Dispatcher{Outbox: ob, Timeout: timeout,
		Receivers: map[notify.Dest]notify.Receiver{{Team: "traffic", Receiver: "email"}: r}})
}

func TestEmailDelivery(t *testing.T) {
	temp := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	tests := []struct {
		name     string
		mode     TLS
		to, pass string
		script   []error
		state    notify.State
		attempts int
	}{
		{name: "STARTTLS and AUTH", mode: StartTLS, state: notify.Delivered, attempts: 1},
		{name: "implicit TLS", mode: Implicit, state: notify.Delivered, attempts: 1},
		{name: "plain to loopback", mode: None, state: notify.Delivered, attempts: 1},
		{name: "451 then success", mode: StartTLS, script: []error{temp}, state: notify.Delivered, attempts: 2},
		{name: "550 recipient is permanent", mode: StartTLS, to: "nobody@example.org", state: notify.Refused, attempts: 1},
		{name: "535 wrong password is permanent", mode: StartTLS, pass: "wrong-" + password, state: notify.Refused, attempts: 1},
		{name: "server hangs", mode: StartTLS, script: []error{notifytest.ErrHang, notifytest.ErrHang, notifytest.ErrHang}, state: notify.Queued, attempts: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			box, addr, pool := notifytest.SMTP(t, string(tt.mode), tt.script...)
			to, pass := cmp(tt.to, "traffic@example.org"), cmp(tt.pass, password)
			ob := &notify.MemoryOutbox{}
			ob.Enqueue(digestMessage(3), time.Now())
			var logs bytes.Buffer
			res := deliver(t, Config{Address: addr, From: "fleetcheck@example.org", To: []string{to}, Username: "fleetcheck",
				Password: notify.NewSecret(pass), TLS: tt.mode, TLSConfig: &tls.Config{RootCAs: pool}}, 300*time.Millisecond, ob)
			o := res.Outcomes[0]
			if o.State != tt.state || o.Attempts != tt.attempts {
				t.Fatalf("%s after %d attempts (%s), want %s after %d", o.State, o.Attempts, o.Err, tt.state, tt.attempts)
			}
			if strings.Contains(o.Err+logs.String(), password) {
				t.Errorf("the password shows: %s", o.Err)
			}
			if o.State != notify.Delivered {
				if len(box.Received()) != 0 {
					t.Errorf("a mail was delivered anyway")
				}
				return
			}
			t.Logf("delivered in %s (attempt %d)", o.Latency, o.Attempts)
			got := box.Received()
			if len(got) != 1 {
				t.Fatalf("%d mails", len(got))
			}
			m := got[0]
			if m.User != "fleetcheck" || m.TLS != (tt.mode != None) || m.From != "fleetcheck@example.org" || m.To != to {
				t.Errorf("user %q tls %v from %q to %q", m.User, m.TLS, m.From, m.To)
			}
			checkMail(t, m.Data, "<fc-3.traffic.email@fleetcheck>")
		})
	}
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkMail reads the mail: the Message-ID, a text/plain part with the
// Markdown and a text/html alternative.
func checkMail(t *testing.T, data []byte, msgID string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Header.Get("Message-Id"); got != msgID {
		t.Errorf("Message-ID %q, want %q", got, msgID)
	}
	if m.Header.Get("Subject") != "fleetcheck digest for traffic: 1 new" {
		t.Errorf("Subject %q", m.Header.Get("Subject"))
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q", m.Header.Get("Content-Type"))
	}
	parts := map[string]string{}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		body, _ := io.ReadAll(p)
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body = nil // multipart.Reader decodes quoted-printable itself and drops the header
		}
		if body == nil {
			t.Fatalf("part %s not decoded", ct)
		}
		parts[ct] = string(body)
	}
	if !strings.Contains(parts["text/plain"], "- **CRITICAL** disk on `web1`") {
		t.Errorf("text/plain part: %q", parts["text/plain"])
	}
	if !strings.Contains(parts["text/html"], "<li><strong>CRITICAL</strong> disk on <code>web1</code>: full <em>(unowned)</em></li>") {
		t.Errorf("text/html part: %q", parts["text/html"])
	}
}

// TestEmailKilledBetweenSendAndMark: re-sent with the same Message-ID.
func TestEmailKilledBetweenSendAndMark(t *testing.T) {
	box, addr, pool := notifytest.SMTP(t, string(StartTLS))
	ob := &notify.MemoryOutbox{}
	ob.Enqueue(digestMessage(8), time.Now())
	cfg := Config{Address: addr, From: "fleetcheck@example.org", To: []string{"traffic@example.org"}, TLSConfig: &tls.Config{RootCAs: pool}}
	deliver(t, cfg, time.Second, forgetful{ob})
	deliver(t, cfg, time.Second, ob)
	deliver(t, cfg, time.Second, ob)
	got := box.Received()
	if len(got) != 2 {
		t.Fatalf("%d mails, want the same one twice", len(got))
	}
	for _, m := range got {
		checkMail(t, m.Data, "<fc-8.traffic.email@fleetcheck>")
	}
}

type forgetful struct{ *notify.MemoryOutbox }

func (forgetful) Delivered(context.Context, notify.ID, time.Time) error { return nil }

func TestEmailRefusesUnsafeOrUntrusted(t *testing.T) {
	// The certificate is not trusted: refused for good, nothing sent.
	box, addr, _ := notifytest.SMTP(t, string(StartTLS))
	r, err := New(Config{Address: addr, From: "f@example.org", To: []string{"t@example.org"}, Username: "fleetcheck", Password: notify.NewSecret(password)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := digestMessage(1)
	if retry, err := r.Notify(ctx, &m); err == nil || retry || len(box.Received()) != 0 || strings.Contains(err.Error(), password) {
		t.Errorf("untrusted certificate: retry %v, err %v", retry, err)
	}
	// The server offers no STARTTLS: nothing goes in clear text.
	box, addr, _ = notifytest.SMTP(t, string(None))
	r, _ = New(Config{Address: addr, From: "f@example.org", To: []string{"t@example.org"}, Username: "fleetcheck", Password: notify.NewSecret(password)})
	if _, err := r.Notify(ctx, &m); err == nil || len(box.Received()) != 0 {
		t.Errorf("no STARTTLS offered: err %v", err)
	}
	for _, c := range []Config{
		{Address: "192.0.2.1:25", TLS: None},
		{Address: "mail.example.org:25", TLS: None},
		{Address: "mail.example.org", TLS: StartTLS},
		{Address: "mail.example.org:587", TLS: "ssl"},
		{Address: "mail.example.org:587", From: "not an address"},
		{Address: "mail.example.org:587"},
	} {
		if c.From == "" {
			c.From = "f@example.org"
		}
		if c.Address == "mail.example.org:587" && c.TLS == "" && c.From == "f@example.org" {
			c.To = nil // no recipient
		} else {
			c.To = []string{"t@example.org"}
		}
		c.Password = notify.NewSecret(password)
		if _, err := New(c); err == nil || strings.Contains(err.Error(), password) {
			t.Errorf("%s tls %q from %q to %v: %v", c.Address, c.TLS, c.From, c.To, err)
		}
	}
	for _, ok := range []string{"127.0.0.1:25", "[::1]:25", "localhost:25"} {
		if _, err := New(Config{Address: ok, TLS: None, From: "f@example.org", To: []string{"t@example.org"}}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestReceiverStringHidesPassword(t *testing.T) {
	r, err := New(Config{Address: "127.0.0.1:25", From: "f@example.org", To: []string{"t@example.org"}, Password: notify.NewSecret(password)})
	if err != nil {
		t.Fatal(err)
	}
	notifytest.Hidden(t, password, r, *r)
}
