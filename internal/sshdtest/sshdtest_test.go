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
	c, err := ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{
		User:            s.User,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(s.ClientSigner)},
		HostKeyCallback: ssh.FixedHostKey(key),
	})
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
