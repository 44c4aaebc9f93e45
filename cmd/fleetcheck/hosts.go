package main

import (
	"context"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/urfave/cli/v2"
)

// hostsOptions are the options of hosts.
type hostsOptions struct {
	inputs inputOptions
	query  string
	list   bool
	format string
	shard  string // --shard I/N; "" for every selected host
}

func newHostsCmd(t *terminal) *cli.Command {
	o := &hostsOptions{}
	return &cli.Command{
		Name:      "hosts",
		Usage:     "resolve a query without connecting: the folded node set (count on stderr), one host a line, or JSON",
		ArgsUsage: "QUERY",
		Flags: slices.Concat(o.inputs.flags(), []cli.Flag{
			&cli.BoolFlag{Name: "list", Aliases: []string{"l"}, Destination: &o.list, Usage: "one host a line"},
			formatFlag(&o.format, "text", "json"),
			&cli.StringFlag{Name: "shard", Destination: &o.shard, Usage: "only the hosts of shard `I/N` (those sweep --shard I/N checks)"},
		}),
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cliutil.Usagef("hosts: a QUERY is required ('all' for every host)")
			}
			o.query = strings.Join(c.Args().Slice(), " ")
			return runHosts(c.Context, t, o)
		},
	}
}

// runHosts prints the hosts the query selects.
func runHosts(ctx context.Context, t *terminal, o *hostsOptions) error {
	if err := cliutil.CheckFormat("-o", o.format, "text", "json"); err != nil {
		return err
	}
	shard, err := parseShardFlag(o.shard)
	if err != nil {
		return err
	}
	_, hosts, err := loadHosts(ctx, &o.inputs, o.query)
	if err != nil {
		return err
	}
	hosts = shard.Filter(hosts)
	if o.format == "json" {
		return inventory.WriteJSON(t.Out, hosts)
	}
	return inventory.WriteText(t.Out, t.Err, hosts, o.list)
}
