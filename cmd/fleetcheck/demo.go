package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/query"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/urfave/cli/v2"
	"golang.org/x/crypto/ssh"
)

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:      "demo",
		Usage:     "start an in-process simulated fleet (212 hosts) and sweep it over SSH: no config, keys or hosts needed",
		ArgsUsage: "[QUERY]",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "check", Aliases: []string{"c"}, Usage: "checks to run, `NAME[,NAME]` (default: the built-in defaults)"},
			&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `FORMAT`: table, json, ndjson, prometheus; repeatable"},
			&cli.StringFlag{Name: "output-file", Usage: "write the (last) output format to `FILE`, atomically"},
			&cli.StringFlag{Name: "team", Usage: "only this team's failures"},
			&cli.BoolFlag{Name: "no-progress", Usage: "no progress bar on stderr"},
			tableFlags[0], tableFlags[1],
			&cli.IntFlag{Name: "fanout", Value: 64, Usage: "hosts in parallel"},
			&cli.DurationFlag{Name: "timeout", Value: 3 * time.Second, Usage: "per host (the demo's hung hosts end at this deadline)"},
			&cli.DurationFlag{Name: "connect-timeout", Value: 2 * time.Second, Usage: "TCP connect plus SSH handshake"},
			&cli.DurationFlag{Name: "global-timeout", Usage: "stop the whole sweep after this long"},
			&cli.BoolFlag{Name: "healthy", Usage: "no faulty hosts"},
		},
		Action: runDemo,
	}
}

// demoFleet is a running demo fleet and what a sweep needs to reach it.
type demoFleet struct {
	fleet  *fleetsim.Fleet
	hosts  []demo.Host
	inv    *inventory.Inventory
	cks    []sweep.Check
	runner runner.Config
	dir    string
}

// startDemoFleet builds the demo world for the named checks (none: the
// defaults) and serves it on loopback.
func startDemoFleet(ctx context.Context, names []string, world func(map[string][]demo.Sample) ([]demo.Host, error)) (*demoFleet, error) {
	return startDemoFleetOpts(ctx, names, world, fleetsim.Options{})
}

// startDemoFleetOpts is startDemoFleet with fleet options (latency).
func startDemoFleetOpts(ctx context.Context, names []string, world func(map[string][]demo.Sample) ([]demo.Host, error), opts fleetsim.Options) (*demoFleet, error) {
	reg := checks.Builtins()
	if len(names) == 0 {
		names = reg.Defaults()
	}
	samples, err := demo.Samples()
	if err != nil {
		return nil, err
	}
	d := &demoFleet{}
	commands := map[string]string{}
	for _, n := range names {
		ck, err := reg.New(n, n, checks.Params{})
		if err != nil {
			return nil, usageError("demo: check %s: %v", n, err)
		}
		if _, ok := samples[n]; !ok {
			return nil, usageError("demo: the simulated fleet has no sample outputs for check %s", n)
		}
		commands[ck.Command()] = n
		d.cks = append(d.cks, sweep.Check{Check: ck})
	}
	if d.hosts, err = world(samples); err != nil {
		return nil, err
	}
	specs := make([]fleetsim.HostSpec, len(d.hosts))
	for i, h := range d.hosts {
		specs[i] = fleetsim.HostSpec{Name: h.Name, Fault: h.Fault, SlowDelay: 500 * time.Millisecond, Respond: demo.Responder(h, commands)}
	}
	opts.Hosts = specs
	if d.fleet, err = fleetsim.Start(ctx, opts); err != nil {
		return nil, fmt.Errorf("demo: starting the simulated fleet: %w", err)
	}
	invHosts := make([]inventory.Host, len(d.hosts))
	for i, ep := range d.fleet.Endpoints() {
		h := d.hosts[i].Host
		h.Address, h.Port, h.User = ep.Address, ep.Port, "fleetcheck"
		invHosts[i] = h
	}
	if d.inv, err = inventory.New(invHosts, map[string]string{"canaries": "web[0001-0003].dc1.example.org"}); err != nil {
		d.fleet.Close()
		return nil, err
	}
	if d.dir, err = os.MkdirTemp("", "fleetcheck-demo-"); err != nil {
		d.fleet.Close()
		return nil, err
	}
	knownHosts := filepath.Join(d.dir, "known_hosts")
	if err := os.WriteFile(knownHosts, d.fleet.KnownHosts(), 0o600); err != nil {
		d.close()
		return nil, err
	}
	d.runner = runner.Config{
		SSHConfigPath: "none",
		KnownHosts:    []string{knownHosts},
		Signers:       []ssh.Signer{d.fleet.ClientSigner()},
		DefaultUser:   "fleetcheck",
	}
	return d, nil
}

func (d *demoFleet) close() {
	d.fleet.Close()
	os.RemoveAll(d.dir)
}

func runDemo(c *cli.Context) error {
	outs, err := parseOutputs(c, "table")
	if err != nil {
		return err
	}
	var names []string
	for _, v := range c.StringSlice("check") {
		names = append(names, strings.Split(v, ",")...)
	}
	faultsOn := !c.Bool("healthy")
	d, err := startDemoFleet(c.Context, names, func(s map[string][]demo.Sample) ([]demo.Host, error) {
		return demo.World(s, demo.HealthyShare, faultsOn)
	})
	if err != nil {
		return err
	}
	defer d.close()

	qenv := &query.Env{Inventory: d.inv}
	q := strings.Join(c.Args().Slice(), " ")
	hosts, err := query.Select(c.Context, qenv, q)
	if err != nil {
		return usageError("%v", err)
	}
	ownersFile := filepath.Join(d.dir, "owners.yaml")
	if err := os.WriteFile(ownersFile, demo.OwnersYAML(), 0o600); err != nil {
		return err
	}
	owners, err := ownership.Load(ownersFile)
	if err != nil {
		return fmt.Errorf("demo owners: %w", err)
	}
	matcher, err := owners.Compile(c.Context, qenv)
	if err != nil {
		return fmt.Errorf("demo owners: %w", err)
	}
	table, err := tableOptions(c)
	if err != nil {
		return err
	}
	rc := d.runner
	rc.Fanout, rc.HostTimeout, rc.ConnectTimeout = c.Int("fanout"), c.Duration("timeout"), c.Duration("connect-timeout")
	r, err := runner.New(rc)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "demo: simulated fleet of %d hosts on loopback; sweeping %d of them with checks %s\n",
		len(d.hosts), len(hosts), strings.Join(checkNames(d.cks), ","))
	return execSweep(c.Context, sweepJob{
		query: q, hosts: len(hosts), tasks: sweep.Plan(hosts, d.cks), checks: d.cks,
		runner: r, owners: matcher, outs: outs, team: c.String("team"),
		globalTimeout: c.Duration("global-timeout"), progress: !c.Bool("no-progress"), table: table,
		stdout: c.App.Writer, stderr: c.App.ErrWriter,
	})
}

func checkNames(cks []sweep.Check) []string {
	out := make([]string, len(cks))
	for i, c := range cks {
		out[i] = c.Check.Name()
	}
	return out
}
