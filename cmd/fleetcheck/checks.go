package main

import (
	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/urfave/cli/v2"
)

func checksCommand() *cli.Command {
	return &cli.Command{
		Name:      "checks",
		Usage:     "list the available checks, or one check's parameters and defaults",
		ArgsUsage: "[NAME]",
		Action: func(c *cli.Context) error {
			reg := checks.Builtins()
			if c.NArg() == 0 {
				return checks.DescribeFit(c.App.Writer, reg, termWidth(c.App.Writer))
			}
			b, ok := reg[c.Args().First()]
			if !ok {
				return usageError("unknown check %q (known: %v)", c.Args().First(), reg.Names())
			}
			return checks.DescribeOneFit(c.App.Writer, b, termWidth(c.App.Writer))
		},
	}
}
