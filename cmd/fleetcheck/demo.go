package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/urfave/cli/v2"
)

// demoOptions are demo's options.
type demoOptions struct {
	conn    connOptions
	sweep   sweepOptions
	healthy bool
}

func newDemoCmd(t *terminal) *cli.Command {
	o := &demoOptions{}
	return &cli.Command{
		Name:      "demo",
		Usage:     "start an in-process simulated fleet (212 hosts) and sweep it over SSH: no config, keys or hosts needed",
		ArgsUsage: "[QUERY]",
		Flags: slices.Concat(o.sweep.flags("the built-in defaults"), []cli.Flag{
			&cli.BoolFlag{Name: "healthy", Destination: &o.healthy, Usage: "every host healthy: no connection faults and every check OK"},
		}, o.conn.flags(connDefaults{
			// The simulated hosts' servers share this process's CPU: at
			// the product's fanout their handshakes crowd out the client's.
			fanout: 64, timeout: 3 * time.Second, connectTimeout: 2 * time.Second,
			timeoutUsage: "per host (the demo's hung hosts end at this deadline)",
		})),
		Action: func(c *cli.Context) error {
			o.sweep.query = strings.Join(c.Args().Slice(), " ")
			if err := o.conn.check(c); err != nil {
				return err
			}
			return runDemo(c.Context, t, o)
		},
	}
}

// runDemo serves the demo fleet and sweeps it.
func runDemo(ctx context.Context, t *terminal, o *demoOptions) error {
	if err := o.sweep.check("table"); err != nil {
		return err
	}
	d, err := demo.Start(ctx, demo.Options{Checks: o.sweep.checkNames(), World: demo.WorldOf(o.healthy)})
	if errors.Is(err, demo.ErrCheck) {
		return cliutil.Usagef("%v", err)
	}
	if err != nil {
		return err
	}
	defer d.Close()

	hosts, err := d.Select(ctx, o.sweep.query)
	if err != nil {
		return cliutil.Usagef("%v", err)
	}
	if len(hosts) == 0 {
		return &fleetenv.NothingSelectedError{Query: o.sweep.query, InventoryHosts: len(d.Inventory.Hosts)}
	}
	owners, matcher, err := d.Owners(ctx)
	if err != nil {
		return err
	}
	if err := checkTeam("--team", o.sweep.team, owners); err != nil {
		return err
	}
	r, err := runner.New(d.RunnerConfig(o.conn.Fanout, o.conn.Timeout, o.conn.ConnectTimeout))
	if err != nil {
		return err
	}
	cks, names := d.SweepChecks()
	fmt.Fprintf(t.Err, "demo: simulated fleet of %d hosts on loopback; sweeping %d of them with checks %s\n",
		len(d.Hosts), len(hosts), strings.Join(names, ","))
	return execSweep(ctx, t, sweepJob{opts: &o.sweep,
		Job: sweep.Job{Query: o.sweep.query, Hosts: len(hosts), Tasks: sweep.Plan(hosts, cks), Checks: cks, Runner: r,
			Owners: matcher, Team: o.sweep.team, GlobalTimeout: o.conn.GlobalTimeout},
	})
}
