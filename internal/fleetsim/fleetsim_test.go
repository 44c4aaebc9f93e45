package fleetsim

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestHostAddress(t *testing.T) {
	tests := []struct {
		i    int
		want string
	}{
		{0, "127.1.0.1"},
		{1, "127.1.0.2"},
		{253, "127.1.0.254"},
		{254, "127.1.1.1"},
		{254*256 - 1, "127.1.255.254"},
		{254 * 256, "127.2.0.1"},
	}
	for _, tt := range tests {
		got, err := hostAddress(tt.i)
		if err != nil || got.String() != tt.want {
			t.Errorf("hostAddress(%d) = %v, %v; want %s", tt.i, got, err, tt.want)
		}
	}
	if _, err := hostAddress(254 * 256 * 255); err == nil {
		t.Error("hostAddress past 127.255.255.254: want error")
	}
}

func TestEndpointsAndKnownHosts(t *testing.T) {
	f := startFleet(t, Options{Hosts: []HostSpec{{Name: "a"}, {Name: "b", Fault: FaultRefuse}, {Name: "c", Fault: FaultWrongHostKey}}})
	eps := f.Endpoints()
	lines := strings.Split(strings.TrimSuffix(string(f.KnownHosts()), "\n"), "\n")
	if len(eps) != 3 || len(lines) != 3 {
		t.Fatalf("got %d endpoints, %d known_hosts lines; want 3, 3", len(eps), len(lines))
	}
	for i, want := range []string{"127.1.0.1", "127.1.0.2", "127.1.0.3"} {
		ep := eps[i]
		if ep.Name != f.hosts[i].name || ep.Address != want || ep.Port <= 0 {
			t.Errorf("endpoint %d = %+v; want address %s and a port", i, ep, want)
		}
		prefix := fmt.Sprintf("[%s]:%d ssh-ed25519 AAAA", want, ep.Port)
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("known_hosts line %d = %q; want prefix %q", i, lines[i], prefix)
		}
	}
	if _, err := ssh.ParsePrivateKey(f.ClientKeyPEM()); err != nil {
		t.Errorf("ClientKeyPEM does not parse: %v", err)
	}
	if !bytes.Contains(f.ClientKeyPEM(), []byte("BEGIN OPENSSH PRIVATE KEY")) {
		t.Errorf("ClientKeyPEM is not in OpenSSH form:\n%s", f.ClientKeyPEM())
	}
}

func TestStartRejectsBadSpecs(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"empty name", Options{Hosts: []HostSpec{{}}}, "empty name"},
		{"duplicate", Options{Hosts: []HostSpec{{Name: "a"}, {Name: "a"}}}, "duplicate"},
		{"unknown fault", Options{Hosts: []HostSpec{{Name: "a", Fault: "sulk"}}}, "unknown fault"},
		{"bad port", Options{Port: 70000}, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Start(context.Background(), tt.opts)
			if err == nil {
				_ = f.Close()
				t.Fatal("Start succeeded; want error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start error %q; want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestExec(t *testing.T) {
	f := startFleet(t, Options{Hosts: []HostSpec{{Name: "web1", Respond: echoResponder}, {Name: "bare"}}})
	tests := []struct {
		host, cmd      string
		stdout, stderr string
		exit           int
	}{
		{"web1", "echo hello", "hello\n", "", 0},
		{"web1", "fail", "partial\n", "it broke\n", 3},
		{"bare", "uptime", "", "sh: uptime: command not found\n", 127},
	}
	for _, tt := range tests {
		t.Run(tt.host+"/"+tt.cmd, func(t *testing.T) {
			r := run(t, dial(t, f, tt.host), tt.cmd)
			exit := 0
			var ee *ssh.ExitError
			if errors.As(r.err, &ee) {
				exit = ee.ExitStatus()
			} else if r.err != nil {
				t.Fatalf("run: %v", r.err)
			}
			if r.stdout != tt.stdout || r.stderr != tt.stderr || exit != tt.exit {
				t.Errorf("got (%q, %q, %d); want (%q, %q, %d)", r.stdout, r.stderr, exit, tt.stdout, tt.stderr, tt.exit)
			}
		})
	}
	if got := f.Connections("web1"); got != 2 {
		t.Errorf("Connections(web1) = %d; want 2", got)
	}
	if got := f.Sessions("web1"); got != 2 {
		t.Errorf("Sessions(web1) = %d; want 2", got)
	}
	if got, want := f.Execs("web1"), []string{"echo hello", "fail"}; !slices.Equal(got, want) {
		t.Errorf("Execs(web1) = %q; want %q", got, want)
	}
}

func TestSessionRequests(t *testing.T) {
	f := startFleet(t, Options{Hosts: []HostSpec{{Name: "h", Respond: echoResponder}}})
	s, err := dial(t, f, "h").NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Setenv("LANG", "C"); err != nil {
		t.Errorf("env refused: %v", err)
	}
	if err := s.RequestPty("xterm", 24, 80, ssh.TerminalModes{}); err == nil {
		t.Error("pty-req accepted; want refused")
	}
	if err := s.RequestSubsystem("sftp"); err == nil {
		t.Error("subsystem accepted; want refused")
	}
	if err := s.Shell(); err == nil {
		t.Error("shell accepted; want refused")
	}
	out, err := s.Output("echo after refusals")
	if err != nil || string(out) != "after refusals\n" {
		t.Errorf("exec after refusals = %q, %v", out, err)
	}
}

func TestAuthRejected(t *testing.T) {
	f := startFleet(t, Options{Hosts: []HostSpec{{Name: "h"}}})
	_, other, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, err := ssh.NewSignerFromKey(other)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*ssh.ClientConfig)
	}{
		{"wrong user", func(c *ssh.ClientConfig) { c.User = "root" }},
		{"wrong key", func(c *ssh.ClientConfig) { c.Auth = []ssh.AuthMethod{ssh.PublicKeys(otherSigner)} }},
		{"password", func(c *ssh.ClientConfig) { c.Auth = []ssh.AuthMethod{ssh.Password("hunter2")} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := clientConfig(t, f)
			tt.edit(cfg)
			_, _, err := dialHandshake(t, f, "h", cfg, testTimeout)
			if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
				t.Errorf("handshake error %v; want unable to authenticate", err)
			}
		})
	}
}

// TestFaults checks, for every fault, what a plain x/crypto client sees.
func TestFaults(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1024) // 16 KiB
	respond := func(cmd string) Response {
		if cmd == "big" {
			return Response{Stdout: big}
		}
		return echoResponder(cmd)
	}
	const slow = 300 * time.Millisecond
	const floodBytes = 1 << 20
	tests := []struct {
		fault Fault
		check func(t *testing.T, f *Fleet, name string)
	}{
		{FaultNone, func(t *testing.T, f *Fleet, name string) {
			if r := run(t, dial(t, f, name), "echo ok"); r.err != nil || r.stdout != "ok\n" {
				t.Errorf("run = %+v; want ok", r)
			}
		}},
		{FaultRefuse, func(t *testing.T, f *Fleet, name string) {
			_, err := net.DialTimeout("tcp", endpoint(t, f, name).HostPort(), testTimeout)
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("dial error %v; want connection refused", err)
			}
		}},
		{FaultHangBeforeBanner, func(t *testing.T, f *Fleet, name string) {
			_, _, err := dialHandshake(t, f, name, clientConfig(t, f), 300*time.Millisecond)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("handshake error %v; want a timeout", err)
			}
			if got := f.Connections(name); got != 1 {
				t.Errorf("Connections = %d; want 1", got)
			}
		}},
		{FaultHangAfterAuth, func(t *testing.T, f *Fleet, name string) {
			client := dial(t, f, name)
			within(t, testTimeout, "keepalive", func() {
				ok, _, err := client.SendRequest("keepalive@openssh.com", true, nil)
				if ok || err != nil {
					t.Errorf("keepalive = %v, %v; want false, nil", ok, err)
				}
			})
			opened := make(chan error, 1)
			go func() {
				_, err := client.NewSession()
				opened <- err
			}()
			select {
			case err := <-opened:
				t.Fatalf("NewSession returned %v; want it to hang", err)
			case <-time.After(300 * time.Millisecond):
			}
			_ = client.Close()
			select {
			case err := <-opened:
				if err == nil {
					t.Error("NewSession succeeded after Close")
				}
			case <-time.After(testTimeout):
				t.Fatal("NewSession still hanging after client Close")
			}
			if got := f.Sessions(name); got != 0 {
				t.Errorf("Sessions = %d; want 0", got)
			}
		}},
		{FaultDropMidOutput, func(t *testing.T, f *Fleet, name string) {
			r := run(t, dial(t, f, name), "big")
			var ee *ssh.ExitError
			if r.err == nil || errors.As(r.err, &ee) {
				t.Errorf("run error %v; want a lost connection", r.err)
			}
			if r.stdout != big[:dropPartMax] {
				t.Errorf("got %d bytes of stdout; want the first %d", len(r.stdout), dropPartMax)
			}
		}},
		{FaultFlood, func(t *testing.T, f *Fleet, name string) {
			r := run(t, dial(t, f, name), "echo ok")
			if r.err != nil || len(r.stdout) != floodBytes {
				t.Errorf("run = %d bytes, %v; want %d bytes", len(r.stdout), r.err, floodBytes)
			}
		}},
		{FaultWrongHostKey, func(t *testing.T, f *Fleet, name string) {
			_, _, err := dialHandshake(t, f, name, clientConfig(t, f), testTimeout)
			var ke *knownhosts.KeyError
			if !errors.As(err, &ke) || len(ke.Want) == 0 {
				t.Errorf("handshake error %v; want a known_hosts key mismatch", err)
			}
		}},
		{FaultRejectAuth, func(t *testing.T, f *Fleet, name string) {
			_, _, err := dialHandshake(t, f, name, clientConfig(t, f), testTimeout)
			if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
				t.Errorf("handshake error %v; want unable to authenticate", err)
			}
		}},
		{FaultSlow, func(t *testing.T, f *Fleet, name string) {
			client := dial(t, f, name)
			start := time.Now()
			r := run(t, client, "echo late")
			if took := time.Since(start); took < slow {
				t.Errorf("answered in %v; want at least %v", took, slow)
			}
			if r.err != nil || r.stdout != "late\n" {
				t.Errorf("run = %+v; want late", r)
			}
		}},
	}
	var specs []HostSpec
	for _, tt := range tests {
		specs = append(specs, HostSpec{Name: "host-" + string(tt.fault), Fault: tt.fault, SlowDelay: slow, Respond: respond})
	}
	f := startFleet(t, Options{Hosts: specs, FloodBytes: floodBytes})
	for _, tt := range tests {
		t.Run(string(tt.fault)+"_", func(t *testing.T) {
			name := "host-" + string(tt.fault)
			if got := f.Fault(name); got != tt.fault {
				t.Fatalf("Fault(%s) = %q; want %q", name, got, tt.fault)
			}
			within(t, 2*testTimeout, "check", func() { tt.check(t, f, name) })
		})
	}
}

func TestFloodStopsWhenClientCloses(t *testing.T) {
	f := startFleet(t, Options{Hosts: []HostSpec{{Name: "h", Fault: FaultFlood, Respond: echoResponder}}})
	client := dial(t, f, "h")
	s, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("anything"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	if _, err := io.ReadFull(out, buf); err != nil {
		t.Fatalf("reading the flood: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("closing the session: %v", err)
	}
	// The connection still serves: the flood stopped instead of filling it.
	if err := f.SetFault("h", FaultNone); err != nil {
		t.Fatal(err)
	}
	within(t, testTimeout, "second command", func() {
		if r := run(t, client, "echo next"); r.err != nil || r.stdout != "next\n" {
			t.Errorf("second command = %+v", r)
		}
	})
}

func TestConcurrentSessions(t *testing.T) {
	const n = 8
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	// Each command answers only once all n are running: serialised
	// sessions would never get there.
	respond := func(cmd string) Response {
		arrived.Done()
		select {
		case <-all:
			return Response{Stdout: cmd}
		case <-time.After(testTimeout):
			return Response{Stderr: "sessions did not run concurrently", ExitCode: 1}
		}
	}
	f := startFleet(t, Options{Hosts: []HostSpec{{Name: "h", Respond: respond}}})
	client := dial(t, f, "h")
	var wg sync.WaitGroup
	results := make([]result, n)
	for i := range n {
		wg.Go(func() { results[i] = run(t, client, fmt.Sprint("cmd", i)) })
	}
	wg.Wait()
	for i, r := range results {
		if r.err != nil || r.stdout != fmt.Sprint("cmd", i) {
			t.Errorf("session %d = %+v", i, r)
		}
	}
	if got := f.Sessions("h"); got != n {
		t.Errorf("Sessions = %d; want %d", got, n)
	}
}

func TestSignals(t *testing.T) {
	tests := []struct {
		name   string
		resp   Response
		signal ssh.Signal
		want   string // exit signal, or "" for a normal exit
	}{
		{"signal ends a slow command", Response{Stdout: "never\n", Delay: time.Hour}, ssh.SIGTERM, "TERM"},
		{"kill", Response{Delay: time.Hour}, ssh.SIGKILL, "KILL"},
		{"ignored signal", Response{Stdout: "done\n", Delay: 200 * time.Millisecond, IgnoreSignals: true}, ssh.SIGTERM, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFleet(t, Options{Hosts: []HostSpec{{Name: "h", Respond: func(string) Response { return tt.resp }}}})
			s, err := dial(t, f, "h").NewSession()
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			s.Stdout = &out
			if err := s.Start("sleep"); err != nil {
				t.Fatal(err)
			}
			if err := s.Signal(tt.signal); err != nil {
				t.Fatal(err)
			}
			var werr error
			within(t, testTimeout, "Wait", func() { werr = s.Wait() })
			var ee *ssh.ExitError
			switch {
			case tt.want == "" && (werr != nil || out.String() != tt.resp.Stdout):
				t.Errorf("Wait = %v, stdout %q; want success and %q", werr, out.String(), tt.resp.Stdout)
			case tt.want != "" && (!errors.As(werr, &ee) || ee.Signal() != tt.want || out.Len() != 0):
				t.Errorf("Wait = %v, stdout %q; want exit signal %s and no output", werr, out.String(), tt.want)
			}
		})
	}
}

func TestSetFault(t *testing.T) {
	f := startFleet(t, Options{Hosts: []HostSpec{{Name: "h", Respond: echoResponder}}})
	port := endpoint(t, f, "h").Port
	steps := []struct {
		fault   Fault
		refused bool
	}{
		{FaultRefuse, true},
		{FaultSlow, false},
		{FaultRefuse, true},
		{FaultNone, false},
	}
	for _, s := range steps {
		if err := f.SetFault("h", s.fault); err != nil {
			t.Fatalf("SetFault(%q): %v", s.fault, err)
		}
		if got := endpoint(t, f, "h").Port; got != port {
			t.Fatalf("port moved from %d to %d", port, got)
		}
		c, err := net.DialTimeout("tcp", endpoint(t, f, "h").HostPort(), testTimeout)
		if refused := errors.Is(err, syscall.ECONNREFUSED); refused != s.refused {
			t.Fatalf("after SetFault(%q): dial error %v; want refused=%v", s.fault, err, s.refused)
		}
		if c != nil {
			_ = c.Close()
		}
	}
	if r := run(t, dial(t, f, "h"), "echo back"); r.err != nil || r.stdout != "back\n" {
		t.Errorf("after restoring: %+v", r)
	}
	if err := f.SetFault("nosuch", FaultNone); err == nil {
		t.Error("SetFault of unknown host: want error")
	}
	if err := f.SetFault("h", "sulk"); err == nil {
		t.Error("SetFault to unknown fault: want error")
	}
}

func TestExecsKeepsLast64(t *testing.T) {
	f := startFleet(t, Options{Hosts: []HostSpec{{Name: "h", Respond: echoResponder}}})
	client := dial(t, f, "h")
	var want []string
	for i := range maxExecs + 6 {
		cmd := fmt.Sprint("echo ", i)
		run(t, client, cmd)
		want = append(want, cmd)
	}
	if got := f.Execs("h"); !slices.Equal(got, want[6:]) {
		t.Errorf("Execs = %q; want %q", got, want[6:])
	}
	if got := f.Execs("nosuch"); got != nil {
		t.Errorf("Execs(nosuch) = %q; want nil", got)
	}
}

func TestDirectTCPIP(t *testing.T) {
	f := startFleet(t, Options{Hosts: []HostSpec{{Name: "bastion"}, {Name: "target", Respond: echoResponder}}})
	bastion := dial(t, f, "bastion")
	target := endpoint(t, f, "target").HostPort()
	tunnel, err := bastion.Dial("tcp", target)
	if err != nil {
		t.Fatalf("dial through bastion: %v", err)
	}
	sc, chans, reqs, err := ssh.NewClientConn(tunnel, target, clientConfig(t, f))
	if err != nil {
		t.Fatalf("handshake through bastion: %v", err)
	}
	client := ssh.NewClient(sc, chans, reqs)
	defer client.Close()
	if r := run(t, client, "echo jumped"); r.err != nil || r.stdout != "jumped\n" {
		t.Errorf("run through bastion = %+v", r)
	}
	for _, addr := range []string{"192.0.2.1:22", "[::2]:22"} {
		_, err := bastion.Dial("tcp", addr)
		var oce *ssh.OpenChannelError
		if !errors.As(err, &oce) || oce.Reason != ssh.Prohibited {
			t.Errorf("dial %s through bastion: %v; want prohibited", addr, err)
		}
	}
}

func TestLatency(t *testing.T) {
	const latency = 25 * time.Millisecond
	f := startFleet(t, Options{Latency: latency, Hosts: []HostSpec{{Name: "h", Respond: echoResponder}}})
	start := time.Now()
	client := dial(t, f, "h")
	handshake := time.Since(start)
	r := run(t, client, "echo hi")
	total := time.Since(start)
	if r.err != nil || r.stdout != "hi\n" {
		t.Fatalf("run = %+v", r)
	}
	// Banner, kex, service accept and three auth replies; then session and exec.
	if handshake < 5*latency || total < 7*latency {
		t.Errorf("handshake %v, total %v; want at least %v and %v", handshake, total, 5*latency, 7*latency)
	}
	t.Logf("latency %v: handshake %v (%.1f latencies), handshake and one command %v (%.1f)",
		latency, handshake, float64(handshake)/float64(latency), total, float64(total)/float64(latency))
}

func TestFixedPort(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.1.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	f := startFleet(t, Options{Port: port, Hosts: []HostSpec{{Name: "a", Respond: echoResponder}, {Name: "b", Fault: FaultRefuse}}})
	for _, ep := range f.Endpoints() {
		if ep.Port != port {
			t.Errorf("%s listens on %d; want %d", ep.Name, ep.Port, port)
		}
	}
	if r := run(t, dial(t, f, "a"), "echo fixed"); r.stdout != "fixed\n" {
		t.Errorf("run = %+v", r)
	}
}

// TestCloseForceCloses checks Close ends hung and busy connections that the
// clients never close themselves.
func TestCloseForceCloses(t *testing.T) {
	f, err := Start(context.Background(), Options{Hosts: []HostSpec{
		{Name: "banner", Fault: FaultHangBeforeBanner},
		{Name: "auth", Fault: FaultHangAfterAuth},
		{Name: "busy", Respond: func(string) Response { return Response{Delay: time.Hour} }},
	}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := net.Dial("tcp", endpoint(t, f, "banner").HostPort())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	hung := dial(t, f, "auth")
	go func() { _, _ = hung.NewSession() }()
	busy := dial(t, f, "busy")
	s, err := busy.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("sleep forever"); err != nil {
		t.Fatal(err)
	}
	within(t, testTimeout, "Close", func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	within(t, testTimeout, "reading the hung connection", func() {
		if _, err := raw.Read(make([]byte, 1)); err == nil {
			t.Error("hung connection still open after Close")
		}
	})
	within(t, testTimeout, "waiting for the busy command", func() {
		var ee *ssh.ExitError
		if err := s.Wait(); err == nil || errors.As(err, &ee) {
			t.Errorf("Wait = %v; want a lost connection", err)
		}
	})
	within(t, testTimeout, "waiting for the hung client", func() { _ = hung.Wait() })
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestContextEndCloses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f, err := Start(ctx, Options{Hosts: []HostSpec{{Name: "h"}}})
	if err != nil {
		t.Fatal(err)
	}
	addr := endpoint(t, f, "h").HostPort()
	cancel()
	within(t, testTimeout, "listener shutdown", func() {
		for {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				return
			}
			_ = c.Close()
			time.Sleep(10 * time.Millisecond)
		}
	})
	within(t, testTimeout, "Close", func() { _ = f.Close() })
}

// TestNoGoroutineLeak runs every kind of connection, closes the fleet and
// checks the goroutine count settles back.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	var specs []HostSpec
	for _, fault := range []Fault{FaultNone, FaultRefuse, FaultHangBeforeBanner, FaultHangAfterAuth,
		FaultDropMidOutput, FaultFlood, FaultWrongHostKey, FaultRejectAuth, FaultSlow} {
		specs = append(specs, HostSpec{Name: "h-" + string(fault), Fault: fault, Respond: echoResponder})
	}
	f, err := Start(context.Background(), Options{Hosts: specs, Latency: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var clients []net.Conn
	for _, ep := range f.Endpoints() {
		c, err := net.Dial("tcp", ep.HostPort())
		if err != nil {
			continue // refuse
		}
		clients = append(clients, c)
		cfg := clientConfig(t, f)
		go func() {
			sc, chans, reqs, err := ssh.NewClientConn(c, ep.HostPort(), cfg)
			if err != nil {
				return
			}
			client := ssh.NewClient(sc, chans, reqs)
			s, err := client.NewSession()
			if err != nil {
				return
			}
			_ = s.Start("echo x") // left running
		}()
	}
	// Wait until every host holds its connection, and those that open
	// sessions have opened one, so Close meets every kind of goroutine.
	for _, s := range specs {
		switch s.Fault {
		case FaultRefuse:
		case FaultNone, FaultDropMidOutput, FaultFlood, FaultSlow:
			waitFor(t, s.Name+" session", func() bool { return f.Sessions(s.Name) == 1 })
		default:
			waitFor(t, s.Name+" connection", func() bool { return f.Connections(s.Name) == 1 })
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		_ = c.Close()
	}
	deadline := time.Now().Add(testTimeout)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before Start, %d after Close:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

// Fault returns the named host's current fault.
func (f *Fleet) Fault(name string) Fault {
	if h, ok := f.byName[name]; ok {
		return h.currentFault()
	}
	return FaultNone
}
