package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/sshdtest"
	"golang.org/x/crypto/ssh"
)

// TestSSHDHostCertificate: OpenSSH's host certificates verify against
// @cert-authority (no plain key recorded), a principal other than the
// address dialed is refused, and so is a revoked CA.
func TestSSHDHostCertificate(t *testing.T) {
	ca := newTestCA(t)
	good := sshdtest.StartWith(t, sshdtest.Options{HostCA: ca})
	misnamed := sshdtest.StartWith(t, sshdtest.Options{HostCA: ca, CertPrincipals: []string{"elsewhere.example.org"}})
	caLine := "@cert-authority [127.0.0.1]:* " + authorizedLine(ca.PublicKey())
	for _, tc := range []struct {
		name  string
		srv   *sshdtest.Server
		lines []string
		want  ErrorKind
		msg   string
	}{
		{"trusted CA", good, []string{caLine}, KindNone, ""},
		{"wrong principal", misnamed, []string{caLine}, KindHostKeyMismatch, "principal"},
		{"revoked CA", good, []string{caLine, "@revoked * " + authorizedLine(ca.PublicKey())}, KindHostKeyMismatch, "revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sshdRunner(t, tc.srv, strings.Join(tc.lines, "\n"), Config{ConnectTimeout: 5 * time.Second, Signers: []ssh.Signer{tc.srv.ClientSigner}})
			outs, _, _ := runTasks(t, context.Background(), r, []Task{{Host: sshdHost(tc.srv), Commands: []Command{{ID: "c", Line: "echo ok"}}}}, 15*time.Second)
			ho := outs[0]
			if ho.Kind != tc.want || ho.Err != nil && !strings.Contains(ho.Err.Error(), tc.msg) {
				t.Fatalf("kind %q (%v), want %q mentioning %q\n%s", ho.Kind, ho.Err, tc.want, tc.msg, tc.srv.Logs())
			}
			if tc.want == KindNone && string(ho.Commands[0].Stdout) != "ok\n" {
				t.Errorf("stdout %q", ho.Commands[0].Stdout)
			}
		})
	}
}
