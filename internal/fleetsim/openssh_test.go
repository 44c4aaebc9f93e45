package fleetsim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// openSSH returns the OpenSSH client and a config file making it use only
// the fleet's key and known_hosts, or skips the test.
func openSSH(t *testing.T, f *Fleet) (bin, config string) {
	t.Helper()
	bin, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("OpenSSH client (ssh) not installed: skipping the interoperability test")
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	known := filepath.Join(dir, "known_hosts")
	config = filepath.Join(dir, "ssh_config")
	cfg := fmt.Sprintf(`Host *
  User %s
  IdentityFile %s
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile %s
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
  LogLevel ERROR
`, f.User(), key, known)
	for path, data := range map[string][]byte{key: f.ClientKeyPEM(), known: f.KnownHosts(), config: []byte(cfg)} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return bin, config
}

// TestOpenSSHClient runs the real OpenSSH client against the fleet: a
// command with its outputs and exit code, a ProxyJump through a fleet
// host, and a changed host key.
func TestOpenSSHClient(t *testing.T) {
	f := startFleet(t, Options{Hosts: []HostSpec{
		{Name: "web1", Respond: echoResponder},
		{Name: "bastion"},
		{Name: "changed", Fault: FaultWrongHostKey, Respond: echoResponder},
	}})
	bin, config := openSSH(t, f)
	web, bastion, changed := endpoint(t, f, "web1"), endpoint(t, f, "bastion"), endpoint(t, f, "changed")
	tests := []struct {
		name           string
		args           []string
		stdout, stderr string // stderr: a substring
		exit           int
	}{
		{"exec", []string{"-p", fmt.Sprint(web.Port), web.Address, "fail"}, "partial\n", "it broke", 3},
		{"proxyjump", []string{"-J", bastion.HostPort(), "-p", fmt.Sprint(web.Port), web.Address, "echo jumped"}, "jumped\n", "", 0},
		{"changed host key", []string{"-p", fmt.Sprint(changed.Port), changed.Address, "echo no"}, "", "HOST IDENTIFICATION HAS CHANGED", 255},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, append([]string{"-F", config}, tt.args...)...)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			exit := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				exit = ee.ExitCode()
			} else if err != nil {
				t.Fatalf("ssh: %v", err)
			}
			if out.String() != tt.stdout || !strings.Contains(errb.String(), tt.stderr) || exit != tt.exit {
				t.Errorf("ssh %q = (%q, %q, exit %d); want (%q, stderr containing %q, exit %d)",
					tt.args, out.String(), errb.String(), exit, tt.stdout, tt.stderr, tt.exit)
			}
		})
	}
	if got := f.Execs("web1"); len(got) != 2 || got[1] != "echo jumped" {
		t.Errorf("Execs(web1) = %q; want the two commands", got)
	}
}
