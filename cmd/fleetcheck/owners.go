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

// ownersOptions are the options of owners explain, test and lint.
type ownersOptions struct {
	inputs      inputOptions
	host, check string
	statusFlag  string        // --status as given
	status      checks.Status // --status: the failure's severity, for its SLA
	expect      string        // owners test: the team that should own it
}

// checkArgs checks the command line of owners explain or test (cmd).
func (o *ownersOptions) checkArgs(cmd string, args []string) error {
	if cmd == "test" && o.expect == "" {
		return cliutil.Usagef("owners test: --expect TEAM is required (the team that should own HOST [CHECK])")
	}
	if len(args) < 1 || len(args) > 2 {
		return cliutil.Usagef("owners %s: expected HOST [CHECK], found %d arguments", cmd, len(args))
	}
	o.host = args[0]
	if len(args) == 2 {
		o.check = args[1]
	}
	status, err := checks.ParseStatus(o.statusFlag)
	if err != nil {
		return cliutil.Usagef("--status: %v", err)
	}
	o.status = status
	return nil
}

func newOwnersCmd(t *terminal) *cli.Command {
	o := &ownersOptions{}
	hostCmd := func(name, usage string, run func(context.Context, *terminal, *ownersOptions, *ownersEnv) error, flags ...cli.Flag) *cli.Command {
		return &cli.Command{Name: name, Usage: usage, ArgsUsage: "HOST [CHECK]",
			Flags: append(append(o.inputs.flags(), &cli.StringFlag{Name: "status", Value: "CRITICAL", Destination: &o.statusFlag, Usage: "severity of the failure, for its SLA"}), flags...),
			Action: func(c *cli.Context) error {
				if err := o.checkArgs(name, c.Args().Slice()); err != nil {
					return err
				}
				return runOwners(c.Context, t, o, run)
			}}
	}
	return &cli.Command{
		Name:  "owners",
		Usage: "explain, test and lint the owners file",
		Subcommands: []*cli.Command{
			hostCmd("explain", "which rule owns a host's failure, and why each rule did or did not match", runOwnersExplain),
			hostCmd("test", "exit 1 unless TEAM owns the failure (for CI of the owners file)", runOwnersTest,
				&cli.StringFlag{Name: "expect", Destination: &o.expect, Usage: "the expected owning `TEAM` (required)"}),
			{
				Name:   "lint",
				Usage:  "unknown or unused teams, rules that never match, are shadowed or name no existing check, hosts no rule owns",
				Flags:  o.inputs.flags(),
				Action: func(c *cli.Context) error { return runOwners(c.Context, t, o, runOwnersLint) },
			},
		},
	}
}

// ownersEnv is the loaded owners file and the checks that exist.
type ownersEnv struct {
	env     *fleetenv.Env
	file    *ownership.File
	matcher *ownership.Matcher
	checks  []string // built-in and configured check names
}

// runOwners loads the environment and its owners file, which must exist,
// and runs the subcommand on them.
func runOwners(ctx context.Context, t *terminal, o *ownersOptions, run func(context.Context, *terminal, *ownersOptions, *ownersEnv) error) error {
	e, err := o.inputs.load()
	if err != nil {
		return err
	}
	f, m, err := e.RequireOwners(ctx)
	if err != nil {
		return err
	}
	known, err := e.CheckNames()
	if err != nil {
		return err
	}
	return run(ctx, t, o, &ownersEnv{env: e, file: f, matcher: m, checks: known})
}

// runOwnersExplain explains who owns the host's (check's) failure, warning
// first when no check has that name.
func runOwnersExplain(_ context.Context, t *terminal, o *ownersOptions, oe *ownersEnv) error {
	if o.check != "" && !ownership.NamesCheck(o.check, oe.checks) {
		fmt.Fprintf(t.Err, "fleetcheck: warning: no check is named %q%s; checks: %s\n", o.check, suggest.DidYouMean(o.check, oe.checks), strings.Join(oe.checks, ", "))
	}
	return ownership.WriteExplain(t.Out, oe.matcher.Explain(o.host, o.check, o.status))
}

// runOwnersTest exits 1 unless o.expect owns the host's (check's) failure.
func runOwnersTest(_ context.Context, t *terminal, o *ownersOptions, oe *ownersEnv) error {
	if err := checkTeam("--expect", o.expect, oe.file); err != nil {
		return err
	}
	if err := oe.matcher.Test(o.host, o.check, o.expect); err != nil {
		return cli.Exit(err.Error(), 1)
	}
	_, err := fmt.Fprintf(t.Out, "ok: %s owns %s %s\n", o.expect, o.host, o.check)
	return err
}

// runOwnersLint reports what is likely wrong in the owners file; exit 1
// on an error finding.
func runOwnersLint(ctx context.Context, t *terminal, _ *ownersOptions, oe *ownersEnv) error {
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
