package runner

import (
	"errors"
	"net"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestHostKeyPolicyAlgorithms(t *testing.T) {
	ed := testKeyOfType(t, ssh.KeyAlgoED25519)
	rsaKey := testKeyOfType(t, ssh.KeyAlgoRSA)
	ec := testKeyOfType(t, ssh.KeyAlgoECDSA256)
	dir := t.TempDir()
	kh := writeFile(t, dir, "known_hosts", strings.Join([]string{
		knownhosts.Line([]string{"[127.0.0.1]:2222"}, ed),
		knownhosts.Line([]string{"multi.example.org"}, rsaKey),
		knownhosts.Line([]string{"multi.example.org"}, ec),
		knownhosts.Line([]string{"multi.example.org"}, ed),
	}, "\n")+"\n")
	hk, err := newHostKeys()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ep   endpoint
		want []string
	}{
		{"ed25519 only, non-22 port", endpoint{host: "127.0.0.1", port: 2222}, []string{ssh.KeyAlgoED25519}},
		{"several types in file order", endpoint{host: "multi.example.org", port: 22},
			[]string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA, ssh.KeyAlgoECDSA256, ssh.KeyAlgoED25519}},
		{"same address other port is unknown", endpoint{host: "127.0.0.1", port: 22}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.ep.knownHosts = []string{kh, filepath.Join(dir, "missing")}
			tt.ep.strict = true
			p, err := hk.policy(&tt.ep)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.algorithms, tt.want) {
				t.Errorf("algorithms = %q, want %q", p.algorithms, tt.want)
			}
		})
	}
}

func TestHostKeyPolicyStrictness(t *testing.T) {
	known := testPublicKey(t)
	other := testPublicKey(t)
	dir := t.TempDir()
	kh := writeFile(t, dir, "known_hosts", knownhosts.Line([]string{"[127.0.0.1]:2222"}, known)+"\n")
	hk, err := newHostKeys()
	if err != nil {
		t.Fatal(err)
	}
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2222}
	tests := []struct {
		name   string
		port   int
		strict bool
		key    ssh.PublicKey
		want   ErrorKind
	}{
		{"known key", 2222, true, known, KindNone},
		{"changed key strict", 2222, true, other, KindHostKeyMismatch},
		{"changed key accept-new is still refused", 2222, false, other, KindHostKeyMismatch},
		{"unknown host strict", 2200, true, other, KindHostKeyUnknown},
		{"unknown host accept-new", 2200, false, other, KindNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := endpoint{host: "127.0.0.1", port: tt.port, knownHosts: []string{kh}, strict: tt.strict}
			p, err := hk.policy(&ep)
			if err != nil {
				t.Fatal(err)
			}
			err = p.callback(ep.addr(), remote, tt.key)
			if got := Classify(err); got != tt.want {
				t.Errorf("check = %v (%q), want %q", err, got, tt.want)
			}
		})
	}
}

func TestHostKeysParsedOnce(t *testing.T) {
	dir := t.TempDir()
	kh := writeFile(t, dir, "known_hosts", "")
	hk, err := newHostKeys()
	if err != nil {
		t.Fatal(err)
	}
	a, err := hk.callback([]string{kh})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := hk.callback([]string{kh})
	if reflect.ValueOf(a).Pointer() != reflect.ValueOf(b).Pointer() {
		t.Error("same files parsed twice")
	}
	bad := writeFile(t, dir, "bad", "not a known hosts line\n")
	if _, err := hk.callback([]string{bad}); err == nil || errors.Is(err, nil) {
		t.Error("malformed known_hosts: want an error")
	}
}
