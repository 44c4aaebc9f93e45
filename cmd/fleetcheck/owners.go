package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/suggest"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/urfave/cli/v2"
)

func newOwnersCmd(t *terminal) *cli.Command {
	statusFlag := &cli.StringFlag{Name: "status", Value: "CRITICAL", Usage: "severity of the failure, for its SLA"}
	hostArgs := func(c *cli.Context) (*ownersOptions, error) {
		if c.NArg() < 1 || c.NArg() > 2 {
			return nil, cliutil.Usagef("owners %s: want HOST [CHECK]", c.Command.Name)
		}
		status, err := checks.ParseStatus(c.String("status"))
		if err != nil {
			return nil, cliutil.Usagef("--status: %v", err)
		}
		return &ownersOptions{inputs: readInputs(c), host: c.Args().Get(0), check: c.Args().Get(1), status: status, expect: c.String("expect")}, nil
	}
	return &cli.Command{
		Name:  "owners",
		Usage: "explain, test and lint the owners file",
		Subcommands: []*cli.Command{
			{
				Name:      "explain",
				Usage:     "which rule owns a host's failure, and why each rule did or did not match",
				ArgsUsage: "HOST [CHECK]",
				Flags:     append(inputFlags(), statusFlag),
				Action: func(c *cli.Context) error {
					o, err := hostArgs(c)
					if err != nil {
						return err
					}
					return runOwnersExplain(c.Context, t, o)
				},
			},
			{
				Name:      "test",
				Usage:     "exit 1 unless TEAM owns the failure (for CI of the owners file)",
				ArgsUsage: "HOST [CHECK]",
				Flags:     append(inputFlags(), statusFlag, &cli.StringFlag{Name: "expect", Usage: "the expected owning `TEAM` (required)"}),
				Action: func(c *cli.Context) error {
					if c.String("expect") == "" {
						return cliutil.Usagef("owners test: --expect TEAM is required (the team that should own HOST [CHECK])")
					}
					o, err := hostArgs(c)
					if err != nil {
						return err
					}
					return runOwnersTest(c.Context, t, o)
				},
			},
			{
				Name:   "lint",
				Usage:  "unknown or unused teams, rules that never match, are shadowed or name no existing check, hosts no rule owns",
				Flags:  inputFlags(),
				Action: func(c *cli.Context) error { return runOwnersLint(c.Context, t, readInputs(c)) },
			},
		},
	}
}

// ownersOptions are the options of owners explain and owners test.
type ownersOptions struct {
	inputs      fleetenv.Inputs
	host, check string
	status      checks.Status // --status: the failure's severity
	expect      string        // owners test: the team that should own it
}

// ownersEnv is the loaded owners file and the checks that exist.
type ownersEnv struct {
	env     *fleetenv.Env
	file    *ownership.File
	matcher *ownership.Matcher
	checks  []string // built-in and configured check names
}

// loadOwners loads the environment and its owners file, which must exist.
func loadOwners(ctx context.Context, in fleetenv.Inputs) (*ownersEnv, error) {
	e, err := loadEnv(in)
	if err != nil {
		return nil, err
	}
	f, m, err := e.RequireOwners(ctx)
	if err != nil {
		return nil, cliutil.Exit(err, exitConfig)
	}
	known, err := e.CheckNames()
	if err != nil {
		return nil, cliutil.Exit(err, exitConfig)
	}
	return &ownersEnv{env: e, file: f, matcher: m, checks: known}, nil
}

// runOwnersExplain explains who owns the host's (check's) failure, warning
// first when no check has that name.
func runOwnersExplain(ctx context.Context, t *terminal, o *ownersOptions) error {
	oe, err := loadOwners(ctx, o.inputs)
	if err != nil {
		return err
	}
	if o.check != "" && !ownership.NamesCheck(o.check, oe.checks) {
		fmt.Fprintf(t.Err, "fleetcheck: warning: no check is named %q%s; checks: %s\n", o.check, suggest.DidYouMean(o.check, oe.checks), strings.Join(oe.checks, ", "))
	}
	return ownership.WriteExplain(t.Out, oe.matcher.Explain(o.host, o.check, o.status))
}

// runOwnersTest exits 1 unless o.expect owns the host's (check's) failure.
func runOwnersTest(ctx context.Context, t *terminal, o *ownersOptions) error {
	oe, err := loadOwners(ctx, o.inputs)
	if err != nil {
		return err
	}
	if err := checkTeam("--expect", o.expect, oe.file); err != nil {
		return err
	}
	if err := oe.matcher.Test(o.host, o.check, o.expect); err != nil {
		return cli.Exit(err.Error(), 1)
	}
	_, err = fmt.Fprintf(t.Out, "ok: %s owns %s %s\n", o.expect, o.host, o.check)
	return err
}

// runOwnersLint reports what is likely wrong in the owners file; exit 1
// on an error finding.
func runOwnersLint(ctx context.Context, t *terminal, in fleetenv.Inputs) error {
	oe, err := loadOwners(ctx, in)
	if err != nil {
		return err
	}
	if len(oe.env.Inventory.Hosts) == 0 {
		return cliutil.Usagef("owners lint: no inventory was loaded (give --inventory, or inventory: in the config): rules cannot be checked against no hosts")
	}
	findings, err := oe.file.LintAll(ctx, oe.env.Query, oe.checks)
	if err != nil {
		return cliutil.Exit(err, exitConfig)
	}
	if err := ownership.WriteLint(t.Out, findings); err != nil {
		return err
	}
	if ownership.HasErrors(findings) {
		return cli.Exit("", 1)
	}
	return nil
}
