package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/runner"
	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/ssh"
)

// ErrCheck marks a check the simulated fleet cannot serve (unknown, or
// without sample outputs): the caller's usage error.
var ErrCheck = errors.New("demo")

// Options say which fleet Start serves.
type Options struct {
	Checks    []string                                  // check names; none: the built-in defaults
	World     func(map[string][]Sample) ([]Host, error) // the hosts, from the samples
	Latency   time.Duration                             // injected per SSH message exchange
	SlowDelay time.Duration                             // how late FaultSlow hosts answer; default 500ms
	Aliases   map[string]string                         // inventory aliases; default canaries
}

// Fleet is a running simulated fleet and what a client needs to reach it.
type Fleet struct {
	Sim       *fleetsim.Fleet
	Hosts     []Host
	Inventory *inventory.Inventory // the hosts with their loopback addresses
	Checks    []checks.Check       // the checks the fleet answers
	Runner    runner.Config        // known_hosts, client key and user for the fleet
	Dir       string               // a temporary directory holding known_hosts; removed by Close
}

// Start builds the world for the checks and serves it on loopback.
func Start(ctx context.Context, opts Options) (*Fleet, error) {
	reg := checks.Builtins()
	names := opts.Checks
	if len(names) == 0 {
		names = reg.Defaults()
	}
	samples, err := Samples()
	if err != nil {
		return nil, err
	}
	d := &Fleet{}
	commands := map[string]string{}
	for _, n := range names {
		ck, err := reg.New(n, n, checks.Params{})
		if err != nil {
			return nil, fmt.Errorf("%w: check %s: %v", ErrCheck, n, err)
		}
		if _, ok := samples[n]; !ok {
			return nil, fmt.Errorf("%w: the simulated fleet has no sample outputs for check %s", ErrCheck, n)
		}
		commands[ck.Command()] = n
		d.Checks = append(d.Checks, ck)
	}
	if d.Hosts, err = opts.World(samples); err != nil {
		return nil, err
	}
	slow := opts.SlowDelay
	if slow <= 0 {
		slow = 500 * time.Millisecond
	}
	specs := make([]fleetsim.HostSpec, len(d.Hosts))
	for i, h := range d.Hosts {
		specs[i] = fleetsim.HostSpec{Name: h.Name, Fault: h.Fault, SlowDelay: slow, Respond: Responder(h, commands)}
	}
	if d.Sim, err = fleetsim.Start(ctx, fleetsim.Options{Hosts: specs, Latency: opts.Latency}); err != nil {
		return nil, fmt.Errorf("demo: starting the simulated fleet: %w", err)
	}
	invHosts := make([]inventory.Host, len(d.Hosts))
	for i, ep := range d.Sim.Endpoints() {
		h := d.Hosts[i].Host
		h.Address, h.Port, h.User = ep.Address, ep.Port, "fleetcheck"
		invHosts[i] = h
	}
	aliases := opts.Aliases
	if aliases == nil {
		aliases = map[string]string{"canaries": "web[0001-0003].dc1.example.org"}
	}
	if d.Inventory, err = inventory.New(invHosts, aliases); err != nil {
		d.Sim.Close()
		return nil, err
	}
	if d.Dir, err = os.MkdirTemp("", "fleetcheck-demo-"); err != nil {
		d.Sim.Close()
		return nil, err
	}
	knownHosts := filepath.Join(d.Dir, "known_hosts")
	if err := os.WriteFile(knownHosts, d.Sim.KnownHosts(), 0o600); err != nil {
		d.Close()
		return nil, err
	}
	d.Runner = runner.Config{
		SSHConfigPath: "none",
		KnownHosts:    []string{knownHosts},
		Signers:       []ssh.Signer{d.Sim.ClientSigner()},
		DefaultUser:   "fleetcheck",
	}
	return d, nil
}

// Close stops the fleet and removes its temporary directory.
func (d *Fleet) Close() {
	d.Sim.Close()
	os.RemoveAll(d.Dir)
}

// WriteFiles writes what any SSH client needs to reach the fleet into
// dir: inventory.yaml, owners.yaml (the demo's owners file), ssh_config,
// known_hosts and the client key id_ed25519.
func (d *Fleet) WriteFiles(dir string) error {
	key := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(key, d.Sim.ClientKeyPEM(), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "known_hosts"), d.Sim.KnownHosts(), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "owners.yaml"), OwnersYAML(), 0o644); err != nil {
		return err
	}
	type invHost struct {
		Name    string            `yaml:"name"`
		Address string            `yaml:"address"`
		Port    int               `yaml:"port"`
		Labels  map[string]string `yaml:"labels,omitempty"`
	}
	inv := struct {
		Defaults map[string]any    `yaml:"defaults"`
		Hosts    []invHost         `yaml:"hosts"`
		Aliases  map[string]string `yaml:"aliases,omitempty"`
	}{Defaults: map[string]any{"user": "fleetcheck", "identity_file": key}, Aliases: d.Inventory.Aliases}
	var sshConfig strings.Builder
	fmt.Fprintf(&sshConfig, "# written by fleetcheck sim %s\n", time.Now().UTC().Format(time.RFC3339))
	for _, h := range d.Inventory.Hosts {
		inv.Hosts = append(inv.Hosts, invHost{Name: h.Name, Address: h.Address, Port: h.Port, Labels: h.Labels})
		fmt.Fprintf(&sshConfig, "Host %s\n  HostName %s\n  Port %d\n", h.Name, h.Address, h.Port)
	}
	fmt.Fprintf(&sshConfig, "Host *\n  User fleetcheck\n  IdentityFile %s\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n",
		key, filepath.Join(dir, "known_hosts"))
	data, err := yaml.Marshal(inv)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "inventory.yaml"), data, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "ssh_config"), []byte(sshConfig.String()), 0o644)
}
