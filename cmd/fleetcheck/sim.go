package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/urfave/cli/v2"
	"go.yaml.in/yaml/v3"
)

func simCommand() *cli.Command {
	return &cli.Command{
		Name:  "sim",
		Usage: "serve a simulated fleet until interrupted, writing an inventory, ssh_config, known_hosts and key for any SSH client",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "hosts", Value: 1000, Usage: "number of simulated hosts"},
			&cli.DurationFlag{Name: "latency", Usage: "delay injected per SSH message exchange"},
			&cli.StringFlag{Name: "faults", Usage: "faulty hosts, `KIND=N[,KIND=N]` (refuse, hang_before_banner, hang_after_auth, drop_mid_output, flood, wrong_host_key, reject_auth, slow)"},
			&cli.StringFlag{Name: "dir", Usage: "where to write the files (default: a new temporary directory)"},
			&cli.Float64Flag{Name: "healthy", Value: 1, Usage: "share of host/check pairs that are OK, 0 to 1"},
		},
		Action: runSim,
	}
}

// parseFaults reads KIND=N[,KIND=N].
func parseFaults(spec string) (map[fleetsim.Fault]int, error) {
	out := map[fleetsim.Fault]int{}
	if spec == "" {
		return out, nil
	}
	for _, part := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("bad fault %q: want KIND=N", part)
		}
		out[fleetsim.Fault(k)] = n
	}
	return out, nil
}

func runSim(c *cli.Context) error {
	n := c.Int("hosts")
	if n < 1 {
		return usageError("--hosts: want at least 1")
	}
	faults, err := parseFaults(c.String("faults"))
	if err != nil {
		return usageError("--faults: %v", err)
	}
	d, err := startDemoFleetSized(c, n)
	if err != nil {
		return err
	}
	defer d.close() // the fleet, and the temporary directory made for it
	i := 0
	for kind, count := range faults {
		for j := 0; j < count && i < n; j++ {
			d.fleet.SetFault(d.hosts[i].Name, kind)
			i++
		}
	}
	dir := c.String("dir")
	if dir == "" {
		dir = d.dir
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeSimFiles(dir, d); err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "sim: %d hosts on loopback (latency %v); files in %s\n", n, c.Duration("latency"), dir)
	fmt.Fprintf(c.App.ErrWriter, "sim: fleetcheck sweep --inventory %s/inventory.yaml --ssh-config %s/ssh_config --known-hosts %s/known_hosts\n", dir, dir, dir)
	fmt.Fprintf(c.App.ErrWriter, "sim: ssh -F %s/ssh_config %s true\n", dir, d.hosts[0].Name)
	fmt.Fprintln(c.App.ErrWriter, "sim: serving until interrupted (Ctrl-C)")
	<-c.Context.Done()
	return nil
}

// startDemoFleetSized serves a fault-free fleet of n hosts with the default checks.
func startDemoFleetSized(c *cli.Context, n int) (*demoFleet, error) {
	share := c.Float64("healthy")
	return startDemoFleetOpts(c.Context, nil, func(s map[string][]demo.Sample) ([]demo.Host, error) {
		return demo.Sized(s, n, share), nil
	}, fleetsim.Options{Latency: c.Duration("latency")})
}

// writeSimFiles writes inventory.yaml, ssh_config, known_hosts and the
// client key for d into dir.
func writeSimFiles(dir string, d *demoFleet) error {
	key := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(key, d.fleet.ClientKeyPEM(), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "known_hosts"), d.fleet.KnownHosts(), 0o600); err != nil {
		return err
	}
	type invHost struct {
		Name    string            `yaml:"name"`
		Address string            `yaml:"address"`
		Port    int               `yaml:"port"`
		Labels  map[string]string `yaml:"labels,omitempty"`
	}
	inv := struct {
		Defaults map[string]any `yaml:"defaults"`
		Hosts    []invHost      `yaml:"hosts"`
	}{Defaults: map[string]any{"user": "fleetcheck", "identity_file": key}}
	var sshConfig strings.Builder
	fmt.Fprintf(&sshConfig, "# written by fleetcheck sim %s\n", time.Now().UTC().Format(time.RFC3339))
	for _, h := range d.inv.Hosts {
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
