package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
)

// ServeOptions say which fleet Serve serves (`fleetcheck sim`).
type ServeOptions struct {
	Hosts   int                    // number of hosts, node00001.sim.example.org and up
	Latency time.Duration          // injected per SSH message exchange
	Faults  map[fleetsim.Fault]int // how many hosts (the first ones) have each fault
	Healthy float64                // share of host/check pairs that are OK, 0 to 1
	Dir     string                 // where to write the files; "" a temporary directory removed on return
}

// Check refuses a fleet that cannot be served, naming the flag.
func (o ServeOptions) Check() error {
	if o.Hosts < 1 {
		return fmt.Errorf("--hosts: expected at least 1, found %d", o.Hosts)
	}
	if o.Healthy < 0 || o.Healthy > 1 {
		return fmt.Errorf("--healthy: expected a share from 0 to 1, found %v", o.Healthy)
	}
	return nil
}

// ParseFaults reads KIND=N[,KIND=N].
func ParseFaults(spec string) (map[fleetsim.Fault]int, error) {
	out := map[fleetsim.Fault]int{}
	if spec == "" {
		return out, nil
	}
	for _, part := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("bad fault: expected KIND=N, found %q", part)
		}
		out[fleetsim.Fault(k)] = n
	}
	return out, nil
}

// Serve serves a fleet of o.Hosts with the default checks until ctx ends,
// after writing the files any SSH client needs (WriteFiles) and saying on
// log how to use them; the last line it writes before serving is
// "sim: serving until interrupted (Ctrl-C)".
func Serve(ctx context.Context, o ServeOptions, log io.Writer) error {
	d, err := Start(ctx, Options{
		World:   func(s map[string][]Sample) ([]Host, error) { return Sized(s, o.Hosts, o.Healthy), nil },
		Latency: o.Latency,
	})
	if err != nil {
		return err
	}
	defer d.Close() // the fleet, and the temporary directory made for it
	i := 0
	for kind, count := range o.Faults {
		for j := 0; j < count && i < len(d.Hosts); j++ {
			if err := d.Sim.SetFault(d.Hosts[i].Name, kind); err != nil {
				return fmt.Errorf("sim: %w", err)
			}
			i++
		}
	}
	dir := o.Dir
	if dir == "" {
		dir = d.Dir
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	if err := d.WriteFiles(dir); err != nil {
		return fmt.Errorf("sim: writing files: %w", err)
	}
	fmt.Fprintf(log, "sim: %d hosts on loopback (latency %v); files in %s\n", o.Hosts, o.Latency, dir)
	fmt.Fprintf(log, "sim: fleetcheck sweep --inventory %s/inventory.yaml --owners %s/owners.yaml --ssh-config %s/ssh_config --known-hosts %s/known_hosts\n", dir, dir, dir, dir)
	fmt.Fprintf(log, "sim: ssh -F %s/ssh_config %s true\n", dir, d.Hosts[0].Name)
	fmt.Fprintln(log, "sim: serving until interrupted (Ctrl-C)")
	<-ctx.Done()
	return nil
}
