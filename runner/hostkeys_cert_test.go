package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// newTestCA returns a fresh ed25519 signer to act as a host CA.
func newTestCA(t *testing.T) ssh.Signer {
	t.Helper()
	s, err := fleetsim.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fleetKeyLine returns the fleet's known_hosts line for the named host.
func fleetKeyLine(t *testing.T, f *fleetsim.Fleet, name string) string {
	t.Helper()
	line, ok := f.KnownHostsLine(name)
	if !ok {
		t.Fatalf("no known_hosts line for %s", name)
	}
	return line
}

// authorizedLine is key in authorized_keys form, without newline.
func authorizedLine(key ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
}

// TestFleetHostKeyMarkers checks @cert-authority and @revoked end to end:
// certificates by a trusted CA for the address dialed are accepted
// without a plain key recorded; a wrong CA, a wrong principal, an expired
// certificate, a revoked CA and a revoked key listed as valid are
// refused as hostkey_mismatch before any command runs.
func TestFleetHostKeyMarkers(t *testing.T) {
	ca, otherCA, revokedCA := newTestCA(t), newTestCA(t), newTestCA(t)
	past := time.Now().Add(-time.Minute)
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{
		{Name: "cert-ok", Respond: answer, Cert: &fleetsim.HostCert{CA: ca}},
		{Name: "wrong-ca", Respond: answer, Cert: &fleetsim.HostCert{CA: otherCA}},
		{Name: "wrong-principal", Respond: answer, Cert: &fleetsim.HostCert{CA: ca, Principals: []string{"someone-else.example.org"}}},
		{Name: "expired", Respond: answer, Cert: &fleetsim.HostCert{CA: ca, ValidAfter: past.Add(-time.Hour), ValidBefore: past}},
		{Name: "revoked-ca", Respond: answer, Cert: &fleetsim.HostCert{CA: revokedCA}},
		{Name: "revoked-key", Respond: answer},
		{Name: "plain", Respond: answer},
	}})
	revokedKeyLine := fleetKeyLine(t, f, "revoked-key")
	kh := writeFile(t, t.TempDir(), "known_hosts", strings.Join([]string{
		"@cert-authority * " + authorizedLine(ca.PublicKey()),
		"@cert-authority * " + authorizedLine(revokedCA.PublicKey()),
		"@revoked * " + authorizedLine(revokedCA.PublicKey()),
		revokedKeyLine,
		"@revoked * " + strings.SplitN(revokedKeyLine, " ", 2)[1],
		fleetKeyLine(t, f, "plain"),
	}, "\n")+"\n")
	want := map[string]struct {
		kind ErrorKind
		msg  string
	}{
		"cert-ok":         {KindNone, ""},
		"wrong-ca":        {KindHostKeyMismatch, "no authorities"},
		"wrong-principal": {KindHostKeyMismatch, "principal"},
		"expired":         {KindHostKeyMismatch, "expired"},
		"revoked-ca":      {KindHostKeyMismatch, "revoked"},
		"revoked-key":     {KindHostKeyMismatch, "revoked"},
		"plain":           {KindNone, ""},
	}
	var tasks []Task
	for _, name := range []string{"cert-ok", "wrong-ca", "wrong-principal", "expired", "revoked-ca", "revoked-key", "plain"} {
		tasks = append(tasks, Task{Host: fleetHost(t, f, name), Commands: []Command{{ID: "a", Line: "echo hi"}}})
	}
	for _, acceptNew := range []bool{false, true} {
		r := fleetRunner(t, f, Config{KnownHosts: []string{kh}, AcceptNew: acceptNew, ConnectTimeout: 5 * time.Second})
		outs, _, _ := runTasks(t, context.Background(), r, tasks, 10*time.Second)
		for _, ho := range outs {
			w := want[ho.Host.Name]
			if ho.Kind != w.kind || ho.Err != nil && !strings.Contains(ho.Err.Error(), w.msg) {
				t.Errorf("accept-new %v: %s: kind %q (%v), want %q mentioning %q", acceptNew, ho.Host.Name, ho.Kind, ho.Err, w.kind, w.msg)
			}
			if ho.Kind == KindNone && (len(ho.Commands) != 1 || string(ho.Commands[0].Stdout) != "hi\n") {
				t.Errorf("%s: commands %+v", ho.Host.Name, ho.Commands)
			}
		}
	}
	for name, w := range want {
		if n := len(f.Execs(name)); (w.kind == KindNone) != (n > 0) {
			t.Errorf("%s ran %d commands (kind %q)", name, n, w.kind)
		}
	}
	if got := len(knownLines(t, kh)); got != 6 {
		t.Errorf("known_hosts holds %d lines after accept-new, want the 6 written (nothing to record)", got)
	}
}

// TestFleetCertAuthorityPattern: a CA trusted for other names is not
// offered the host's certificate: the host is checked by its plain key.
func TestFleetCertAuthorityPattern(t *testing.T) {
	ca := newTestCA(t)
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{{Name: "h", Respond: answer, Cert: &fleetsim.HostCert{CA: ca}}}})
	ep, _ := f.Endpoint("h")
	for _, tc := range []struct {
		pattern string
		want    ErrorKind
	}{
		{"*.example.org", KindHostKeyUnknown},
		{"[" + ep.Address + "]:*", KindNone},
		{"*,!" + knownhosts.Normalize(ep.HostPort()), KindHostKeyUnknown},
	} {
		kh := writeFile(t, t.TempDir(), "known_hosts", "@cert-authority "+tc.pattern+" "+authorizedLine(ca.PublicKey())+"\n")
		r := fleetRunner(t, f, Config{KnownHosts: []string{kh}, ConnectTimeout: 5 * time.Second})
		outs, _, _ := runTasks(t, context.Background(), r, []Task{{Host: fleetHost(t, f, "h"), Commands: []Command{{ID: "a", Line: "echo hi"}}}}, 10*time.Second)
		if outs[0].Kind != tc.want {
			t.Errorf("CA for %q: kind %q (%v), want %q", tc.pattern, outs[0].Kind, outs[0].Err, tc.want)
		}
	}
}

func TestMatchHostPatterns(t *testing.T) {
	hashed := knownhosts.HashHostname("web1.example.org")
	for _, tc := range []struct {
		patterns []string
		name     string
		want     bool
	}{
		{[]string{"*"}, "[10.0.0.1]:2222", true},
		{[]string{"*.example.org"}, "web1.example.org", true},
		{[]string{"*.example.org"}, "example.org", false},
		{[]string{"web?.example.org"}, "web1.example.org", true},
		{[]string{"web?.example.org"}, "web10.example.org", false},
		{[]string{"*.example.org", "!db*"}, "db1.example.org", false},
		{[]string{"WEB1.Example.org"}, "web1.example.org", true},
		{[]string{"[10.0.0.*]:22*"}, "[10.0.0.7]:2222", true},
		{[]string{hashed}, "web1.example.org", true},
		{[]string{hashed}, "web2.example.org", false},
		{[]string{"!*"}, "x", false},
		{nil, "x", false},
	} {
		if got := matchHostPatterns(tc.patterns, tc.name); got != tc.want {
			t.Errorf("matchHostPatterns(%q, %q) = %v, want %v", tc.patterns, tc.name, got, tc.want)
		}
	}
}
