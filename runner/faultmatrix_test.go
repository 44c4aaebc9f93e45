package runner

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/fleetcheck/fleetcheck/inventory"
)

// matrixCase is one kind of host in the fault matrix and what the
// runner must make of it.
type matrixCase struct {
	name      string
	count     int
	fault     fleetsim.Fault
	respond   fleetsim.Responder
	dns       bool // inventory address under .invalid, no simulated host
	unknown   bool // left out of known_hosts
	wantHost  ErrorKind
	wantCmd   ErrorKind     // kind of every command, when the host connected
	deadline  time.Duration // the deadline that bounds this outcome
	noSession bool          // no command may reach the host
}

// matrixHealthy answers the matrix's two checks.
func matrixHealthy(cmd string) fleetsim.Response {
	switch cmd {
	case "check-a":
		return fleetsim.Response{Stdout: "a ok\n"}
	case "check-b":
		return fleetsim.Response{Stdout: "b ok\n"}
	}
	return fleetsim.Response{Stderr: "not found\n", ExitCode: 127}
}

// Matrix deadlines: short, so the test stays fast, yet long enough for
// 64 handshakes at once on a loaded 2-core machine (500 ms was not:
// healthy hosts timed out; 6 s under -race was not at load average 12),
// longer under -race.
const (
	matrixConnect = matrixScale * 3 * time.Second
	// The host timeout covers connecting and then the longest case: a
	// command ignoring TERM, which lives until the host KILLs it, the
	// host's slack and kill grace after its deadline (without the connect
	// timeout in it, a host slow to connect met the host timeout first).
	matrixHost    = matrixConnect + matrixScale*3*time.Second + hostSlack + killGrace
	matrixCommand = matrixScale * time.Second
	matrixSlow    = 200 * time.Millisecond
)

// matrixCases are the fault kinds of issue 8 with their expected results.
func matrixCases() []matrixCase {
	ignoreTerm := func(string) fleetsim.Response {
		return fleetsim.Response{Stdout: "started\n", Delay: 30 * time.Second, IgnoreSignals: true}
	}
	bigOutput := func(string) fleetsim.Response {
		return fleetsim.Response{Stdout: strings.Repeat("line of output\n", 4000)}
	}
	// A command that ignores TERM is abandoned after its timeout and the
	// graces for TERM and for closing the session.
	abandon := matrixCommand + termGrace + closeGrace
	// A simulated host, as timeout(1) does, sends KILL to a command that
	// ignored the TERM of its deadline: the host's slack and kill grace
	// after the deadline.
	hostKilled := abandon + hostSlack + killGrace
	return []matrixCase{
		{name: "dns", count: 10, dns: true, wantHost: KindDNS, deadline: matrixConnect, noSession: true},
		{name: "refused", count: 10, fault: fleetsim.FaultRefuse, wantHost: KindRefused, deadline: matrixConnect, noSession: true},
		{name: "hang before banner", count: 10, fault: fleetsim.FaultHangBeforeBanner, wantHost: KindTimeout, deadline: matrixConnect, noSession: true},
		// The command timeout bounds the session open too: every command
		// times out and the host, which did authenticate, is not failed.
		{name: "hang after auth", count: 10, fault: fleetsim.FaultHangAfterAuth, respond: matrixHealthy, wantCmd: KindTimeout, deadline: abandon},
		{name: "drop mid output", count: 10, fault: fleetsim.FaultDropMidOutput, respond: bigOutput, wantHost: KindConnectionLost, wantCmd: KindConnectionLost, deadline: matrixCommand},
		{name: "flood 100 MiB", count: 5, fault: fleetsim.FaultFlood, respond: matrixHealthy, wantCmd: KindOutputLimit, deadline: matrixCommand},
		{name: "changed key", count: 10, fault: fleetsim.FaultWrongHostKey, respond: matrixHealthy, wantHost: KindHostKeyMismatch, deadline: matrixConnect, noSession: true},
		{name: "unknown key", count: 10, unknown: true, respond: matrixHealthy, wantHost: KindHostKeyUnknown, deadline: matrixConnect, noSession: true},
		{name: "auth rejected", count: 10, fault: fleetsim.FaultRejectAuth, respond: matrixHealthy, wantHost: KindAuth, deadline: matrixConnect, noSession: true},
		{name: "slow within deadline", count: 10, fault: fleetsim.FaultSlow, respond: matrixHealthy, deadline: matrixCommand},
		{name: "ignores SIGTERM", count: 10, respond: ignoreTerm, wantCmd: KindTimeout, deadline: hostKilled},
	}
}

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}

// settle waits (polling: goroutines and descriptors have nothing to wait
// on) until goroutines and descriptors are back to at most the baseline,
// and returns the last counts.
func settle(t *testing.T, goroutines, fds int) (int, int) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		g, f := runtime.NumGoroutine(), openFDs(t)
		if g <= goroutines && f <= fds || time.Now().After(deadline) {
			return g, f
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestFaultMatrix sweeps 500 simulated hosts at fanout 64 with every fault
// of issue 8 mixed among healthy hosts: each host gets the right kinds
// within its deadline, healthy hosts are unaffected, the sweep ends in
// time, and no goroutine or descriptor outlives it. Under -race the fleet
// is smaller and the deadlines longer (faultmatrix_race_test.go).
func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("500-host sweep")
	}
	const total = matrixHosts
	cases := matrixCases()
	for i := range cases {
		cases[i].count /= matrixShare
	}
	// Spread the faulty hosts over the fleet, healthy ones between them.
	kindOf := make([]int, total) // index into cases, -1 healthy
	for i := range kindOf {
		kindOf[i] = -1
	}
	slot := 0
	for c, mc := range cases {
		for range mc.count {
			kindOf[(slot*37)%total] = c
			slot++
		}
	}
	var specs []fleetsim.HostSpec
	for i, c := range kindOf {
		spec := fleetsim.HostSpec{Name: fmt.Sprintf("h%03d", i), Respond: matrixHealthy}
		if c >= 0 {
			mc := cases[c]
			if mc.dns {
				continue
			}
			spec.Fault, spec.SlowDelay = mc.fault, matrixSlow
			if mc.respond != nil {
				spec.Respond = mc.respond
			}
		}
		specs = append(specs, spec)
	}
	f := startFleet(t, fleetsim.Options{Hosts: specs})
	var known []string
	for i, c := range kindOf {
		if c >= 0 && (cases[c].dns || cases[c].unknown) {
			continue
		}
		known = append(known, fleetKeyLine(t, f, fmt.Sprintf("h%03d", i)))
	}
	kh := writeFile(t, t.TempDir(), "known_hosts", strings.Join(known, "\n")+"\n")
	r := fleetRunner(t, f, Config{
		KnownHosts: []string{kh}, Fanout: 64, ConnectTimeout: matrixConnect,
		HostTimeout: matrixHost, OutputLimit: 64 << 10,
	})
	cmds := []Command{{ID: "a", Line: "check-a", Timeout: matrixCommand}, {ID: "b", Line: "check-b", Timeout: matrixCommand}}
	tasks := make([]Task, total)
	for i, c := range kindOf {
		name := fmt.Sprintf("h%03d", i)
		h := inventory.Host{Name: name}
		if c >= 0 && cases[c].dns {
			h.Address, h.Port = name+".fleetcheck.invalid", 22
		} else {
			h = fleetHost(t, f, name)
		}
		tasks[i] = Task{Host: h, Commands: cmds}
	}

	runtime.GC()
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	// The sweep's deadline: no host may outlast the host timeout and the
	// graces of an abandoned command, and hosts run in waves of Fanout.
	waves := time.Duration((total + 63) / 64)
	sweepDeadline := waves * (matrixHost + termGrace + closeGrace)
	outs, took, err := runTasks(t, context.Background(), r, tasks, sweepDeadline+60*time.Second)
	if err != nil {
		t.Errorf("Run: %v", err)
	}
	durations := map[string][]time.Duration{}
	for i, ho := range outs {
		mc := matrixCase{name: "healthy", deadline: matrixCommand}
		if c := kindOf[i]; c >= 0 {
			mc = cases[c]
		}
		durations[mc.name] = append(durations[mc.name], ho.Duration)
		checkMatrixHost(t, f, mc, ho)
	}
	var rows []string
	for _, mc := range append(cases, matrixCase{name: "healthy", deadline: matrixCommand}) {
		d := durations[mc.name]
		slices.Sort(d)
		rows = append(rows, fmt.Sprintf("%-22s %3d hosts  deadline %-6s  median %-8s max %s",
			mc.name, len(d), mc.deadline, d[len(d)/2].Round(time.Millisecond), d[len(d)-1].Round(time.Millisecond)))
	}
	t.Logf("sweep of %d hosts at fanout 64, deadlines x%d: %s\n%s", total, matrixScale, took.Round(time.Millisecond), strings.Join(rows, "\n"))
	if limit := sweepDeadline + bound; took > limit {
		t.Errorf("sweep took %s, want within %s", took, limit)
	}

	g, n := settle(t, goroutines, fds)
	if g > goroutines {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after the sweep, %d before:\n%s", g, goroutines, buf[:runtime.Stack(buf, true)])
	}
	if n > fds {
		t.Errorf("%d file descriptors open after the sweep, %d before", n, fds)
	}
}

// checkDeadlines holds a host's output to its deadlines, each with
// bound's slack: a host that never connected to deadline; one that did,
// each command to deadline from its own start, the connection to
// connect, and the host to the time it took to connect plus deadline.
// On a loaded machine connecting is most of a healthy host's time, so
// holding the whole host to the command deadline asserted the machine's
// speed, not the runner's deadlines.
func checkDeadlines(t *testing.T, what string, ho HostOutput, deadline, connect time.Duration) {
	t.Helper()
	limit := deadline
	if len(ho.Commands) > 0 {
		connected := ho.Started.Add(ho.Duration)
		for _, c := range ho.Commands {
			if begun := c.Finished.Add(-c.Duration); begun.Before(connected) {
				connected = begun
			}
			if c.Duration > deadline+bound {
				t.Errorf("%s: command %s took %s, want within %s + %s", what, c.ID, c.Duration, deadline, bound)
			}
		}
		took := connected.Sub(ho.Started)
		if took > connect+bound {
			t.Errorf("%s: connecting took %s, want within %s + %s", what, took, connect, bound)
		}
		limit += took
	}
	if ho.Duration > limit+bound {
		t.Errorf("%s: took %s, want within %s + %s", what, ho.Duration, limit, bound)
	}
}

// checkMatrixHost checks one host's output against its case.
func checkMatrixHost(t *testing.T, f *fleetsim.Fleet, mc matrixCase, ho HostOutput) {
	t.Helper()
	name := ho.Host.Name
	if ho.Kind != mc.wantHost || (ho.Err != nil) != (mc.wantHost != KindNone) {
		t.Errorf("%s (%s): host kind %q err %v, want %q", name, mc.name, ho.Kind, ho.Err, mc.wantHost)
	}
	checkDeadlines(t, name+" ("+mc.name+")", ho, mc.deadline, matrixConnect)
	if mc.noSession {
		if len(ho.Commands) != 0 || !mc.dns && (f.Sessions(name) != 0 || len(f.Execs(name)) != 0) {
			t.Errorf("%s (%s): %d outputs, %d sessions: no command may reach it", name, mc.name, len(ho.Commands), f.Sessions(name))
		}
		return
	}
	if len(ho.Commands) != 2 {
		t.Errorf("%s (%s): %d command outputs, want 2", name, mc.name, len(ho.Commands))
		return
	}
	for _, c := range ho.Commands {
		if c.Kind != mc.wantCmd {
			t.Errorf("%s (%s): command %s kind %q err %v, want %q", name, mc.name, c.ID, c.Kind, c.Err, mc.wantCmd)
		}
		switch mc.wantCmd {
		case KindNone:
			if want := map[string]string{"a": "a ok\n", "b": "b ok\n"}[c.ID]; string(c.Stdout) != want || c.ExitCode != 0 {
				t.Errorf("%s (%s): command %s stdout %q exit %d, want %q exit 0", name, mc.name, c.ID, c.Stdout, c.ExitCode, want)
			}
		case KindOutputLimit:
			if !c.Truncated || len(c.Stdout) != 64<<10 {
				t.Errorf("%s (%s): command %s kept %d bytes (truncated %v), want 64 KiB cut", name, mc.name, c.ID, len(c.Stdout), c.Truncated)
			}
		case KindTimeout:
			if c.ExitCode != -1 {
				t.Errorf("%s (%s): command %s exit %d after a timeout, want -1", name, mc.name, c.ID, c.ExitCode)
			}
		}
	}
}
