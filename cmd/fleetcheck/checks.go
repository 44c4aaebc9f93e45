package main

import (
	"fmt"
	"strings"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/urfave/cli/v2"
)

func checksCommand() *cli.Command {
	return &cli.Command{
		Name:      "checks",
		Usage:     "list the available checks, or one check's parameters and defaults",
		ArgsUsage: "[NAME...]",
		Action: func(c *cli.Context) error {
			reg := checks.Builtins()
			if c.NArg() == 0 {
				return checks.Describe(c.App.Writer, reg)
			}
			for i, name := range c.Args().Slice() {
				b, ok := reg[name]
				if !ok {
					msg := fmt.Sprintf("unknown check %q", name)
					if s := suggest(name, reg.Names()); s != "" {
						msg += fmt.Sprintf(" (did you mean %q?)", s)
					}
					return usageError("%s; checks: %s", msg, strings.Join(reg.Names(), ", "))
				}
				if i > 0 {
					fmt.Fprintln(c.App.Writer)
				}
				if err := checks.DescribeOne(c.App.Writer, b); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
