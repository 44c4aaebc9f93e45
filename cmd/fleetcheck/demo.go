package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/urfave/cli/v2"
)

func newDemoCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:      "demo",
		Usage:     "start an in-process simulated fleet (212 hosts) and sweep it over SSH: no config, keys or hosts needed",
		ArgsUsage: "[QUERY]",
		Flags: slices.Concat(sweepFlags("the built-in defaults"), []cli.Flag{
			&cli.BoolFlag{Name: "healthy", Usage: "every host healthy: no connection faults and every check OK"},
		}, connFlags(connDefaults{
			// The simulated hosts' servers share this process's CPU: at
			// the product's fanout their handshakes crowd out the client's.
			fanout: 64, timeout: 3 * time.Second, connectTimeout: 2 * time.Second,
			timeoutUsage: "per host (the demo's hung hosts end at this deadline)",
		})),
		Action: func(c *cli.Context) error {
			conn, err := readConn(c)
			if err != nil {
				return err
			}
			return runDemo(c.Context, t, &demoOptions{conn: conn, sweep: readSweep(c), healthy: c.Bool("healthy")})
		},
	}
}

// demoOptions are demo's options.
type demoOptions struct {
	conn    fleetenv.Conn
	sweep   sweepOptions
	healthy bool
}

// runDemo serves the demo fleet and sweeps it.
func runDemo(ctx context.Context, t *terminal, o *demoOptions) error {
	outs, err := o.sweep.outputs("table")
	if err != nil {
		return err
	}
	table, err := o.sweep.table()
	if err != nil {
		return err
	}
	share, faultsOn := demo.HealthyShare, true
	if o.healthy {
		share, faultsOn = 1, false
	}
	d, err := demo.Start(ctx, demo.Options{
		Checks: o.sweep.checks,
		World:  func(s map[string][]demo.Sample) ([]demo.Host, error) { return demo.World(s, share, faultsOn) },
	})
	if errors.Is(err, demo.ErrCheck) {
		return usageError("%v", err)
	}
	if err != nil {
		return err
	}
	defer d.Close()

	hosts, err := d.Select(ctx, o.sweep.query)
	if err != nil {
		return usageError("%v", err)
	}
	if len(hosts) == 0 {
		return inputError(&fleetenv.NothingSelectedError{Query: o.sweep.query, InventoryHosts: len(d.Inventory.Hosts)})
	}
	owners, matcher, err := d.Owners(ctx)
	if err != nil {
		return err
	}
	if err := checkTeam("--team", o.sweep.team, owners); err != nil {
		return err
	}
	rc := d.Runner
	rc.Fanout, rc.HostTimeout, rc.ConnectTimeout = o.conn.Fanout, o.conn.Timeout, o.conn.ConnectTimeout
	r, err := runner.New(rc)
	if err != nil {
		return err
	}
	cks := make([]sweep.Check, len(d.Checks))
	names := make([]string, len(d.Checks))
	for i, ck := range d.Checks {
		cks[i], names[i] = sweep.Check{Check: ck}, ck.Name()
	}
	fmt.Fprintf(t.Err, "demo: simulated fleet of %d hosts on loopback; sweeping %d of them with checks %s\n",
		len(d.Hosts), len(hosts), strings.Join(names, ","))
	return execSweep(ctx, t, sweepJob{
		query: o.sweep.query, hosts: len(hosts), tasks: sweep.Plan(hosts, cks), checks: cks,
		runner: r, owners: matcher, outs: outs, team: o.sweep.team,
		globalTimeout: o.conn.GlobalTimeout, progress: o.sweep.progress, table: table,
	})
}
