package runner

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// forceMatcher is a known_hosts line with a wildcard: files holding it
// are checked by knownhosts' matcher instead of the index.
func forceMatcher(t *testing.T) string {
	return knownhosts.Line([]string{"*.nowhere.invalid"}, testPublicKey(t))
}

func TestHostKeyPolicyAlgorithms(t *testing.T) {
	for _, indexed := range []bool{true, false} {
		t.Run(fmt.Sprintf("indexed=%v", indexed), func(t *testing.T) { testHostKeyPolicyAlgorithms(t, indexed) })
	}
}

func testHostKeyPolicyAlgorithms(t *testing.T, indexed bool) {
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
	if !indexed {
		kh = writeFile(t, dir, "known_hosts", forceMatcher(t)+"\n"+readFile(t, kh))
	}
	hk, err := newHostKeys()
	if err != nil {
		t.Fatal(err)
	}
	_, plain := hostKeyAlgorithms()
	if len(plain) == 0 || slices.ContainsFunc(plain, func(a string) bool { return strings.Contains(a, "cert") }) {
		t.Fatalf("plain algorithms %q", plain)
	}
	tests := []struct {
		name string
		ep   endpoint
		want []string
	}{
		{"ed25519 only, non-22 port", endpoint{host: "127.0.0.1", port: 2222}, []string{ssh.KeyAlgoED25519}},
		{"several types in file order", endpoint{host: "multi.example.org", port: 22},
			[]string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA, ssh.KeyAlgoECDSA256, ssh.KeyAlgoED25519}},
		{"same address other port is unknown: any plain type, no certificate", endpoint{host: "127.0.0.1", port: 22}, plain},
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
	for _, indexed := range []bool{true, false} {
		t.Run(fmt.Sprintf("indexed=%v", indexed), func(t *testing.T) { testHostKeyPolicyStrictness(t, indexed) })
	}
}

func testHostKeyPolicyStrictness(t *testing.T, indexed bool) {
	known := testPublicKey(t)
	other := testPublicKey(t)
	dir := t.TempDir()
	kh := writeFile(t, dir, "known_hosts", knownhosts.Line([]string{"[127.0.0.1]:2222"}, known)+"\n")
	if !indexed {
		kh = writeFile(t, dir, "known_hosts", forceMatcher(t)+"\n"+readFile(t, kh))
	}
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
	a, err := hk.db([]string{kh})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := hk.db([]string{kh})
	if a != b {
		t.Error("same files parsed twice")
	}
	bad := writeFile(t, dir, "bad", "*.example.org not-a-key-type AAAA\n")
	if _, err := hk.db([]string{bad}); err == nil {
		t.Error("malformed known_hosts: want an error")
	}
}

// TestKnownIndexAgreesWithKnownhosts checks the plain-entry index against
// knownhosts itself on the same file.
func TestKnownIndexAgreesWithKnownhosts(t *testing.T) {
	k1, k2, other := testPublicKey(t), testPublicKey(t), testPublicKey(t)
	content := strings.Join([]string{
		"# comment",
		"",
		knownhosts.Line([]string{"a.example.org", "10.0.0.1"}, k1),
		knownhosts.Line([]string{"[a.example.org]:2222"}, k2),
		knownhosts.Line([]string{"b.example.org"}, k1),
		knownhosts.Line([]string{"b.example.org"}, k2),
		knownhosts.Line([]string{"[::1]:22"}, k1),
		"[c.example.org]:22 " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k2))),
	}, "\n") + "\n"
	kh := writeFile(t, t.TempDir(), "known_hosts", content)
	idx, ok, err := buildKnownIndex([]string{kh})
	if err != nil || !ok {
		t.Fatalf("buildKnownIndex = %v, %v; want an index", ok, err)
	}
	ref, err := knownhosts.New(kh)
	if err != nil {
		t.Fatal(err)
	}
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 22}
	for _, addr := range []string{"a.example.org:22", "a.example.org:2222", "10.0.0.1:22", "b.example.org:22", "c.example.org:22", "[::1]:22", "d.example.org:22", "b.example.org:2200"} {
		for _, key := range []ssh.PublicKey{k1, k2, other} {
			want, got := ref(addr, remote, key), idx.check(addr, key)
			if Classify(got) != Classify(want) || fmt.Sprint(keyWant(got)) != fmt.Sprint(keyWant(want)) {
				t.Errorf("%s %s: index says %v, knownhosts %v", addr, ssh.FingerprintSHA256(key), got, want)
			}
		}
	}
	for _, line := range []string{"*.example.org ", "|1|abc|def ", "@revoked a.example.org ", "!x,a.example.org "} {
		f := writeFile(t, t.TempDir(), "kh", line+strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k1)))+"\n")
		if _, ok, _ := buildKnownIndex([]string{f}); ok {
			t.Errorf("line %q indexed: it needs knownhosts' matcher", line)
		}
	}
}

// keyWant lists the lines of a KeyError's recorded keys.
func keyWant(err error) []int {
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		return nil
	}
	var lines []int
	for _, w := range ke.Want {
		lines = append(lines, w.Line)
	}
	return lines
}
