package email

import (
	"context"
	"crypto/tls"
	"testing"

	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

// BenchmarkNotifySTARTTLS is one mail through an in-process server: a
// new connection, STARTTLS handshake, AUTH PLAIN and DATA each time.
func BenchmarkNotifySTARTTLS(b *testing.B) {
	_, addr, pool := notifytest.SMTP(b, string(StartTLS))
	r, err := New(Config{Address: addr, From: "f@example.org", To: []string{"t@example.org"}, Username: "fleetcheck",
		Password: notify.NewSecret(password), TLSConfig: &tls.Config{RootCAs: pool}})
	if err != nil {
		b.Fatal(err)
	}
	m := digestMessage(1)
	for b.Loop() {
		if _, err := r.Notify(context.Background(), &m); err != nil {
			b.Fatal(err)
		}
	}
}
