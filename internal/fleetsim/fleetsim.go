// Package fleetsim serves a simulated fleet of SSH hosts from one process,
// as net/http/httptest serves HTTP: each virtual host listens on its own
// loopback address, has its own host key, answers commands from a
// per-host responder and can be given a fault. Used by tests, the demo and
// benchmarks; it knows nothing of the rest of fleetcheck.
package fleetsim

import (
	"context"
	"errors"
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
	FaultHangAfterAuth    Fault = "hang_after_auth"    // authenticates, then never answers a session
	FaultDropMidOutput    Fault = "drop_mid_output"    // closes the connection after part of the output
	FaultFlood            Fault = "flood"              // answers every command with FloodBytes of output
	FaultWrongHostKey     Fault = "wrong_host_key"     // presents a key other than the one in KnownHosts
	FaultRejectAuth       Fault = "reject_auth"        // rejects every authentication
	FaultSlow             Fault = "slow"               // answers after SlowDelay
)

// Response is a command's canned answer.
type Response struct {
	Stdout   string
	Stderr   string
	ExitCode int
}

// Responder answers a command line run on a host.
type Responder func(cmd string) Response

// HostSpec describes one virtual host.
type HostSpec struct {
	Name      string        // inventory name, e.g. "web0001.dc1.example.org"
	Fault     Fault         // how it misbehaves
	SlowDelay time.Duration // for FaultSlow; default 1s
	Respond   Responder     // nil answers every command with exit 127 "command not found"
}

// Options configure a fleet.
type Options struct {
	Hosts      []HostSpec
	Latency    time.Duration // added before each reply the server sends (banner, auth, channel, output)
	FloodBytes int64         // output size for FaultFlood; default 100 MiB
	User       string        // the only user accepted; default "fleetcheck"
}

// Endpoint is where a virtual host listens.
type Endpoint struct {
	Name    string
	Address string // a 127.x.y.z address of its own
	Port    int
}

// Fleet is a running simulated fleet.
type Fleet struct{}

// Start serves the fleet until Close or ctx ends.
func Start(ctx context.Context, opts Options) (*Fleet, error) {
	return nil, errors.New("fleetsim: not implemented yet")
}

// Close stops every listener and force-closes every live connection.
func (f *Fleet) Close() error { return nil }

// Endpoints returns where each host listens, in Options.Hosts order.
func (f *Fleet) Endpoints() []Endpoint { return nil }

// ClientSigner is the key every host accepts for Options.User.
func (f *Fleet) ClientSigner() ssh.Signer { return nil }

// ClientKeyPEM is ClientSigner's private key in OpenSSH PEM form, for
// writing an IdentityFile.
func (f *Fleet) ClientKeyPEM() []byte { return nil }

// KnownHosts returns known_hosts lines for every host's true key
// ("[127.1.0.1]:2222 ssh-ed25519 AAAA..."), under its address and port.
func (f *Fleet) KnownHosts() []byte { return nil }

// Connections returns how many SSH connections the named host accepted.
func (f *Fleet) Connections(name string) int { return 0 }

// Sessions returns how many session channels the named host opened.
func (f *Fleet) Sessions(name string) int { return 0 }
