package runner

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/fleetcheck/fleetcheck/inventory"
	"golang.org/x/crypto/ssh"
)

// bound is the slack allowed over a deadline before a test calls the
// runner late: the machine is shared and noisy.
const bound = 3 * time.Second

// startFleet serves hosts until the test ends.
func startFleet(t testing.TB, opts fleetsim.Options) *fleetsim.Fleet {
	t.Helper()
	f, err := fleetsim.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("fleetsim: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// fleetRunner returns a runner that trusts the fleet's host keys and logs
// in with its client key; cfg's other fields are kept.
func fleetRunner(t testing.TB, f *fleetsim.Fleet, cfg Config) *Runner {
	t.Helper()
	if cfg.KnownHosts == nil {
		cfg.KnownHosts = []string{writeFile(t, t.TempDir(), "known_hosts", string(f.KnownHosts()))}
	}
	if cfg.SSHConfigPath == "" {
		cfg.SSHConfigPath = "none"
	}
	cfg.Signers = []ssh.Signer{f.ClientSigner()}
	cfg.DefaultUser = f.User()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fleetHost is the inventory host of a fleet endpoint.
func fleetHost(t testing.TB, f *fleetsim.Fleet, name string) inventory.Host {
	t.Helper()
	ep, ok := f.Endpoint(name)
	if !ok {
		t.Fatalf("no fleet host %s", name)
	}
	return inventory.Host{Name: ep.Name, Address: ep.Address, Port: ep.Port}
}

// answer is a responder: "echo X" prints X, "sleep" waits long, ignoring
// signals when told "sleep-ignore", "fail" exits 2.
func answer(cmd string) fleetsim.Response {
	switch {
	case strings.HasPrefix(cmd, "echo "):
		return fleetsim.Response{Stdout: strings.TrimPrefix(cmd, "echo ") + "\n"}
	case cmd == "sleep":
		return fleetsim.Response{Stdout: "started\n", Delay: 30 * time.Second}
	case cmd == "sleep-ignore":
		return fleetsim.Response{Stdout: "started\n", Delay: 30 * time.Second, IgnoreSignals: true}
	case strings.HasPrefix(cmd, "delay "):
		d, _ := time.ParseDuration(strings.TrimPrefix(cmd, "delay "))
		return fleetsim.Response{Stdout: "done\n", Delay: d}
	case cmd == "fail":
		return fleetsim.Response{Stderr: "broken\n", ExitCode: 2}
	}
	return fleetsim.Response{Stderr: "sh: " + cmd + ": not found\n", ExitCode: 127}
}

func TestFleetFaults(t *testing.T) {
	specs := []fleetsim.HostSpec{
		{Name: "ok", Respond: answer},
		{Name: "refuse", Fault: fleetsim.FaultRefuse},
		{Name: "no-banner", Fault: fleetsim.FaultHangBeforeBanner},
		{Name: "hang-after-auth", Fault: fleetsim.FaultHangAfterAuth, Respond: answer},
		{Name: "drop", Fault: fleetsim.FaultDropMidOutput, Respond: func(string) fleetsim.Response {
			return fleetsim.Response{Stdout: strings.Repeat("line of output\n", 4000)}
		}},
		{Name: "flood", Fault: fleetsim.FaultFlood, Respond: answer},
		{Name: "wrong-key", Fault: fleetsim.FaultWrongHostKey, Respond: answer},
		{Name: "unknown-key", Respond: answer},
		{Name: "reject-auth", Fault: fleetsim.FaultRejectAuth, Respond: answer},
		{Name: "slow", Fault: fleetsim.FaultSlow, SlowDelay: 300 * time.Millisecond, Respond: answer},
		{Name: "ignore-term", Respond: answer},
	}
	f := startFleet(t, fleetsim.Options{Hosts: specs})
	var known []string
	for _, line := range strings.Split(strings.TrimSpace(string(f.KnownHosts())), "\n") {
		ep, _ := f.Endpoint("unknown-key")
		if !strings.HasPrefix(line, fmt.Sprintf("[%s]:%d ", ep.Address, ep.Port)) {
			known = append(known, line)
		}
	}
	khFile := writeFile(t, t.TempDir(), "known_hosts", strings.Join(known, "\n")+"\n")

	tests := []struct {
		name      string
		host      inventory.Host
		cfg       Config
		cmds      []Command
		deadline  time.Duration // the deadline the outcome must respect
		wantHost  ErrorKind
		wantCmd   ErrorKind // kind of the first command, when the host connected
		noSession bool      // the host must never have opened a session
	}{
		{name: "ok", host: fleetHost(t, f, "ok"), cmds: []Command{{ID: "a", Line: "echo hi"}},
			deadline: time.Second},
		{name: "dns", host: inventory.Host{Name: "ghost", Address: "ghost.fleetcheck.invalid", Port: 22},
			cfg: Config{ConnectTimeout: time.Second}, deadline: time.Second, wantHost: KindDNS},
		{name: "refused", host: fleetHost(t, f, "refuse"), deadline: time.Second, wantHost: KindRefused},
		{name: "hang before banner", host: fleetHost(t, f, "no-banner"),
			cfg: Config{ConnectTimeout: 500 * time.Millisecond}, deadline: 500 * time.Millisecond, wantHost: KindTimeout},
		{name: "hang after auth", host: fleetHost(t, f, "hang-after-auth"),
			cfg:  Config{HostTimeout: time.Second},
			cmds: []Command{{ID: "a", Line: "echo hi"}, {ID: "b", Line: "echo there"}}, deadline: time.Second,
			wantHost: KindTimeout, wantCmd: KindTimeout},
		{name: "drop mid output", host: fleetHost(t, f, "drop"), cmds: []Command{{ID: "a", Line: "cat big"}},
			deadline: time.Second, wantHost: KindConnectionLost, wantCmd: KindConnectionLost},
		{name: "flood", host: fleetHost(t, f, "flood"), cfg: Config{OutputLimit: 64 << 10},
			cmds: []Command{{ID: "a", Line: "yes"}}, deadline: time.Second, wantCmd: KindOutputLimit},
		{name: "wrong host key", host: fleetHost(t, f, "wrong-key"), cmds: []Command{{ID: "a", Line: "echo hi"}},
			deadline: time.Second, wantHost: KindHostKeyMismatch, noSession: true},
		{name: "unknown host key", host: fleetHost(t, f, "unknown-key"), cmds: []Command{{ID: "a", Line: "echo hi"}},
			cfg: Config{KnownHosts: []string{khFile}}, deadline: time.Second, wantHost: KindHostKeyUnknown, noSession: true},
		{name: "auth rejected", host: fleetHost(t, f, "reject-auth"), cmds: []Command{{ID: "a", Line: "echo hi"}},
			deadline: time.Second, wantHost: KindAuth, noSession: true},
		{name: "slow within deadline", host: fleetHost(t, f, "slow"), cfg: Config{HostTimeout: 5 * time.Second},
			cmds: []Command{{ID: "a", Line: "echo hi", Timeout: 3 * time.Second}}, deadline: 3 * time.Second},
		{name: "command ignoring TERM", host: fleetHost(t, f, "ignore-term"),
			cmds:     []Command{{ID: "a", Line: "sleep-ignore", Timeout: 500 * time.Millisecond}},
			deadline: 500 * time.Millisecond, wantCmd: KindTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fleetRunner(t, f, tt.cfg)
			if tt.cmds == nil {
				tt.cmds = []Command{{ID: "a", Line: "echo hi"}}
			}
			outs, took, err := runTasks(t, context.Background(), r, []Task{{Host: tt.host, Commands: tt.cmds}}, tt.deadline+10*time.Second)
			if err != nil {
				t.Errorf("Run: %v (a host failure is not a Run error)", err)
			}
			ho := outs[0]
			t.Logf("%s: host kind %q err %v; took %s", tt.name, ho.Kind, ho.Err, took.Round(time.Millisecond))
			if took > tt.deadline+bound {
				t.Errorf("Run took %s, want within %s + %s", took, tt.deadline, bound)
			}
			if ho.Kind != tt.wantHost || (ho.Err != nil) != (tt.wantHost != KindNone) {
				t.Errorf("host kind %q err %v, want kind %q", ho.Kind, ho.Err, tt.wantHost)
			}
			if tt.noSession && (f.Sessions(tt.host.Name) != 0 || len(f.Execs(tt.host.Name)) != 0) {
				t.Errorf("%d sessions, execs %q: no command may reach this host", f.Sessions(tt.host.Name), f.Execs(tt.host.Name))
			}
			connected := tt.wantHost == KindNone || tt.wantHost == KindTimeout && tt.wantCmd != KindNone || tt.wantHost == KindConnectionLost
			if !connected {
				if len(ho.Commands) != 0 {
					t.Errorf("%d command outputs for a host never reached", len(ho.Commands))
				}
				return
			}
			if len(ho.Commands) != len(tt.cmds) {
				t.Fatalf("%d command outputs, want %d", len(ho.Commands), len(tt.cmds))
			}
			c := ho.Commands[0]
			if c.Kind != tt.wantCmd || (c.Err != nil) != (tt.wantCmd != KindNone) {
				t.Errorf("command kind %q err %v, want %q", c.Kind, c.Err, tt.wantCmd)
			}
			if c.Kind == KindTimeout && c.ExitCode != -1 {
				t.Errorf("exit code %d after a timeout, want -1", c.ExitCode)
			}
			if c.ID != tt.cmds[0].ID {
				t.Errorf("command ID %q, want %q", c.ID, tt.cmds[0].ID)
			}
		})
	}
}

func TestFleetFloodIsCutQuickly(t *testing.T) {
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{{Name: "flood", Fault: fleetsim.FaultFlood}}})
	const limit = 64 << 10
	r := fleetRunner(t, f, Config{OutputLimit: limit})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	outs, took, _ := runTasks(t, context.Background(), r, []Task{{Host: fleetHost(t, f, "flood"), Commands: []Command{{ID: "a", Line: "yes"}}}}, 20*time.Second)
	runtime.ReadMemStats(&after)
	c := outs[0].Commands[0]
	if c.Kind != KindOutputLimit || !c.Truncated || len(c.Stdout) != limit {
		t.Errorf("kind %q truncated %v, %d bytes kept; want output_limit, true, %d", c.Kind, c.Truncated, len(c.Stdout), limit)
	}
	// Draining the whole 100 MiB flood would allocate well over 100 MiB
	// (client and server together); cutting it at the cap allocates little.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("100 MiB flood cut at %d bytes in %s, %d MiB allocated (client and server)", limit, took.Round(time.Millisecond), alloc>>20)
	if alloc > 64<<20 {
		t.Errorf("allocated %d MiB: the flood was drained instead of cut", alloc>>20)
	}
	if took > bound {
		t.Errorf("took %s", took)
	}
}

func TestFleetOneConnectionManyCommands(t *testing.T) {
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{{Name: "h", Respond: answer}}})
	r := fleetRunner(t, f, Config{})
	cmds := []Command{
		{ID: "slow", Line: "delay 1s"},
		{ID: "c1", Line: "echo one"},
		{ID: "c2", Line: "echo two"},
		{ID: "c3", Line: "fail"},
		{ID: "c4", Line: "nosuch"},
		{ID: "c5", Line: "sleep", Timeout: 200 * time.Millisecond},
		{ID: "c6", Line: "echo six"},
	}
	outs, _, _ := runTasks(t, context.Background(), r, []Task{{Host: fleetHost(t, f, "h"), Commands: cmds}}, 15*time.Second)
	if n := f.Connections("h"); n != 1 {
		t.Errorf("Connections = %d, want 1", n)
	}
	if n := f.Sessions("h"); n != len(cmds) {
		t.Errorf("Sessions = %d, want %d", n, len(cmds))
	}
	ho := outs[0]
	if ho.Err != nil || len(ho.Commands) != len(cmds) {
		t.Fatalf("host err %v, %d outputs", ho.Err, len(ho.Commands))
	}
	want := []struct {
		out  string
		code int
		kind ErrorKind
	}{{"done\n", 0, KindNone}, {"one\n", 0, KindNone}, {"two\n", 0, KindNone}, {"", 2, KindNone}, {"", 127, KindNone}, {"", -1, KindTimeout}, {"six\n", 0, KindNone}}
	for i, c := range ho.Commands {
		if c.ID != cmds[i].ID || string(c.Stdout) != want[i].out || c.ExitCode != want[i].code || c.Kind != want[i].kind {
			t.Errorf("command %d = id %q stdout %q code %d kind %q err %v; want %q %q %d %q",
				i, c.ID, c.Stdout, c.ExitCode, c.Kind, c.Err, cmds[i].ID, want[i].out, want[i].code, want[i].kind)
		}
	}
	if d := ho.Commands[1].Duration; d >= time.Second {
		t.Errorf("a quick command took %s: the slow one held it up", d)
	}
	if s := string(ho.Commands[3].Stderr); s != "broken\n" {
		t.Errorf("stderr %q", s)
	}
}

func TestFleetFanoutRespected(t *testing.T) {
	var specs []fleetsim.HostSpec
	for i := range 12 {
		specs = append(specs, fleetsim.HostSpec{Name: fmt.Sprintf("h%02d", i), Respond: answer})
	}
	f := startFleet(t, fleetsim.Options{Hosts: specs})
	const fanout = 3
	r := fleetRunner(t, f, Config{Fanout: fanout})
	var tasks []Task
	for _, s := range specs {
		tasks = append(tasks, Task{Host: fleetHost(t, f, s.Name), Commands: []Command{{ID: "a", Line: "delay 150ms"}}})
	}
	outs, _, _ := runTasks(t, context.Background(), r, tasks, 20*time.Second)
	peak := 0
	for _, a := range outs {
		if a.Err != nil {
			t.Fatalf("%s: %v", a.Host.Name, a.Err)
		}
		n := 0
		for _, b := range outs {
			if !b.Started.After(a.Started) && b.Started.Add(b.Duration).After(a.Started) {
				n++
			}
		}
		peak = max(peak, n)
	}
	if peak != fanout {
		t.Errorf("peak hosts in flight = %d, want %d", peak, fanout)
	}
}

func TestFleetCancellation(t *testing.T) {
	var specs []fleetsim.HostSpec
	for i := range 10 {
		specs = append(specs, fleetsim.HostSpec{Name: fmt.Sprintf("h%02d", i), Respond: answer})
	}
	f := startFleet(t, fleetsim.Options{Hosts: specs})
	r := fleetRunner(t, f, Config{Fanout: 2})
	var tasks []Task
	for _, s := range specs {
		tasks = append(tasks, Task{Host: fleetHost(t, f, s.Name), Commands: []Command{{ID: "quick", Line: "echo hi"}, {ID: "long", Line: "sleep"}}})
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan HostOutput)
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx, tasks, out) }()
	var outs []HostOutput
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	for len(f.Execs("h00")) < 2 {
		select {
		case <-timer.C:
			t.Fatal("the first host never started its commands")
		default:
		}
		time.Sleep(5 * time.Millisecond) // polling: the fleet has no event to wait on
	}
	// The quick command's answer is on its way; nothing on the client side
	// says when it has arrived, so give it a generous moment.
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	cancel()
	for ho := range out {
		outs = append(outs, ho)
	}
	err := <-errc
	if took := time.Since(start); took > bound {
		t.Errorf("Run ended %s after cancel", took)
	}
	if err == nil {
		t.Error("Run returned nil after cancellation")
	}
	if len(outs) != len(tasks) {
		t.Fatalf("%d outputs for %d tasks", len(outs), len(tasks))
	}
	partial := 0
	for _, ho := range outs {
		if ho.Kind != KindCanceled {
			t.Errorf("%s: kind %q err %v, want canceled", ho.Host.Name, ho.Kind, ho.Err)
		}
		if len(ho.Commands) == 2 && ho.Commands[0].Err == nil && string(ho.Commands[0].Stdout) == "hi\n" {
			partial++
		}
	}
	if partial == 0 {
		t.Error("no running host kept its finished command")
	}
	unstarted := 0
	for _, ho := range outs {
		if len(ho.Commands) == 0 && strings.Contains(ho.Err.Error(), "not started") {
			unstarted++
		}
	}
	if unstarted == 0 {
		t.Error("no task was reported as not started (fanout 2, 10 hosts)")
	}
}

func TestFleetProxyJump(t *testing.T) {
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{
		{Name: "bastion", Respond: answer},
		{Name: "inner", Respond: answer},
	}})
	b, _ := f.Endpoint("bastion")
	in, _ := f.Endpoint("inner")
	keyPath := writeFile(t, t.TempDir(), "id", string(f.ClientKeyPEM()))
	cfgPath := writeFile(t, t.TempDir(), "config", fmt.Sprintf(`Host inner
  HostName %s
  Port %d
  ProxyJump jump
Host jump
  HostName %s
  Port %d
Host *
  User %s
  IdentityFile %s
`, in.Address, in.Port, b.Address, b.Port, f.User(), keyPath))
	kh := writeFile(t, t.TempDir(), "known_hosts", string(f.KnownHosts()))
	r, err := New(Config{SSHConfigPath: cfgPath, KnownHosts: []string{kh}})
	if err != nil {
		t.Fatal(err)
	}
	outs, _, _ := runTasks(t, context.Background(), r, []Task{{Host: inventory.Host{Name: "inner"}, Commands: []Command{{ID: "a", Line: "echo inside"}}}}, 15*time.Second)
	ho := outs[0]
	if ho.Err != nil || len(ho.Commands) != 1 || string(ho.Commands[0].Stdout) != "inside\n" {
		t.Fatalf("err %v commands %+v", ho.Err, ho.Commands)
	}
	if ho.Address != in.HostPort() {
		t.Errorf("Address %q, want %q", ho.Address, in.HostPort())
	}
	if f.Connections("bastion") != 1 || f.Sessions("bastion") != 0 || f.Connections("inner") != 1 {
		t.Errorf("bastion %d connections %d sessions, inner %d connections; want 1, 0, 1",
			f.Connections("bastion"), f.Sessions("bastion"), f.Connections("inner"))
	}
}

func TestFleetKeepaliveEndsFrozenConnection(t *testing.T) {
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{{Name: "h", Respond: answer}}})
	ep, _ := f.Endpoint("h")
	p := startFreezeProxy(t, ep.HostPort())
	// The host's key, recorded under the proxy's address.
	line := strings.TrimSpace(string(f.KnownHosts()))
	line = fmt.Sprintf("[127.0.0.1]:%d%s", p.port, line[strings.IndexByte(line, ' '):])
	kh := writeFile(t, t.TempDir(), "known_hosts", line+"\n")
	const every = 200 * time.Millisecond
	r := fleetRunner(t, f, Config{HostTimeout: 20 * time.Second, Keepalive: every, KnownHosts: []string{kh}})
	go func() {
		for f.Sessions("h") < 1 {
			time.Sleep(5 * time.Millisecond)
		}
		p.freeze()
	}()
	host := inventory.Host{Name: "h", Address: "127.0.0.1", Port: p.port}
	outs, took, _ := runTasks(t, context.Background(), r, []Task{{Host: host, Commands: []Command{{ID: "a", Line: "delay 10s"}}}}, 25*time.Second)
	ho := outs[0]
	t.Logf("frozen connection ended after %s: %v", took.Round(time.Millisecond), ho.Err)
	if took > 2*every+bound {
		t.Errorf("took %s: the keepalive did not end the frozen connection", took)
	}
	if ho.Kind != KindTimeout || len(ho.Commands) != 1 || ho.Commands[0].Kind != KindTimeout {
		t.Errorf("host kind %q err %v, commands %+v; want timeout", ho.Kind, ho.Err, ho.Commands)
	}
}

func TestFleetProxyJumpTwoHops(t *testing.T) {
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{
		{Name: "outer", Respond: answer},
		{Name: "middle", Respond: answer},
		{Name: "inner", Respond: answer},
	}})
	o, _ := f.Endpoint("outer")
	m, _ := f.Endpoint("middle")
	cfgPath := writeFile(t, t.TempDir(), "config", fmt.Sprintf(`Host inner
  ProxyJump outer,%s@%s:%d
Host outer
  HostName %s
  Port %d
`, f.User(), m.Address, m.Port, o.Address, o.Port))
	r := fleetRunner(t, f, Config{SSHConfigPath: cfgPath})
	host := fleetHost(t, f, "inner")
	outs, _, _ := runTasks(t, context.Background(), r, []Task{{Host: host, Commands: []Command{{ID: "a", Line: "echo deep"}}}}, 15*time.Second)
	if ho := outs[0]; ho.Err != nil || string(ho.Commands[0].Stdout) != "deep\n" {
		t.Fatalf("err %v commands %+v", ho.Err, ho.Commands)
	}
	for _, name := range []string{"outer", "middle", "inner"} {
		if n := f.Connections(name); n != 1 {
			t.Errorf("%s: %d connections, want 1", name, n)
		}
	}
}

func TestFleetProxyJumpShared(t *testing.T) {
	specs := []fleetsim.HostSpec{{Name: "bastion", Respond: answer}, {Name: "dead-bastion", Fault: fleetsim.FaultRefuse}}
	for i := range 6 {
		specs = append(specs, fleetsim.HostSpec{Name: fmt.Sprintf("in%d", i), Respond: answer})
	}
	f := startFleet(t, fleetsim.Options{Hosts: specs})
	b, _ := f.Endpoint("bastion")
	dead, _ := f.Endpoint("dead-bastion")
	cfgPath := writeFile(t, t.TempDir(), "config", fmt.Sprintf("Host in0 in1 in2 in3\n  ProxyJump %s:%d\nHost in4 in5\n  ProxyJump %s:%d\n",
		b.Address, b.Port, dead.Address, dead.Port))
	r := fleetRunner(t, f, Config{SSHConfigPath: cfgPath, Fanout: 6})
	var tasks []Task
	for i := range 6 {
		tasks = append(tasks, Task{Host: fleetHost(t, f, fmt.Sprintf("in%d", i)), Commands: []Command{{ID: "a", Line: "echo hi"}}})
	}
	outs, _, _ := runTasks(t, context.Background(), r, tasks, 15*time.Second)
	for i, ho := range outs {
		want := KindNone
		if i >= 4 {
			want = KindRefused
		}
		if ho.Kind != want {
			t.Errorf("%s: kind %q err %v, want %q", ho.Host.Name, ho.Kind, ho.Err, want)
		}
	}
	if n := f.Connections("bastion"); n != 1 {
		t.Errorf("bastion: %d connections for 4 hosts, want 1 shared", n)
	}
	// A new Run dials its own.
	runTasks(t, context.Background(), r, tasks[:1], 15*time.Second)
	if n := f.Connections("bastion"); n != 2 {
		t.Errorf("bastion: %d connections after a second Run, want 2", n)
	}
}

func TestFleetProxyJumpTargetHangs(t *testing.T) {
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{
		{Name: "bastion", Respond: answer},
		{Name: "inner", Fault: fleetsim.FaultHangBeforeBanner},
	}})
	b, _ := f.Endpoint("bastion")
	in, _ := f.Endpoint("inner")
	cfgPath := writeFile(t, t.TempDir(), "config", fmt.Sprintf("Host inner\n  ProxyJump %s@%s:%d\n", f.User(), b.Address, b.Port))
	const connect = 500 * time.Millisecond
	r := fleetRunner(t, f, Config{SSHConfigPath: cfgPath, ConnectTimeout: connect})
	host := inventory.Host{Name: "inner", Address: in.Address, Port: in.Port}
	outs, took, _ := runTasks(t, context.Background(), r, []Task{{Host: host, Commands: []Command{{ID: "a", Line: "echo hi"}}}}, 15*time.Second)
	t.Logf("target behind a jump host, silent: %s after %s", outs[0].Err, took.Round(time.Millisecond))
	if outs[0].Kind != KindTimeout || took > connect+bound {
		t.Errorf("kind %q err %v after %s; want timeout within %s", outs[0].Kind, outs[0].Err, took, connect+bound)
	}
}

func TestFleetNoGoroutineLeft(t *testing.T) {
	before := runtime.NumGoroutine()
	f, err := fleetsim.Start(context.Background(), fleetsim.Options{Hosts: []fleetsim.HostSpec{
		{Name: "hang", Fault: fleetsim.FaultHangAfterAuth},
		{Name: "drop", Fault: fleetsim.FaultDropMidOutput, Respond: answer},
		{Name: "flood", Fault: fleetsim.FaultFlood},
		{Name: "term", Respond: answer},
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := fleetRunner(t, f, Config{HostTimeout: 700 * time.Millisecond, OutputLimit: 1 << 10})
	var tasks []Task
	for _, name := range []string{"hang", "drop", "flood", "term"} {
		tasks = append(tasks, Task{Host: fleetHost(t, f, name), Commands: []Command{
			{ID: "a", Line: "sleep-ignore", Timeout: 200 * time.Millisecond}, {ID: "b", Line: "echo hi"},
		}})
	}
	runTasks(t, context.Background(), r, tasks, 10*time.Second)
	f.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling: goroutines have no channel to wait on
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines left after Run and the fleet's Close (%d before):\n%s", n-before, before, buf[:runtime.Stack(buf, true)])
	}
}

func TestFleetAcceptNewRecords(t *testing.T) {
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{{Name: "h", Respond: answer}}})
	dir := t.TempDir()
	kh := writeFile(t, dir, "known_hosts", "")
	cfg := writeFile(t, dir, "config", "Host *\n  StrictHostKeyChecking accept-new\n")
	r := fleetRunner(t, f, Config{SSHConfigPath: cfg, KnownHosts: []string{kh}})
	outs, _, _ := runTasks(t, context.Background(), r, []Task{{Host: fleetHost(t, f, "h"), Commands: []Command{{ID: "a", Line: "echo hi"}}}}, 10*time.Second)
	if ho := outs[0]; ho.Err != nil || string(ho.Commands[0].Stdout) != "hi\n" {
		t.Errorf("accept-new, unknown host: err %v commands %+v", ho.Err, ho.Commands)
	}
	if got, want := readFile(t, kh), string(f.KnownHosts()); got != want {
		t.Errorf("known_hosts = %q, want the host recorded as %q", got, want)
	}
}

// A command still running at the host timeout is sent SIGTERM before its
// connection is closed: without it, it would keep running on the host.
func TestFleetTimeoutSignalsRunningCommand(t *testing.T) {
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{{Name: "h00", Fault: fleetsim.FaultSlow, SlowDelay: time.Minute, Respond: answer}}})
	r := fleetRunner(t, f, Config{HostTimeout: time.Second})
	out := make(chan HostOutput, 1)
	if err := r.Run(context.Background(), []Task{{Host: fleetHost(t, f, "h00"), Commands: []Command{{ID: "c", Line: "echo hi"}}}}, out); err != nil {
		t.Fatal(err)
	}
	ho := <-out
	if ho.Kind != KindTimeout || len(ho.Commands) != 1 {
		t.Fatalf("kind %q, %d commands, want a timeout of the started command", ho.Kind, len(ho.Commands))
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(f.Signals("h00")) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // the signal may be read after Run returned
	}
	if got := f.Signals("h00"); len(got) == 0 || got[0] != "TERM" {
		t.Errorf("signals %q, want TERM", got)
	}
}
