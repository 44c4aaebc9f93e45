package main

import (
	"fmt"
	"strings"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/suggest"
	"github.com/urfave/cli/v2"
)

func newChecksCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:      "checks",
		Usage:     "list the available checks, or the named checks' parameters and defaults",
		ArgsUsage: "[NAME...]",
		Action:    func(c *cli.Context) error { return runChecks(t, c.Args().Slice()) },
	}
}

// runChecks lists every check, or describes the named ones.
func runChecks(t *terminal, names []string) error {
	reg := checks.Builtins()
	if len(names) == 0 {
		return checks.DescribeFit(t.Out, reg, t.Width)
	}
	for i, name := range names {
		b, ok := reg[name]
		if !ok {
			return cliutil.Usagef("unknown check %q%s; checks: %s", name, suggest.DidYouMean(name, reg.Names()), strings.Join(reg.Names(), ", "))
		}
		if i > 0 {
			fmt.Fprintln(t.Out)
		}
		if err := checks.DescribeOneFit(t.Out, b, t.Width); err != nil {
			return err
		}
	}
	return nil
}
