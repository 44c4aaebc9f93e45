package runner

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/fleetcheck/fleetcheck/inventory"
	"golang.org/x/crypto/ssh/knownhosts"
)

// BenchmarkSweep runs a sweep of three commands per host over a simulated
// fleet. allocs/host, B/host and cpu-µs/host count both sides (client and
// in-process servers): fleetsim runs in the same process. hosts/s depends
// on what else the machine runs; cpu-µs/host does not.
func BenchmarkSweep(b *testing.B) {
	for _, n := range []int{200, 1000} {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) {
			specs := make([]fleetsim.HostSpec, n)
			for i := range specs {
				specs[i] = fleetsim.HostSpec{Name: fmt.Sprintf("web%05d.dc1.example.org", i), Respond: answer}
			}
			f := startFleet(b, fleetsim.Options{Hosts: specs})
			r := fleetRunner(b, f, Config{})
			tasks := make([]Task, n)
			for i, s := range specs {
				tasks[i] = Task{Host: fleetHost(b, f, s.Name), Commands: []Command{
					{ID: "uptime", Line: "echo up 3 days", Timeout: 5 * time.Second},
					{ID: "disk", Line: "echo 42%", Timeout: 5 * time.Second},
					{ID: "svc", Line: "fail", Timeout: 5 * time.Second},
				}}
			}
			b.ReportAllocs()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			cpu0 := cpuTime(b)
			start := time.Now()
			for b.Loop() {
				out := make(chan HostOutput, 64)
				errc := make(chan error, 1)
				go func() { errc <- r.Run(context.Background(), tasks, out) }()
				failed := 0
				for ho := range out {
					if ho.Err != nil || len(ho.Commands) != 3 || ho.Commands[2].ExitCode != 2 {
						failed++
					}
				}
				if err := <-errc; err != nil || failed > 0 {
					b.Fatalf("Run: %v, %d hosts failed", err, failed)
				}
			}
			elapsed := time.Since(start)
			cpu := cpuTime(b) - cpu0
			runtime.ReadMemStats(&ms1)
			hosts := float64(b.N * n)
			b.ReportMetric(hosts/elapsed.Seconds(), "hosts/s")
			b.ReportMetric(float64(cpu.Microseconds())/hosts, "cpu-µs/host")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/hosts, "allocs/host")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/hosts, "B/host")
		})
	}
}

// BenchmarkHostKeyPolicy measures the per-host known_hosts work (the probe
// lookup that picks the host key algorithms, then the real check) against
// a known_hosts file of 10,000 hosts.
func BenchmarkHostKeyPolicy(b *testing.B) {
	const n = 10_000
	key := testPublicKey(b)
	var sb strings.Builder
	for i := range n {
		sb.WriteString(knownhosts.Line([]string{fmt.Sprintf("web%05d.dc1.example.org", i)}, key))
		sb.WriteByte('\n')
	}
	kh := writeFile(b, b.TempDir(), "known_hosts", sb.String())
	hk, err := newHostKeys()
	if err != nil {
		b.Fatal(err)
	}
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 22}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ep := endpoint{host: fmt.Sprintf("web%05d.dc1.example.org", i%n), port: 22, knownHosts: []string{kh}, strict: true}
		i += 7919
		p, err := hk.policy(&ep)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.callback(ep.addr(), remote, key); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime is the CPU time (user and system) the process used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkResolveHost resolves a host against an ssh_config of 200
// Host blocks, the match at the end.
func BenchmarkResolveHost(b *testing.B) {
	var sb strings.Builder
	for i := range 200 {
		fmt.Fprintf(&sb, "Host app%03d-*.example.org\n  User u%d\n  Port %d\n  IdentityFile ~/.ssh/k%d\n\n", i, i, 2000+i, i)
	}
	sb.WriteString("Host *\n  User fallback\n  StrictHostKeyChecking yes\n")
	sc, err := loadSSHConfig(writeFile(b, b.TempDir(), "config", sb.String()), "/home/me")
	if err != nil {
		b.Fatal(err)
	}
	r := resolver{ssh: sc, home: "/home/me", defaultUser: "me", localUser: "me"}
	h := inventory.Host{Name: "app199-7.example.org"}
	b.ReportAllocs()
	for b.Loop() {
		ep, _, err := r.resolveHost(h)
		if err != nil || ep.port != 2199 {
			b.Fatalf("%+v %v", ep, err)
		}
	}
}
