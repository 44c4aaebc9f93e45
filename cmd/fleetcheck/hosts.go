package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
	"github.com/urfave/cli/v2"
)

func hostsCommand() *cli.Command {
	return &cli.Command{
		Name:      "hosts",
		Usage:     "resolve a query without connecting: the folded node set (count on stderr), one host a line, or JSON",
		ArgsUsage: "QUERY",
		Flags: append(inputFlags(),
			&cli.BoolFlag{Name: "list", Aliases: []string{"l"}, Usage: "one host a line"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "`FORMAT`: text or json (hosts with address, port, user and labels)", Value: "text"},
			&cli.StringFlag{Name: "shard", Usage: "only the hosts of shard `I/N` (as sweep --shard I/N would check them)"},
		),
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageError("hosts: a QUERY is required ('all' for every host)")
			}
			e, err := loadEnv(c)
			if err != nil {
				return err
			}
			shard, err := shardFlag(c)
			if err != nil {
				return err
			}
			hosts, err := e.selectHosts(c.Context, strings.Join(c.Args().Slice(), " "))
			if err != nil {
				return err
			}
			hosts = shard.Filter(hosts)
			w := c.App.Writer
			switch c.String("output") {
			case "json":
				type jsonHost struct {
					Name    string            `json:"name"`
					Address string            `json:"address,omitempty"`
					Port    int               `json:"port,omitempty"`
					User    string            `json:"user,omitempty"`
					Labels  map[string]string `json:"labels,omitempty"`
					Source  string            `json:"source,omitempty"`
				}
				out := make([]jsonHost, len(hosts))
				for i, h := range hosts {
					out[i] = jsonHost{h.Name, h.Address, h.Port, h.User, h.Labels, h.Source}
				}
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			case "text":
			default:
				return usageError("hosts: unknown output format %q (want text or json)", c.String("output"))
			}
			names := make([]string, len(hosts))
			for i, h := range hosts {
				names[i] = h.Name
			}
			if c.Bool("list") {
				for _, n := range names {
					fmt.Fprintln(w, n)
				}
				return nil
			}
			fmt.Fprintf(c.App.ErrWriter, "%d hosts\n", len(names))
			if len(names) > 0 {
				fmt.Fprintln(w, nodeset.Fold(names))
			}
			return nil
		},
	}
}
