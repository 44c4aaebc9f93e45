// Package fleetsim serves a simulated fleet of SSH hosts from one process,
// as net/http/httptest serves HTTP: each virtual host listens on its own
// loopback address, has its own host key, answers commands from a
// per-host responder and can be given a fault. Used by tests, the demo and
// benchmarks; it knows nothing of the rest of fleetcheck.
//
// Latency model: with Options.Latency set, every connection delays the
// first write the server makes after each read from the client by Latency,
// and its banner by one Latency standing for the TCP handshake. Each
// request/response round trip so costs one Latency; writes that follow
// without an intervening read (pipelined packets, a stream of output)
// cost nothing more. Measured with an x/crypto client: about 7 latencies
// for banner, key exchange and public key authentication, 9 to also open
// a session and run one command; an OpenSSH client pays about as much.
// Flow control still applies: a large output waiting for window
// adjustments pays a Latency per adjustment.
package fleetsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// Fault is a way a simulated host misbehaves.
type Fault string

// The faults a host can be given.
const (
	FaultNone             Fault = ""
	FaultRefuse           Fault = "refuse"             // nothing listens: connection refused
	FaultHangBeforeBanner Fault = "hang_before_banner" // accepts TCP, never sends the SSH banner
	FaultHangAfterAuth    Fault = "hang_after_auth"    // authenticates, then never accepts nor rejects a channel (keepalives still answered)
	FaultDropMidOutput    Fault = "drop_mid_output"    // writes half the stdout (or stderr), at most 4 KiB, then closes TCP with no exit status
	FaultFlood            Fault = "flood"              // answers every command with FloodBytes of stdout, ignoring Respond
	FaultWrongHostKey     Fault = "wrong_host_key"     // presents a key other than the one in KnownHosts
	FaultRejectAuth       Fault = "reject_auth"        // rejects every authentication
	FaultSlow             Fault = "slow"               // answers every command SlowDelay late (signals still end it)
)

// Faults lists every fault other than FaultNone, for validating names.
func Faults() []Fault {
	return []Fault{FaultRefuse, FaultHangBeforeBanner, FaultHangAfterAuth, FaultDropMidOutput,
		FaultFlood, FaultWrongHostKey, FaultRejectAuth, FaultSlow}
}

// Response is a command's canned answer.
type Response struct {
	Stdout        string
	Stderr        string
	ExitCode      int
	Delay         time.Duration // wait before answering; a signal or closing the session ends the wait
	IgnoreSignals bool          // signals are acknowledged but do not end the command
	// IgnoreDeadline runs the command as a host without timeout(1) would:
	// the deadline of a wrapped command (internal/remotecmd) is not
	// enforced. By default the host enforces it as timeout(1) does: TERM
	// at the deadline (exit status 124), KILL after the kill grace.
	IgnoreDeadline bool
}

// Responder answers a command line run on a host. It is called once per
// exec, concurrently for concurrent sessions, and must return promptly:
// use Response.Delay for a slow command.
type Responder func(cmd string) Response

// HostSpec describes one virtual host.
type HostSpec struct {
	Name      string        // inventory name, e.g. "web0001.dc1.example.org"
	Fault     Fault         // how it misbehaves
	SlowDelay time.Duration // for FaultSlow; default 1s
	Respond   Responder     // nil answers every command with exit 127 "command not found"
	Cert      *HostCert     // a host certificate presented besides the plain key (not under wrong_host_key)
}

// Options configure a fleet.
type Options struct {
	Hosts      []HostSpec
	Latency    time.Duration // delays the server's first write after each read from the client (see the package doc)
	FloodBytes int64         // output size for FaultFlood; default 100 MiB
	User       string        // the only user accepted; default "fleetcheck"
	Port       int           // fixed port to bind on every host's address; 0 picks an ephemeral port per host
}

// Defaults applied by Start.
const (
	DefaultUser       = "fleetcheck" // Options.User when empty
	DefaultFloodBytes = 100 << 20    // Options.FloodBytes when not positive
	DefaultSlowDelay  = time.Second  // HostSpec.SlowDelay when not positive
	maxExecs          = 64           // commands remembered per host for Execs
)

// Endpoint is where a virtual host listens.
type Endpoint struct {
	Name    string
	Address string // a 127.x.y.z address of its own
	Port    int
}

// HostPort is the endpoint as "address:port", for net.Dial.
func (e Endpoint) HostPort() string {
	return net.JoinHostPort(e.Address, fmt.Sprint(e.Port))
}

// Fleet is a running simulated fleet.
type Fleet struct {
	user       string
	latency    time.Duration
	floodBytes int64
	floodChunk []byte

	hosts  []*host
	byName map[string]*host

	clientSigner ssh.Signer
	clientPub    []byte // wire form of the client public key
	clientPEM    []byte

	ctx       context.Context // done once Close starts
	cancel    context.CancelFunc
	stopWatch func() bool // stops the AfterFunc on Start's ctx
	closeOnce sync.Once

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{} // live connections, force-closed by Close
	wg     sync.WaitGroup        // every goroutine the fleet started
}

// Start serves the fleet until Close or ctx ends.
func Start(ctx context.Context, opts Options) (*Fleet, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fleetsim: start: %w", err)
	}
	f := &Fleet{
		user:       opts.User,
		latency:    opts.Latency,
		floodBytes: opts.FloodBytes,
		byName:     make(map[string]*host, len(opts.Hosts)),
		conns:      make(map[net.Conn]struct{}),
	}
	if f.user == "" {
		f.user = DefaultUser
	}
	if f.floodBytes <= 0 {
		f.floodBytes = DefaultFloodBytes
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return nil, fmt.Errorf("fleetsim: port %d out of range", opts.Port)
	}
	f.floodChunk = floodChunk()
	if err := f.makeClientKey(); err != nil {
		return nil, err
	}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	hosts, err := newHosts(opts.Hosts)
	if err != nil {
		f.cancel()
		return nil, err
	}
	f.hosts = hosts
	for _, h := range hosts {
		f.byName[h.name] = h
	}
	if err := f.openAll(opts.Port); err != nil {
		_ = f.Close()
		return nil, err
	}
	f.stopWatch = context.AfterFunc(ctx, func() { _ = f.Close() })
	return f, nil
}

// Close stops every listener and force-closes every live connection, then
// waits for every goroutine of the fleet to end. It is safe to call twice.
func (f *Fleet) Close() error {
	var errs []error
	f.closeOnce.Do(func() {
		if f.stopWatch != nil {
			f.stopWatch()
		}
		f.mu.Lock()
		f.closed = true
		conns := f.conns
		f.conns = nil
		f.mu.Unlock()
		f.cancel()
		for _, h := range f.hosts {
			if err := h.stopListening(); err != nil {
				errs = append(errs, err)
			}
		}
		for c := range conns {
			_ = c.Close()
		}
		f.wg.Wait()
	})
	return errors.Join(errs...)
}

// Endpoints returns where each host listens, in Options.Hosts order.
func (f *Fleet) Endpoints() []Endpoint {
	eps := make([]Endpoint, len(f.hosts))
	for i, h := range f.hosts {
		eps[i] = h.endpoint()
	}
	return eps
}

// Endpoint returns where the named host listens.
func (f *Fleet) Endpoint(name string) (Endpoint, bool) {
	h, ok := f.byName[name]
	if !ok {
		return Endpoint{}, false
	}
	return h.endpoint(), true
}

// User is the only user the hosts accept.
func (f *Fleet) User() string { return f.user }

// ClientSigner is the key every host accepts for Options.User.
func (f *Fleet) ClientSigner() ssh.Signer { return f.clientSigner }

// ClientKeyPEM is ClientSigner's private key in OpenSSH PEM form, for
// writing an IdentityFile.
func (f *Fleet) ClientKeyPEM() []byte { return f.clientPEM }

// KnownHosts returns known_hosts lines for every host's true key
// ("[127.1.0.1]:2222 ssh-ed25519 AAAA..."), under its address and port.
func (f *Fleet) KnownHosts() []byte {
	var b []byte
	for _, h := range f.hosts {
		b = append(b, h.knownHostsLine()...)
		b = append(b, '\n')
	}
	return b
}

// KnownHostsLine returns the known_hosts line of the named host's true key,
// as KnownHosts writes it, without newline.
func (f *Fleet) KnownHostsLine(name string) (string, bool) {
	h, ok := f.byName[name]
	if !ok {
		return "", false
	}
	return h.knownHostsLine(), true
}

// Connections returns how many SSH connections the named host accepted.
func (f *Fleet) Connections(name string) int {
	if h, ok := f.byName[name]; ok {
		return int(h.conns.Load())
	}
	return 0
}

// Sessions returns how many session channels the named host opened.
func (f *Fleet) Sessions(name string) int {
	if h, ok := f.byName[name]; ok {
		return int(h.sessions.Load())
	}
	return 0
}

// Execs returns the last commands (at most 64) the named host was asked
// to run, oldest first.
func (f *Fleet) Execs(name string) []string {
	if h, ok := f.byName[name]; ok {
		return h.execs()
	}
	return nil
}

// Signals returns the signals (names without "SIG", at most 64) clients
// sent to the named host's running commands, oldest first.
func (f *Fleet) Signals(name string) []string {
	h, ok := f.byName[name]
	if !ok {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.signalLog)
}

// SetFault changes the named host's fault from now on. Connection-level
// faults (refuse, hang_before_banner, wrong_host_key, reject_auth) apply
// to new connections; hang_after_auth to new channel opens; the others to
// new execs. Switching to or from refuse stops or restarts the listener on
// the same port.
func (f *Fleet) SetFault(name string, fault Fault) error {
	h, ok := f.byName[name]
	if !ok {
		return fmt.Errorf("fleetsim: set fault: no host %q", name)
	}
	if !knownFault(fault) {
		return fmt.Errorf("fleetsim: set fault of %s: unknown fault %q", name, fault)
	}
	return f.setFault(h, fault)
}

func knownFault(fault Fault) bool {
	return fault == FaultNone || slices.Contains(Faults(), fault)
}

// track records a live connection for Close; it reports false (and the
// caller must close c) once the fleet is closing.
func (f *Fleet) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.conns[c] = struct{}{}
	return true
}

// untrack forgets a connection that has been closed.
func (f *Fleet) untrack(c net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.conns, c)
}

// goTracked runs fn in a goroutine Close waits for, unless the fleet is
// closing; it reports whether fn was started.
func (f *Fleet) goTracked(fn func()) bool {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return false
	}
	f.wg.Add(1)
	f.mu.Unlock()
	go func() {
		defer f.wg.Done()
		fn()
	}()
	return true
}
