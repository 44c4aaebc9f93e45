package runner

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"
)

// testPublicKey returns a fresh ed25519 public key.
func testPublicKey(t testing.TB) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testKeyOfType returns a fresh public key of an OpenSSH key type.
func testKeyOfType(t testing.TB, typ string) ssh.PublicKey {
	t.Helper()
	var raw any
	switch typ {
	case ssh.KeyAlgoED25519:
		return testPublicKey(t)
	case ssh.KeyAlgoRSA:
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		raw = &k.PublicKey
	case ssh.KeyAlgoECDSA256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		raw = &k.PublicKey
	default:
		t.Fatalf("no test key of type %s", typ)
	}
	k, err := ssh.NewPublicKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// writeFile writes content under dir and returns its path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// osMkdirSSH creates dir/.ssh.
func osMkdirSSH(dir string) error {
	return os.Mkdir(filepath.Join(dir, ".ssh"), 0o700)
}
