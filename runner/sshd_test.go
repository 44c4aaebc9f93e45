package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/sshdtest"
	"github.com/fleetcheck/fleetcheck/inventory"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sshdRunner returns a runner trusting s's host key (as recorded in a
// known_hosts file) and logging in with its client key.
func sshdRunner(t *testing.T, s *sshdtest.Server, knownHostsLine string, cfg Config) *Runner {
	t.Helper()
	kh := writeFile(t, t.TempDir(), "known_hosts", knownHostsLine+"\n")
	cfg.KnownHosts = []string{kh}
	if cfg.SSHConfigPath == "" {
		cfg.SSHConfigPath = "none"
	}
	if cfg.Signers == nil {
		cfg.Signers = []ssh.Signer{s.ClientSigner}
	}
	cfg.DefaultUser = s.User
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sshdHost(s *sshdtest.Server) inventory.Host {
	return inventory.Host{Name: "sshd", Address: "127.0.0.1", Port: s.Port}
}

func TestSSHDExec(t *testing.T) {
	s := sshdtest.Start(t)
	r := sshdRunner(t, s, s.HostKeyLine(), Config{OutputLimit: 1000})
	tasks := []Task{{Host: sshdHost(s), Commands: []Command{
		{ID: "exit3", Line: "echo out; echo err >&2; exit 3"},
		{ID: "ok", Line: "printf ok"},
		{ID: "signal", Line: "kill -TERM $$"},
		{ID: "flood", Line: "head -c 5000000 /dev/zero"},
	}}}
	outs, _, err := runTasks(t, context.Background(), r, tasks, 20*time.Second)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	ho := outs[0]
	if ho.Err != nil || ho.Address != s.Addr {
		t.Fatalf("host: err %v kind %q address %q\n%s", ho.Err, ho.Kind, ho.Address, s.Logs())
	}
	got := map[string]CommandOutput{}
	for _, c := range ho.Commands {
		got[c.ID] = c
	}
	if c := got["exit3"]; string(c.Stdout) != "out\n" || string(c.Stderr) != "err\n" || c.ExitCode != 3 || c.Err != nil || c.Kind != KindNone {
		t.Errorf("exit3 = stdout %q stderr %q code %d err %v kind %q", c.Stdout, c.Stderr, c.ExitCode, c.Err, c.Kind)
	}
	if c := got["ok"]; string(c.Stdout) != "ok" || c.ExitCode != 0 || c.Err != nil {
		t.Errorf("ok = stdout %q code %d err %v", c.Stdout, c.ExitCode, c.Err)
	}
	if c := got["signal"]; c.Signal != "TERM" || c.ExitCode != -1 || c.Err != nil {
		t.Errorf("signal = signal %q code %d err %v", c.Signal, c.ExitCode, c.Err)
	}
	if c := got["flood"]; c.Kind != KindOutputLimit || !c.Truncated || len(c.Stdout) != 1000 {
		t.Errorf("flood = kind %q truncated %v %d bytes kept", c.Kind, c.Truncated, len(c.Stdout))
	}
}

func TestSSHDCommandTimeout(t *testing.T) {
	s := sshdtest.Start(t)
	r := sshdRunner(t, s, s.HostKeyLine(), Config{})
	const timeout = 3 * time.Second // long enough for a loaded machine to start the session and print
	tasks := []Task{{Host: sshdHost(s), Commands: []Command{
		{ID: "sleep", Line: "echo started; sleep 30", Timeout: timeout},
		{ID: "quick", Line: "echo quick"},
	}}}
	outs, took, _ := runTasks(t, context.Background(), r, tasks, timeout+10*time.Second)
	if took > timeout+3*time.Second {
		t.Errorf("Run took %s, want under %s", took, timeout+3*time.Second)
	}
	c := outs[0].Commands[0]
	if c.Kind != KindTimeout || c.Err == nil {
		t.Errorf("sleep: kind %q err %v, want timeout", c.Kind, c.Err)
	}
	if c.ExitCode != -1 {
		t.Errorf("sleep: exit code %d, want -1 (no exit status)", c.ExitCode)
	}
	if string(c.Stdout) != "started\n" {
		t.Errorf("sleep: stdout %q, want the output before the timeout", c.Stdout)
	}
	if q := outs[0].Commands[1]; q.Err != nil || string(q.Stdout) != "quick\n" {
		t.Errorf("quick: err %v stdout %q: a slow sibling must not fail it", q.Err, q.Stdout)
	}
	if outs[0].Err != nil {
		t.Errorf("host err %v: a command timeout is not a host failure", outs[0].Err)
	}
	t.Logf("sleep 30 with a %s timeout ended after %s (signal %q)", timeout, c.Duration, c.Signal)
}

func TestSSHDHostKeys(t *testing.T) {
	s := sshdtest.Start(t)
	wrong := knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, testPublicKey(t))
	tests := []struct {
		name string
		line string
		want ErrorKind
	}{
		{"mismatch", wrong, KindHostKeyMismatch},
		{"unknown", "# nothing recorded", KindHostKeyUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sshdRunner(t, s, tt.line, Config{})
			tasks := []Task{{Host: sshdHost(s), Commands: []Command{{ID: "x", Line: "touch " + filepath.Join(s.Dir, "ran")}}}}
			outs, _, _ := runTasks(t, context.Background(), r, tasks, 15*time.Second)
			if outs[0].Kind != tt.want || len(outs[0].Commands) != 0 {
				t.Errorf("kind %q err %v commands %d, want %q and none", outs[0].Kind, outs[0].Err, len(outs[0].Commands), tt.want)
			}
			if _, err := os.Stat(filepath.Join(s.Dir, "ran")); err == nil {
				t.Error("the command ran on a host whose key did not verify")
			}
			if strings.Contains(s.Logs(), "Accepted publickey") {
				t.Error("the runner authenticated to a host whose key did not verify")
			}
		})
	}
}

func TestSSHDThroughSSHConfig(t *testing.T) {
	s := sshdtest.Start(t)
	dir := t.TempDir()
	kh := writeFile(t, dir, "known_hosts", s.HostKeyLine()+"\n")
	cfg := writeFile(t, dir, "config", fmt.Sprintf(`Host box
  HostName 127.0.0.1
  Port %d
  User %s
  IdentityFile %s
  UserKnownHostsFile %s
`, s.Port, s.User, s.ClientKeyPath, kh))
	r, err := New(Config{SSHConfigPath: cfg, DefaultUser: "nobody-here"})
	if err != nil {
		t.Fatal(err)
	}
	tasks := []Task{{Host: inventory.Host{Name: "box"}, Commands: []Command{{ID: "id", Line: "echo via-config"}}}}
	outs, _, _ := runTasks(t, context.Background(), r, tasks, 15*time.Second)
	if outs[0].Err != nil || outs[0].Address != s.Addr {
		t.Fatalf("err %v address %q\n%s", outs[0].Err, outs[0].Address, s.Logs())
	}
	if c := outs[0].Commands[0]; string(c.Stdout) != "via-config\n" {
		t.Errorf("stdout %q", c.Stdout)
	}
}

// TestSSHDManyCommands runs more commands than OpenSSH's MaxSessions (10)
// allows at once on one connection: the runner must queue, not fail.
func TestSSHDManyCommands(t *testing.T) {
	s := sshdtest.Start(t)
	r := sshdRunner(t, s, s.HostKeyLine(), Config{})
	var cmds []Command
	for i := range 11 {
		cmds = append(cmds, Command{ID: fmt.Sprint(i), Line: fmt.Sprintf("echo %d", i)})
	}
	outs, _, err := runTasks(t, context.Background(), r, []Task{{Host: sshdHost(s), Commands: cmds}}, 30*time.Second)
	if err != nil || outs[0].Err != nil {
		t.Fatalf("Run %v, host %v", err, outs[0].Err)
	}
	for i, c := range outs[0].Commands {
		if c.Err != nil || string(c.Stdout) != fmt.Sprintf("%d\n", i) {
			t.Errorf("command %d: err %v stdout %q", i, c.Err, c.Stdout)
		}
	}
	if n := strings.Count(s.Logs(), "Accepted publickey"); n != 1 {
		t.Errorf("%d logins, want one connection for all commands", n)
	}
}

// TestSSHDKeepaliveKeepsHealthyConnection checks that OpenSSH's answer to
// keepalive@openssh.com (a refusal) counts as a sign of life.
func TestSSHDKeepaliveKeepsHealthyConnection(t *testing.T) {
	s := sshdtest.Start(t)
	r := sshdRunner(t, s, s.HostKeyLine(), Config{Keepalive: 100 * time.Millisecond})
	outs, _, _ := runTasks(t, context.Background(), r, []Task{{Host: sshdHost(s), Commands: []Command{{ID: "a", Line: "sleep 1; echo alive"}}}}, 20*time.Second)
	if ho := outs[0]; ho.Err != nil || string(ho.Commands[0].Stdout) != "alive\n" {
		t.Errorf("host err %v, command %+v", ho.Err, ho.Commands)
	}
}

// TestSSHDProxyJump tunnels to sshd through sshd itself (direct-tcpip).
func TestSSHDProxyJump(t *testing.T) {
	s := sshdtest.Start(t)
	cfg := writeFile(t, t.TempDir(), "config", fmt.Sprintf("Host inner\n  HostName 127.0.0.1\n  Port %d\n  ProxyJump %s@127.0.0.1:%d\n", s.Port, s.User, s.Port))
	r := sshdRunner(t, s, s.HostKeyLine(), Config{SSHConfigPath: cfg})
	outs, _, _ := runTasks(t, context.Background(), r, []Task{{Host: inventory.Host{Name: "inner"}, Commands: []Command{{ID: "a", Line: "echo tunnelled"}}}}, 20*time.Second)
	if ho := outs[0]; ho.Err != nil || string(ho.Commands[0].Stdout) != "tunnelled\n" {
		t.Fatalf("host err %v, commands %+v\n%s", ho.Err, ho.Commands, s.Logs())
	}
	if n := strings.Count(s.Logs(), "Accepted publickey"); n != 2 {
		t.Errorf("%d logins, want 2 (the jump and the target)", n)
	}
}

// TestSSHDMoreChecksThanSessions runs 20 commands on one host, more than
// its 8 sessions, each taking 2 s under a 5 s timeout: the last of them
// start after two waves (4 s and more), and must still run to their end,
// as a command's timeout counts from when it gets a session (issue 18).
func TestSSHDMoreChecksThanSessions(t *testing.T) {
	s := sshdtest.Start(t)
	r := sshdRunner(t, s, s.HostKeyLine(), Config{HostTimeout: 2 * time.Minute})
	task := Task{Host: sshdHost(s)}
	for i := range 20 {
		task.Commands = append(task.Commands, Command{ID: fmt.Sprintf("c%02d", i), Line: "sleep 2; echo done", Timeout: 5 * time.Second})
	}
	outs, took, _ := runTasks(t, context.Background(), r, []Task{task}, 2*time.Minute)
	for _, c := range outs[0].Commands {
		if c.Err != nil || string(c.Stdout) != "done\n" {
			t.Errorf("%s: err %v stdout %q after %s", c.ID, c.Err, c.Stdout, c.Duration)
		}
	}
	if took < 6*time.Second {
		t.Errorf("20 commands of 2 s in %s: more than 8 ran at once", took)
	}
	t.Logf("20 commands of 2 s, 8 sessions, 5 s timeout each: all done in %s", took.Round(time.Millisecond))
}

// TestSSHDFloodThenHang: a command that writes past the output limit and
// then runs past its deadline is reported as the flood (output_limit),
// the cause a reader can act on, with the deadline in the error.
func TestSSHDFloodThenHang(t *testing.T) {
	s := sshdtest.Start(t)
	r := sshdRunner(t, s, s.HostKeyLine(), Config{OutputLimit: 1000})
	tasks := []Task{{Host: sshdHost(s), Commands: []Command{{ID: "c", Line: "head -c 5000 /dev/zero; sleep 30", Timeout: time.Second}}}}
	outs, _, _ := runTasks(t, context.Background(), r, tasks, 30*time.Second)
	c := outs[0].Commands[0]
	var de *DeadlineError
	if c.Kind != KindOutputLimit || !c.Truncated || !errors.As(c.Err, &de) || de.Deadline != time.Second {
		t.Errorf("kind %q truncated %v err %v; want output_limit, truncated, the 1s deadline in the error", c.Kind, c.Truncated, c.Err)
	}
}
