package fleetsim

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// makeClientKey generates the fleet's client key and its OpenSSH PEM form.
func (f *Fleet) makeClientKey() error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("fleetsim: client key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return fmt.Errorf("fleetsim: client signer: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "fleetsim client")
	if err != nil {
		return fmt.Errorf("fleetsim: marshal client key: %w", err)
	}
	f.clientSigner = signer
	f.clientPub = signer.PublicKey().Marshal()
	f.clientPEM = pem.EncodeToMemory(block)
	return nil
}

// newHostKey generates an ed25519 host key.
func newHostKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("fleetsim: host key: %w", err)
	}
	return priv, nil
}

// NewSigner returns a fresh ed25519 signer: a host CA or a client key for
// tests that build their own trust around a fleet.
func NewSigner() (ssh.Signer, error) {
	priv, err := newHostKey()
	if err != nil {
		return nil, err
	}
	return signerOf(priv)
}

// signerOf wraps an ed25519 key as an ssh.Signer.
func signerOf(priv ed25519.PrivateKey) (ssh.Signer, error) {
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("fleetsim: host signer: %w", err)
	}
	return s, nil
}
