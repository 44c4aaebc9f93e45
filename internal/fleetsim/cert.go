package fleetsim

import (
	"crypto/rand"
	"fmt"
	"time"

	"golang.org/x/crypto/ssh"
)

// HostCert is a host certificate a virtual host presents besides its
// plain key, for clients that trust the CA with @cert-authority.
type HostCert struct {
	CA          ssh.Signer // signs the certificate
	Principals  []string   // names it is valid for; nil: the host's address
	ValidAfter  time.Time  // zero: an hour before Start
	ValidBefore time.Time  // zero: a day after Start
}

// certSigner signs a host certificate for key under spec and returns the
// signer presenting it.
func certSigner(key ssh.Signer, spec *HostCert, address string) (ssh.Signer, error) {
	now := time.Now()
	principals := spec.Principals
	if principals == nil {
		principals = []string{address}
	}
	after, before := spec.ValidAfter, spec.ValidBefore
	if after.IsZero() {
		after = now.Add(-time.Hour)
	}
	if before.IsZero() {
		before = now.Add(24 * time.Hour)
	}
	cert := &ssh.Certificate{
		Key:             key.PublicKey(),
		CertType:        ssh.HostCert,
		KeyId:           "fleetsim " + address,
		ValidPrincipals: principals,
		ValidAfter:      uint64(after.Unix()),
		ValidBefore:     uint64(before.Unix()),
	}
	if err := cert.SignCert(rand.Reader, spec.CA); err != nil {
		return nil, fmt.Errorf("fleetsim: sign host certificate of %s: %w", address, err)
	}
	s, err := ssh.NewCertSigner(cert, key)
	if err != nil {
		return nil, fmt.Errorf("fleetsim: host certificate signer of %s: %w", address, err)
	}
	return s, nil
}
