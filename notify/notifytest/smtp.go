package notifytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The account the test SMTP server takes (AUTH PLAIN).
const (
	SMTPUser     = "fleetcheck"
	SMTPPassword = "SECRET-pass-1234"
)

// Certificate makes a self-signed certificate for 127.0.0.1 and the pool
// that trusts it.
func Certificate(t testing.TB) (tls.Certificate, *x509.CertPool) {
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

// Mailbox is an in-process SMTP server (github.com/emersion/go-smtp).
type Mailbox struct {
	mu       sync.Mutex
	mails    []Mail
	script   []error // answers to DATA, then success; ErrHang hangs
	attempts int
	done     chan struct{}
}

// Mail is one mail the server took.
type Mail struct {
	From, To, User string
	TLS            bool // it came over TLS
	Data           []byte
}

// ErrHang in a script makes DATA hang until the test ends.
var ErrHang = errors.New("hang")

type session struct {
	box  *Mailbox
	conn *smtp.Conn
	cur  Mail
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != SMTPUser || pass != SMTPPassword {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
		}
		s.cur.User = user
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.From = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.cur.To = to
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
	if answer == ErrHang {
		<-s.box.done
		return answer
	}
	if answer != nil {
		return answer
	}
	_, s.cur.TLS = s.conn.TLSConnectionState()
	s.cur.Data = data
	s.box.mu.Lock()
	s.box.mails = append(s.box.mails, s.cur)
	s.box.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.cur = Mail{User: s.cur.User} }
func (s *session) Logout() error { return nil }

// SMTP starts a Mailbox on loopback: STARTTLS offered when mode is
// "starttls", TLS from the first byte when "tls", plain otherwise; DATA
// is answered from script (an error, ErrHang), then accepted. It returns
// the address and the pool that trusts its certificate.
func SMTP(t testing.TB, mode string, script ...error) (*Mailbox, string, *x509.CertPool) {
	t.Helper()
	cert, pool := Certificate(t)
	box := &Mailbox{script: script, done: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{box: box, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	tc := &tls.Config{Certificates: []tls.Certificate{cert}}
	var l net.Listener
	var err error
	switch mode {
	case "starttls":
		srv.TLSConfig = tc
		l, err = net.Listen("tcp", "127.0.0.1:0")
	case "tls":
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

// Received returns the mails taken so far.
func (b *Mailbox) Received() []Mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Mail(nil), b.mails...)
}
