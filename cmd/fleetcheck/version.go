package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
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
				return usageError("completion: want one of %s", strings.Join(cliutil.Shells, ", "))
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
		e, err := loadEnv(fleetenv.Inputs{})
		if err != nil {
			return nil
		}
		if kind == "checks" {
			names, _ = e.CheckNames()
			break
		}
		if f, _, err := e.Owners(ctx); err == nil && f != nil {
			names = f.TeamNames()
		}
	default:
		return usageError("completion --list: want checks, teams or shells, got %q", kind)
	}
	_, err := fmt.Fprintln(t.Out, strings.Join(names, "\n"))
	return err
}
