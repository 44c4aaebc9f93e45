package sshdtest

import (
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestStartRunsCommand(t *testing.T) {
	s := Start(t)
	if !strings.HasPrefix(s.HostKeyLine(), "[127.0.0.1]:") {
		t.Fatalf("HostKeyLine = %q", s.HostKeyLine())
	}
	_, hosts, key, _, _, err := ssh.ParseKnownHosts([]byte(s.HostKeyLine()))
	if err != nil {
		t.Fatalf("HostKeyLine does not parse: %v", err)
	}
	if want := knownhosts.Normalize(s.Addr); hosts[0] != want {
		t.Errorf("HostKeyLine host = %q, want %q", hosts[0], want)
	}
	cfg := &ssh.ClientConfig{
		User:            s.User,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(s.ClientSigner)},
		HostKeyCallback: ssh.FixedHostKey(key),
	}
	// Unrestricted, the client prefers the ECDSA key HostKeyLine does not
	// record: the pitfall the server is built to expose.
	if c, err := ssh.Dial("tcp", s.Addr, cfg); err == nil {
		c.Close()
		t.Error("an unrestricted client verified the ed25519 key: the ECDSA host key is not served")
	}
	cfg.HostKeyAlgorithms = []string{ssh.KeyAlgoED25519}
	c, err := ssh.Dial("tcp", s.Addr, cfg)
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, s.Logs())
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Output("echo hello; exit 0")
	if err != nil {
		t.Fatalf("exec: %v\n%s", err, s.Logs())
	}
	if string(out) != "hello\n" {
		t.Errorf("output = %q, want %q", out, "hello\n")
	}
}
