// Package runner runs commands on many hosts over in-process SSH
// (golang.org/x/crypto/ssh): one connection per host, every wait under a
// deadline, output capped, hosts fanned out with errgroup, outputs streamed
// on a channel as hosts finish. It knows nothing of what a command means.
package runner

import (
	"context"
	"errors"
	"time"

	"github.com/fleetcheck/fleetcheck/inventory"
	"golang.org/x/crypto/ssh"
)

// ErrorKind classifies why a host or command produced no verdict.
type ErrorKind string

// The error kinds of SPEC.md.
const (
	KindNone            ErrorKind = ""
	KindDNS             ErrorKind = "dns"
	KindRefused         ErrorKind = "refused"
	KindTimeout         ErrorKind = "timeout"
	KindHostKeyMismatch ErrorKind = "hostkey_mismatch"
	KindHostKeyUnknown  ErrorKind = "hostkey_unknown"
	KindAuth            ErrorKind = "auth"
	KindConnectionLost  ErrorKind = "connection_lost"
	KindOutputLimit     ErrorKind = "output_limit"
	KindCanceled        ErrorKind = "canceled" // the sweep was interrupted before this host finished
	KindError           ErrorKind = "error"    // anything else (bad config, no route...)
)

// Command is one remote command of a host's plan.
type Command struct {
	ID      string        // caller's key, returned in CommandOutput.ID
	Line    string        // POSIX sh command line
	Timeout time.Duration // 0: bounded by the host timeout only
}

// Task is the plan for one host: all its commands go over one connection.
type Task struct {
	Host     inventory.Host
	Commands []Command
}

// CommandOutput is what one command produced.
type CommandOutput struct {
	ID        string
	Stdout    []byte
	Stderr    []byte
	ExitCode  int    // -1 when there is no exit status (signal, error)
	Signal    string // signal name when killed by one
	Duration  time.Duration
	Finished  time.Time
	Err       error     // transport/timeout error of this command, nil when it ran to an exit status
	Kind      ErrorKind // classification of Err; KindOutputLimit when output was cut
	Truncated bool      // output exceeded the cap and was cut
}

// HostOutput is everything one host produced. When Err is set the host
// could not be reached (or was lost) and Commands holds what finished.
type HostOutput struct {
	Host     inventory.Host
	Address  string // host:port actually dialed
	Commands []CommandOutput
	Err      error
	Kind     ErrorKind
	Started  time.Time
	Duration time.Duration
}

// Config is how the runner connects. Zero values take the defaults noted.
type Config struct {
	Fanout         int           // hosts in parallel; default 64
	HostTimeout    time.Duration // connection and all commands of a host; default 30s
	ConnectTimeout time.Duration // TCP connect plus SSH handshake; default 10s
	OutputLimit    int           // bytes kept per stream per command; default 1 MiB
	SSHConfigPath  string        // OpenSSH client config; "" means ~/.ssh/config if it exists; "none" disables
	KnownHosts     []string      // known_hosts files; none means the ssh_config's, else ~/.ssh/known_hosts
	Signers        []ssh.Signer  // extra keys tried first (tests, demo)
	UseAgent       bool          // use SSH_AUTH_SOCK when set
	DefaultUser    string        // "" means the current user
	Keepalive      time.Duration // keepalive@openssh.com interval; default 5s
}

// Runner runs tasks over SSH.
type Runner struct {
	cfg Config
}

// New validates cfg and returns a runner.
func New(cfg Config) (*Runner, error) {
	return &Runner{cfg: cfg}, nil
}

// Run executes every task, at most Fanout hosts at once, sending one
// HostOutput per task on out as each host finishes, and closes out before
// returning. A host's failure is an output, never an error: Run returns an
// error only when ctx ends before every task was started or finished, and
// even then every task gets an output (Kind canceled for the unstarted).
func (r *Runner) Run(ctx context.Context, tasks []Task, out chan<- HostOutput) error {
	close(out)
	return errors.New("runner: not implemented yet")
}
