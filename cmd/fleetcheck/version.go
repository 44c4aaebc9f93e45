package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/urfave/cli/v2"
)

func newVersionCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:   "version",
		Usage:  "print the version, commit and Go version (also --version)",
		Action: func(*cli.Context) error { return cliutil.WriteVersion(t.Out, "fleetcheck") },
	}
}

func newCompletionCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: source <(fleetcheck completion bash), or zsh, or fleetcheck completion fish | source",
		ArgsUsage: "bash|zsh|fish",
		Flags:     []cli.Flag{&cli.StringFlag{Name: "list", Hidden: true, Usage: "print the names of `KIND` (checks, teams, shells) for a completion script"}},
		Action: func(c *cli.Context) error {
			if kind := c.String("list"); kind != "" {
				return listNames(c.Context, t, kind)
			}
			if c.NArg() != 1 {
				return cliutil.Usagef("completion: expected one of %s, found %d arguments", strings.Join(cliutil.Shells, ", "), c.NArg())
			}
			return cliutil.Completion(t.Out, c.App, c.Args().First(), cliutil.CompletionSpec{
				Values: map[string]string{"check": "checks", "team": "teams", "expect": "teams"},
				Args:   map[string]string{"checks": "checks", "completion": "shells"},
				Files:  []string{"config", "inventory", "owners", "ssh-config", "known-hosts", "output-file", "dir"},
			})
		},
	}
}

// listNames prints the check names, team names (of the configured owners
// file) or shells for a completion script; what cannot be loaded lists
// nothing rather than failing a completion.
func listNames(ctx context.Context, t *terminal, kind string) error {
	var names []string
	switch kind {
	case "shells":
		names = cliutil.Shells
	case "checks", "teams":
		if e, err := new(inputOptions).load(); err == nil {
			names = e.Names(ctx, kind)
		}
	default:
		return cliutil.Usagef("completion --list: expected checks, teams or shells, found %q", kind)
	}
	_, err := fmt.Fprintln(t.Out, strings.Join(names, "\n"))
	return err
}
