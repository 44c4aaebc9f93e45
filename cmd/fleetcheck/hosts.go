package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
	"github.com/urfave/cli/v2"
)

func newHostsCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:      "hosts",
		Usage:     "resolve a query without connecting: the folded node set (count on stderr), one host a line, or JSON",
		ArgsUsage: "QUERY",
		Flags: slices.Concat(inputFlags(), []cli.Flag{
			&cli.BoolFlag{Name: "list", Aliases: []string{"l"}, Usage: "one host a line"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "`FORMAT`: text or json (hosts with address, port, user and labels)", Value: "text"},
			&cli.StringFlag{Name: "shard", Usage: "only the hosts of shard `I/N` (those sweep --shard I/N checks)"},
		}),
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageError("hosts: a QUERY is required ('all' for every host)")
			}
			return runHosts(c.Context, t, &hostsOptions{
				inputs: readInputs(c), query: strings.Join(c.Args().Slice(), " "),
				list: c.Bool("list"), format: c.String("output"), shard: c.String("shard"),
			})
		},
	}
}

// hostsOptions are the options of hosts.
type hostsOptions struct {
	inputs fleetenv.Inputs
	query  string
	list   bool
	format string
	shard  string // --shard I/N; "" for every selected host
}

// runHosts prints the hosts the query selects.
func runHosts(ctx context.Context, t *terminal, o *hostsOptions) error {
	if o.format != "text" && o.format != "json" {
		return usageError("hosts: unknown output format %q (want text or json)", o.format)
	}
	shard, err := parseShardFlag(o.shard)
	if err != nil {
		return err
	}
	_, hosts, err := loadHosts(ctx, o.inputs, o.query)
	if err != nil {
		return err
	}
	hosts = shard.Filter(hosts)
	if o.format == "json" {
		return inventory.WriteJSON(t.Out, hosts)
	}
	names := inventory.Names(hosts)
	if o.list {
		_, err := fmt.Fprintln(t.Out, strings.Join(names, "\n"))
		return err
	}
	fmt.Fprintf(t.Err, "%d hosts\n", len(names))
	_, err = fmt.Fprintln(t.Out, nodeset.Fold(names))
	return err
}
