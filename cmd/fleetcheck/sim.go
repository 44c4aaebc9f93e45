package main

import (
	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/urfave/cli/v2"
)

func newSimCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:  "sim",
		Usage: "serve a simulated fleet until interrupted, writing an inventory, owners file, ssh_config, known_hosts and key for any SSH client",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "hosts", Value: 1000, Usage: "number of simulated hosts"},
			&cli.DurationFlag{Name: "latency", Usage: "delay injected per SSH message exchange"},
			&cli.StringFlag{Name: "faults", Usage: "faulty hosts, `KIND=N[,KIND=N]` (refuse, hang_before_banner, hang_after_auth, drop_mid_output, flood, wrong_host_key, reject_auth, slow)"},
			&cli.StringFlag{Name: "dir", Usage: "where to write the files (default: a new temporary directory, removed on exit)"},
			&cli.Float64Flag{Name: "healthy", Value: 1, Usage: "share of host/check pairs that are OK, 0 to 1"},
		},
		Action: func(c *cli.Context) error {
			o := demo.ServeOptions{Hosts: c.Int("hosts"), Latency: c.Duration("latency"), Healthy: c.Float64("healthy"), Dir: c.String("dir")}
			if err := o.Check(); err != nil {
				return cliutil.Usagef("%v", err)
			}
			var err error
			if o.Faults, err = demo.ParseFaults(c.String("faults")); err != nil {
				return cliutil.Usagef("--faults: %v", err)
			}
			return demo.Serve(c.Context, o, t.Err)
		},
	}
}
