package fleetsim

import (
	"errors"
	"net"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func newCA(t *testing.T) ssh.Signer {
	t.Helper()
	s, err := NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHostCertificate: a host with HostSpec.Cert presents a certificate
// signed by the CA, for its address by default, within its validity, to
// clients asking for certificates; plain-key clients still get the key.
func TestHostCertificate(t *testing.T) {
	ca := newCA(t)
	past := time.Now().Add(-time.Hour)
	f := startFleet(t, Options{Hosts: []HostSpec{
		{Name: "default", Respond: echoResponder, Cert: &HostCert{CA: ca}},
		{Name: "named", Respond: echoResponder, Cert: &HostCert{CA: ca, Principals: []string{"named.example.org"}, ValidBefore: past}},
		{Name: "plain", Respond: echoResponder},
	}})
	for _, tc := range []struct {
		host       string
		principals []string
		expired    bool
	}{
		{"default", []string{endpoint(t, f, "default").Address}, false},
		{"named", []string{"named.example.org"}, true},
	} {
		var got *ssh.Certificate
		cfg := clientConfig(t, f)
		cfg.HostKeyAlgorithms = []string{ssh.CertAlgoED25519v01}
		cfg.HostKeyCallback = func(_ string, _ net.Addr, key ssh.PublicKey) error {
			cert, ok := key.(*ssh.Certificate)
			if !ok {
				return errors.New("not a certificate")
			}
			got = cert
			return nil
		}
		if _, _, err := dialHandshake(t, f, tc.host, cfg, testTimeout); err != nil {
			t.Fatalf("%s: %v", tc.host, err)
		}
		if got.CertType != ssh.HostCert || string(got.SignatureKey.Marshal()) != string(ca.PublicKey().Marshal()) {
			t.Errorf("%s: certificate type %d signed by %s, want a host certificate by the CA", tc.host, got.CertType, ssh.FingerprintSHA256(got.SignatureKey))
		}
		if len(got.ValidPrincipals) != len(tc.principals) || got.ValidPrincipals[0] != tc.principals[0] {
			t.Errorf("%s: principals %q, want %q", tc.host, got.ValidPrincipals, tc.principals)
		}
		if expired := time.Unix(int64(got.ValidBefore), 0).Before(time.Now()); expired != tc.expired {
			t.Errorf("%s: expired = %v, want %v", tc.host, expired, tc.expired)
		}
	}
	// The plain key is still served, and verifies against KnownHosts.
	dial(t, f, "default")
	cfg := clientConfig(t, f)
	cfg.HostKeyAlgorithms = []string{ssh.CertAlgoED25519v01}
	if _, _, err := dialHandshake(t, f, "plain", cfg, testTimeout); err == nil {
		t.Error("a host without Cert negotiated a certificate algorithm")
	}
	if _, err := Start(t.Context(), Options{Hosts: []HostSpec{{Name: "x", Cert: &HostCert{}}}}); err == nil {
		t.Error("a certificate without a CA: want an error")
	}
}
