package email

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

const password = "SECRET-pass-1234"

// certificate makes a self-signed certificate for 127.0.0.1 and the pool
// that trusts it.
func certificate(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fleetcheck test SMTP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// mailbox is an in-process SMTP server (github.com/emersion/go-smtp).
type mailbox struct {
	mu       sync.Mutex
	mails    []received
	script   []error // answers to DATA, then success; errHang hangs
	attempts int
	done     chan struct{}
}

type received struct {
	from, to, user string
	tls            bool
	data           []byte
}

var errHang = errors.New("hang")

type session struct {
	box  *mailbox
	conn *smtp.Conn
	cur  received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "fleetcheck" || pass != password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
		}
		s.cur.user = user
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.cur.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.attempts++
	var answer error
	if len(s.box.script) > 0 {
		answer, s.box.script = s.box.script[0], s.box.script[1:]
	}
	s.box.mu.Unlock()
	if answer == errHang {
		<-s.box.done
		return answer
	}
	if answer != nil {
		return answer
	}
	_, s.cur.tls = s.conn.TLSConnectionState()
	s.cur.data = data
	s.box.mu.Lock()
	s.box.mails = append(s.box.mails, s.cur)
	s.box.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.cur = received{user: s.cur.user} }
func (s *session) Logout() error { return nil }

// serve starts a mailbox on loopback: STARTTLS offered when starttls,
// TLS from the first byte when implicit, plain otherwise.
func serve(t testing.TB, mode TLS, script ...error) (*mailbox, string, *x509.CertPool) {
	t.Helper()
	cert, pool := certificate(t)
	box := &mailbox{script: script, done: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{box: box, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	tc := &tls.Config{Certificates: []tls.Certificate{cert}}
	var l net.Listener
	var err error
	switch mode {
	case StartTLS:
		srv.TLSConfig = tc
		l, err = net.Listen("tcp", "127.0.0.1:0")
	case Implicit:
		l, err = tls.Listen("tcp", "127.0.0.1:0", tc)
	default:
		srv.AllowInsecureAuth = true
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() {
		close(box.done)
		_ = srv.Close()
	})
	return box, l.Addr().String(), pool
}

func (b *mailbox) received() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.mails...)
}

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
		{name: "server hangs", mode: StartTLS, script: []error{errHang, errHang, errHang}, state: notify.Queued, attempts: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			box, addr, pool := serve(t, tt.mode, tt.script...)
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
				if len(box.received()) != 0 {
					t.Errorf("a mail was delivered anyway")
				}
				return
			}
			t.Logf("delivered in %s (attempt %d)", o.Latency, o.Attempts)
			got := box.received()
			if len(got) != 1 {
				t.Fatalf("%d mails", len(got))
			}
			m := got[0]
			if m.user != "fleetcheck" || m.tls != (tt.mode != None) || m.from != "fleetcheck@example.org" || m.to != to {
				t.Errorf("user %q tls %v from %q to %q", m.user, m.tls, m.from, m.to)
			}
			checkMail(t, m.data, "<fc-3.traffic.email@fleetcheck>")
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
	box, addr, pool := serve(t, StartTLS)
	ob := &notify.MemoryOutbox{}
	ob.Enqueue(digestMessage(8), time.Now())
	cfg := Config{Address: addr, From: "fleetcheck@example.org", To: []string{"traffic@example.org"}, TLSConfig: &tls.Config{RootCAs: pool}}
	deliver(t, cfg, time.Second, forgetful{ob})
	deliver(t, cfg, time.Second, ob)
	deliver(t, cfg, time.Second, ob)
	got := box.received()
	if len(got) != 2 {
		t.Fatalf("%d mails, want the same one twice", len(got))
	}
	for _, m := range got {
		checkMail(t, m.data, "<fc-8.traffic.email@fleetcheck>")
	}
}

type forgetful struct{ *notify.MemoryOutbox }

func (forgetful) Delivered(context.Context, notify.ID, time.Time) error { return nil }

func TestEmailRefusesUnsafeOrUntrusted(t *testing.T) {
	// The certificate is not trusted: refused for good, nothing sent.
	box, addr, _ := serve(t, StartTLS)
	r, err := New(Config{Address: addr, From: "f@example.org", To: []string{"t@example.org"}, Username: "fleetcheck", Password: notify.NewSecret(password)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := digestMessage(1)
	if retry, err := r.Notify(ctx, &m); err == nil || retry || len(box.received()) != 0 || strings.Contains(err.Error(), password) {
		t.Errorf("untrusted certificate: retry %v, err %v", retry, err)
	}
	// The server offers no STARTTLS: nothing goes in clear text.
	box, addr, _ = serve(t, None)
	r, _ = New(Config{Address: addr, From: "f@example.org", To: []string{"t@example.org"}, Username: "fleetcheck", Password: notify.NewSecret(password)})
	if _, err := r.Notify(ctx, &m); err == nil || len(box.received()) != 0 {
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
