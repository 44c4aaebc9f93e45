package runner

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/sshdtest"
	"github.com/fleetcheck/fleetcheck/inventory"
	"golang.org/x/crypto/ssh"
)

// silentListener accepts TCP connections and never writes: a host whose
// sshd hangs before its banner. It is closed with the test.
func silentListener(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().(*net.TCPAddr).Port
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// TestSSHDFaultMatrix produces against a real OpenSSH sshd the faults of
// issue 8 that sshd can (changed and unknown keys are TestSSHDHostKeys):
// refused (a closed port), no banner (a listener that never writes), a
// 100 MB flood, a command ignoring TERM, a slow command within its
// deadline, and a key that is not authorized; each with its kind, within
// its deadline, and the healthy command beside them unaffected.
func TestSSHDFaultMatrix(t *testing.T) {
	s := sshdtest.Start(t)
	const (
		connect = 2 * time.Second
		cmdWait = 3 * time.Second // generous: sshd starts sessions slowly on a loaded machine
	)
	host := func(name string, port int) inventory.Host {
		return inventory.Host{Name: name, Address: "127.0.0.1", Port: port}
	}
	type row struct {
		name     string
		task     Task
		wantHost ErrorKind
		wantCmd  ErrorKind
		deadline time.Duration
		check    func(t *testing.T, c CommandOutput)
	}
	rows := []row{
		{name: "healthy", task: Task{Host: host("healthy", s.Port), Commands: []Command{{ID: "c", Line: "echo ok"}}},
			deadline: cmdWait, check: func(t *testing.T, c CommandOutput) {
				if string(c.Stdout) != "ok\n" || c.ExitCode != 0 {
					t.Errorf("healthy: stdout %q exit %d", c.Stdout, c.ExitCode)
				}
			}},
		{name: "refused", task: Task{Host: host("refused", closedPort(t)), Commands: []Command{{ID: "c", Line: "true"}}},
			wantHost: KindRefused, deadline: connect},
		{name: "no banner", task: Task{Host: host("no-banner", silentListener(t)), Commands: []Command{{ID: "c", Line: "true"}}},
			wantHost: KindTimeout, deadline: connect},
		{name: "flood 100 MB", task: Task{Host: host("flood", s.Port), Commands: []Command{{ID: "c", Line: "head -c 100000000 /dev/zero"}}},
			wantCmd: KindOutputLimit, deadline: cmdWait, check: func(t *testing.T, c CommandOutput) {
				if !c.Truncated || len(c.Stdout) != 64<<10 {
					t.Errorf("flood: truncated %v, %d bytes kept, want 64 KiB", c.Truncated, len(c.Stdout))
				}
			}},
		// sleep 5, not 30: sshd leaves the ignoring shell running once the
		// session is abandoned, and tests must not leave processes behind
		// for long.
		{name: "ignores TERM", task: Task{Host: host("ignore-term", s.Port), Commands: []Command{{ID: "c", Line: "trap '' TERM; echo started; sleep 5", Timeout: cmdWait}}},
			wantCmd: KindTimeout, deadline: cmdWait + termGrace + closeGrace, check: func(t *testing.T, c CommandOutput) {
				if c.ExitCode != -1 || string(c.Stdout) != "started\n" {
					t.Errorf("ignores TERM: exit %d stdout %q, want -1 and the output before the timeout", c.ExitCode, c.Stdout)
				}
			}},
		{name: "slow within deadline", task: Task{Host: host("slow", s.Port), Commands: []Command{{ID: "c", Line: "sleep 1; echo slow", Timeout: cmdWait + time.Second}}},
			deadline: cmdWait + time.Second, check: func(t *testing.T, c CommandOutput) {
				if string(c.Stdout) != "slow\n" || c.ExitCode != 0 || c.Duration < time.Second {
					t.Errorf("slow: stdout %q exit %d after %s", c.Stdout, c.ExitCode, c.Duration)
				}
			}},
	}
	r := sshdRunner(t, s, s.HostKeyLine(), Config{ConnectTimeout: connect, HostTimeout: 20 * time.Second, OutputLimit: 64 << 10})
	var tasks []Task
	for _, rw := range rows {
		tasks = append(tasks, rw.task)
	}
	outs, took, err := runTasks(t, context.Background(), r, tasks, 30*time.Second)
	if err != nil {
		t.Errorf("Run: %v", err)
	}

	// Authentication rejected: a key sshd does not know.
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	rows = append(rows, row{name: "auth rejected", wantHost: KindAuth, deadline: connect})
	ra := sshdRunner(t, s, s.HostKeyLine(), Config{ConnectTimeout: connect, Signers: []ssh.Signer{stranger}})
	authOuts, _, _ := runTasks(t, context.Background(), ra, []Task{{Host: host("auth", s.Port), Commands: []Command{{ID: "c", Line: "true"}}}}, 15*time.Second)
	outs = append(outs, authOuts...)

	var table []string
	for i, rw := range rows {
		ho := outs[i]
		table = append(table, rw.name+": "+string(ho.Kind)+" "+kindsOf(ho)+" in "+ho.Duration.Round(time.Millisecond).String()+" (deadline "+rw.deadline.String()+")")
		if ho.Kind != rw.wantHost {
			t.Errorf("%s: host kind %q (%v), want %q\n%s", rw.name, ho.Kind, ho.Err, rw.wantHost, s.Logs())
			continue
		}
		checkDeadlines(t, rw.name, ho, rw.deadline, connect)
		if rw.wantHost != KindNone {
			if len(ho.Commands) != 0 {
				t.Errorf("%s: %d command outputs for a host never reached", rw.name, len(ho.Commands))
			}
			continue
		}
		if len(ho.Commands) != 1 {
			t.Errorf("%s: %d command outputs, want 1", rw.name, len(ho.Commands))
			continue
		}
		c := ho.Commands[0]
		if c.Kind != rw.wantCmd {
			t.Errorf("%s: command kind %q (%v), want %q", rw.name, c.Kind, c.Err, rw.wantCmd)
		}
		if rw.check != nil {
			rw.check(t, c)
		}
	}
	t.Logf("real sshd fault matrix, one Run of %s:\n%s", took.Round(time.Millisecond), strings.Join(table, "\n"))
}

// kindsOf lists the command kinds of ho, for logs.
func kindsOf(ho HostOutput) string {
	var ks []string
	for _, c := range ho.Commands {
		k := string(c.Kind)
		if k == "" {
			k = "ok"
		}
		ks = append(ks, k)
	}
	return "[" + strings.Join(ks, " ") + "]"
}

// TestSSHDAcceptNew: against a real sshd, accept-new records the key
// negotiated, and a strict run then trusts it.
func TestSSHDAcceptNew(t *testing.T) {
	s := sshdtest.Start(t)
	kh := writeFile(t, t.TempDir(), "known_hosts", "")
	cfg := Config{KnownHosts: []string{kh}, AcceptNew: true, SSHConfigPath: "none", Signers: []ssh.Signer{s.ClientSigner}, DefaultUser: s.User}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	task := []Task{{Host: sshdHost(s), Commands: []Command{{ID: "c", Line: "echo ok"}}}}
	outs, _, _ := runTasks(t, context.Background(), r, task, 15*time.Second)
	if outs[0].Err != nil {
		t.Fatalf("accept-new: %v\n%s", outs[0].Err, s.Logs())
	}
	lines := knownLines(t, kh)
	ed := s.HostKeyLine()
	ec := strings.Replace(ed, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.HostKey))), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.ECDSAHostKey))), 1)
	if len(lines) != 1 || lines[0] != ed && lines[0] != ec {
		t.Fatalf("recorded %q, want one of sshd's keys as %q or %q", lines, ed, ec)
	}
	cfg.AcceptNew = false
	strict, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	outs, _, _ = runTasks(t, context.Background(), strict, task, 15*time.Second)
	if outs[0].Err != nil || string(outs[0].Commands[0].Stdout) != "ok\n" {
		t.Errorf("strict run with the recorded key: %v", outs[0].Err)
	}
}
