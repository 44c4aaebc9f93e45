package fleetsim

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
	"golang.org/x/sync/errgroup"
)

// host is one virtual host: its identity, its listener and its counters.
type host struct {
	name      string
	respond   Responder
	slowDelay time.Duration
	key       ed25519.PrivateKey // true host key, recorded by KnownHosts
	certSpec  *HostCert          // HostSpec.Cert
	cert      ssh.Signer         // the host certificate of key, made by open
	addr      netip.Addr

	conns    atomic.Int64
	sessions atomic.Int64

	mu        sync.Mutex
	port      int
	fault     Fault
	ln        *net.TCPListener   // nil while refusing or closed
	reserve   io.Closer          // holds the port while refusing
	wrongKey  ed25519.PrivateKey // presented under FaultWrongHostKey, made on first use
	execLog   []string           // ring of the last maxExecs commands
	signalLog []string           // the first maxExecs signals clients sent to commands
	execNext  int
}

// newHosts validates the specs and gives each host an address; keys come
// later, from openAll.
func newHosts(specs []HostSpec) ([]*host, error) {
	hosts := make([]*host, len(specs))
	seen := make(map[string]bool, len(specs))
	for i, s := range specs {
		if s.Name == "" {
			return nil, fmt.Errorf("fleetsim: host %d: empty name", i)
		}
		if seen[s.Name] {
			return nil, fmt.Errorf("fleetsim: host %d: duplicate name %q", i, s.Name)
		}
		seen[s.Name] = true
		if !knownFault(s.Fault) {
			return nil, fmt.Errorf("fleetsim: host %s: unknown fault %q", s.Name, s.Fault)
		}
		addr, err := hostAddress(i)
		if err != nil {
			return nil, err
		}
		if s.Cert != nil && s.Cert.CA == nil {
			return nil, fmt.Errorf("fleetsim: host %s: certificate without a CA", s.Name)
		}
		h := &host{name: s.Name, respond: s.Respond, slowDelay: s.SlowDelay, addr: addr, fault: s.Fault, certSpec: s.Cert}
		if h.slowDelay <= 0 {
			h.slowDelay = DefaultSlowDelay
		}
		hosts[i] = h
	}
	return hosts, nil
}

// openAll gives every host its key and binds its address: a listener and
// its accept loop, or for a refusing host a bound socket that does not
// listen. The work is spread over GOMAXPROCS workers: key generation
// dominates the start-up of large fleets.
func (f *Fleet) openAll(port int) error {
	var g errgroup.Group
	workers := min(runtime.GOMAXPROCS(0), max(1, len(f.hosts)/64))
	for w := range workers {
		g.Go(func() error {
			for i := w; i < len(f.hosts); i += workers {
				if err := f.open(f.hosts[i], port); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// open generates h's key and binds its address.
func (f *Fleet) open(h *host, port int) error {
	key, err := newHostKey()
	if err != nil {
		return err
	}
	var cert ssh.Signer
	if h.certSpec != nil {
		plain, err := signerOf(key)
		if err != nil {
			return err
		}
		if cert, err = certSigner(plain, h.certSpec, h.addr.String()); err != nil {
			return err
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.key = key
	h.cert = cert
	h.port = port
	return f.openLocked(h)
}

// openLocked makes h's socket match its fault; h.mu must be held.
func (f *Fleet) openLocked(h *host) error {
	if h.fault == FaultRefuse {
		r, port, err := reservePort(h.addr, h.port)
		if err != nil {
			return fmt.Errorf("fleetsim: host %s: reserve %s:%d: %w", h.name, h.addr, h.port, err)
		}
		h.reserve, h.port = r, port
		return nil
	}
	ln, err := net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(netip.AddrPortFrom(h.addr, uint16(h.port))))
	if err != nil {
		return fmt.Errorf("fleetsim: host %s: %w", h.name, err)
	}
	h.ln = ln
	h.port = ln.Addr().(*net.TCPAddr).Port
	if !f.goTracked(func() { f.acceptLoop(h, ln) }) {
		_ = ln.Close()
		h.ln = nil
		return fmt.Errorf("fleetsim: host %s: fleet closed", h.name)
	}
	return nil
}

// setFault changes h's fault, opening or closing its listener when refuse
// starts or ends.
func (f *Fleet) setFault(h *host, fault Fault) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f.ctx.Err() != nil {
		return fmt.Errorf("fleetsim: set fault of %s: fleet closed", h.name)
	}
	old := h.fault
	h.fault = fault
	if (old == FaultRefuse) == (fault == FaultRefuse) {
		return nil
	}
	if err := h.closeSocketsLocked(); err != nil {
		return fmt.Errorf("fleetsim: set fault of %s: %w", h.name, err)
	}
	return f.openLocked(h)
}

// stopListening closes h's listener or reserved socket.
func (h *host) stopListening() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.closeSocketsLocked(); err != nil {
		return fmt.Errorf("fleetsim: host %s: %w", h.name, err)
	}
	return nil
}

func (h *host) closeSocketsLocked() error {
	var err error
	if h.ln != nil {
		err = h.ln.Close()
		h.ln = nil
	}
	if h.reserve != nil {
		if rerr := h.reserve.Close(); err == nil {
			err = rerr
		}
		h.reserve = nil
	}
	return err
}

func (h *host) endpoint() Endpoint {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Endpoint{Name: h.name, Address: h.addr.String(), Port: h.port}
}

func (h *host) currentFault() Fault {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fault
}

// hostKeyFor returns the key h presents on a connection under fault.
func (h *host) hostKeyFor(fault Fault) (ssh.Signer, error) {
	if fault != FaultWrongHostKey {
		return signerOf(h.key)
	}
	h.mu.Lock()
	if h.wrongKey == nil {
		k, err := newHostKey()
		if err != nil {
			h.mu.Unlock()
			return nil, err
		}
		h.wrongKey = k
	}
	k := h.wrongKey
	h.mu.Unlock()
	return signerOf(k)
}

// knownHostsLine is h's known_hosts line for its true key, without newline.
func (h *host) knownHostsLine() string {
	s, err := signerOf(h.key)
	if err != nil {
		return "# " + err.Error()
	}
	ep := h.endpoint()
	return knownhosts.Line([]string{knownhosts.Normalize(ep.HostPort())}, s.PublicKey())
}

// recordExec remembers cmd among the last maxExecs commands.
func (h *host) recordExec(cmd string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.execLog) < maxExecs {
		h.execLog = append(h.execLog, cmd)
		return
	}
	h.execLog[h.execNext] = cmd
	h.execNext = (h.execNext + 1) % maxExecs
}

// recordSignal remembers a signal a client sent to a running command.
func (h *host) recordSignal(sig string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.signalLog) < maxExecs {
		h.signalLog = append(h.signalLog, sig)
	}
}

// execs returns the remembered commands, oldest first.
func (h *host) execs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.execLog))
	out = append(out, h.execLog[h.execNext:]...)
	return append(out, h.execLog[:h.execNext]...)
}

// respondTo answers cmd with h's responder or "command not found".
func (h *host) respondTo(cmd string) Response {
	if h.respond == nil {
		return Response{Stderr: fmt.Sprintf("sh: %s: command not found\n", cmd), ExitCode: 127}
	}
	return h.respond(cmd)
}
