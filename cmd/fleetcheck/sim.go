package main

import (
	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/urfave/cli/v2"
)

func newSimCmd(t *terminal) *cli.Command {
	o, faults := demo.ServeOptions{}, ""
	return &cli.Command{
		Name:  "sim",
		Usage: "serve a simulated fleet until interrupted, writing an inventory, owners file, ssh_config, known_hosts and key for any SSH client",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "hosts", Value: 1000, Destination: &o.Hosts, Usage: "number of simulated hosts"},
			&cli.DurationFlag{Name: "latency", Destination: &o.Latency, Usage: "delay injected per SSH message exchange"},
			&cli.StringFlag{Name: "faults", Destination: &faults, Usage: "faulty hosts, `KIND=N[,KIND=N]` (refuse, hang_before_banner, hang_after_auth, drop_mid_output, flood, wrong_host_key, reject_auth, slow)"},
			&cli.StringFlag{Name: "dir", Destination: &o.Dir, Usage: "where to write the files (default: a new temporary directory, removed on exit)"},
			&cli.Float64Flag{Name: "healthy", Value: 1, Destination: &o.Healthy, Usage: "share of host/check pairs that are OK, 0 to 1"},
		},
		Action: func(c *cli.Context) error {
			if err := o.Check(); err != nil {
				return cliutil.Usagef("%v", err)
			}
			var err error
			if o.Faults, err = demo.ParseFaults(faults); err != nil {
				return cliutil.Usagef("--faults: %v", err)
			}
			return demo.Serve(c.Context, o, t.Err)
		},
	}
}
