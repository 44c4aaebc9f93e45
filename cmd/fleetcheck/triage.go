package main

import (
	"context"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/triage"
	"github.com/fleetcheck/fleetcheck/state"
	"github.com/urfave/cli/v2"
)

// The triage commands' options are internal/triage's command structs,
// which check and run them: here their flags are bound and the store opened.

// storeOptions are the inputs and store of a command that works on the store.
type storeOptions struct {
	inputs inputOptions
	state  string
}

// flags are the input flags and --state.
func (o *storeOptions) flags(more ...cli.Flag) []cli.Flag {
	return append(append(o.inputs.flags(), stateFlag(&o.state)), more...)
}

func newAckCmd(t *terminal) *cli.Command {
	o, ack := &storeOptions{}, &triage.AckCommand{}
	return &cli.Command{
		Name:      "ack",
		Usage:     "acknowledge the open failures of CHECK on the hosts QUERY selects: shown as ACK, listed apart, not re-notified",
		ArgsUsage: "QUERY CHECK",
		Description: "An acknowledgement ends when --for passes, when the failure resolves, or when it gets worse than the status acknowledged.\n" +
			"CHECK 'unreachable' acknowledges a host that cannot be reached; ack --list shows those in force, ack --remove QUERY CHECK ends them.",
		Flags: o.flags(
			&cli.StringFlag{Name: "reason", Destination: &ack.Reason, Usage: "why the failure may wait (a ticket): required"},
			&cli.StringFlag{Name: "for", Value: duration.Human(triage.DefaultAckFor), Destination: &ack.For, Usage: "how long the acknowledgement lasts: a `DURATION`, or \"resolved\" (until the failure resolves or gets worse)"},
			&cli.StringFlag{Name: "by", Destination: &ack.By, Usage: "who acknowledges (default: the login name)"},
			&cli.BoolFlag{Name: "list", Destination: &ack.List, Usage: "list the acknowledgements in force"},
			&cli.BoolFlag{Name: "remove", Destination: &ack.Remove, Usage: "end the acknowledgements of CHECK on QUERY"},
			formatFlag(&ack.Format, "table", "json"),
		),
		Action: func(c *cli.Context) error {
			ack.Args = c.Args().Slice()
			return o.run(c.Context, true, ack.Check, func(e *fleetenv.Env, s *state.DB) error { return ack.Run(c.Context, e, s, t.Out) })
		},
	}
}

func newMaintenanceCmd(t *terminal) *cli.Command {
	o, m := &storeOptions{}, &triage.MaintenanceCommand{}
	return &cli.Command{
		Name:      "maintenance",
		Usage:     "a maintenance window for the hosts QUERY selects now: failures recorded, shown as MAINT, never notified, not charged to the budget",
		ArgsUsage: "QUERY",
		Description: "The host set is fixed when the window is made; a failure still open when it ends becomes an ordinary one that began then.\n" +
			"maintenance --list shows the windows in force or to come; maintenance --remove ID ends one now.",
		Flags: o.flags(
			&cli.StringFlag{Name: "for", Destination: &m.For, Usage: "how long the window lasts (`DURATION`): required"},
			&cli.StringFlag{Name: "reason", Destination: &m.Reason, Usage: "why: required"},
			&cli.StringFlag{Name: "start", Usage: "when it starts (`TIME`: 2026-12-01T22:00:00Z, \"2026-12-01 22:00\" UTC, or +2h; default now)"},
			&cli.StringFlag{Name: "by", Destination: &m.By, Usage: "who (default: the login name)"},
			&cli.BoolFlag{Name: "list", Destination: &m.List, Usage: "list the windows in force or to come"},
			&cli.StringFlag{Name: "remove", Usage: "end window `ID` now"},
			formatFlag(&m.Format, "table", "json"),
		),
		Action: func(c *cli.Context) error {
			m.Args, m.Remove, m.Start, m.Now = c.Args().Slice(), optional(c, "remove"), optional(c, "start"), time.Now()
			return o.run(c.Context, m.StoreMustExist(), m.Check, func(e *fleetenv.Env, s *state.DB) error { return m.Run(c.Context, e, s, t.Out) })
		},
	}
}

// optional is the value of the flag name when it was given, else nil.
func optional(c *cli.Context, name string) *string {
	if !c.IsSet(name) {
		return nil
	}
	v := c.String(name)
	return &v
}

func newBudgetCmd(t *terminal) *cli.Command {
	o, b := &storeOptions{}, &triage.BudgetCommand{}
	return &cli.Command{
		Name:  "budget",
		Usage: "each team's error budget from the state store: share of host-check time failing, burn rate, budget left",
		Description: "Host-check time: each (host, check) a sweep in the window had in scope and the team owns, from the\n" +
			"first such sweep to now, less maintenance. Failing: the time in an episode or unreachable (README: Error budgets).",
		Flags: o.flags(
			&cli.StringFlag{Name: "team", Destination: &b.Team, Usage: "only this team"},
			&cli.StringFlag{Name: "window", Value: "30d", Destination: &b.Window, Usage: "over this `DURATION`"},
			formatFlag(&b.Format, "table", "json"),
		),
		Action: func(c *cli.Context) error {
			b.Args = c.Args().Slice()
			return o.run(c.Context, true, b.Check, func(e *fleetenv.Env, s *state.DB) error {
				file, matcher, err := e.Owners(c.Context)
				if err != nil {
					return err
				}
				if err := checkReportTeam(b.Team, file); err != nil {
					return err
				}
				return b.Run(c.Context, s, triage.Owners{File: file, Matcher: matcher}, time.Now(), t.Out)
			})
		},
	}
}

// run checks the command line, loads the inputs, opens the store
// (--state or state:; existing: it must already exist) and runs the
// command on them (its errors: usage 64, configuration 78, else 1).
func (o *storeOptions) run(ctx context.Context, existing bool, check func() error, run func(*fleetenv.Env, *state.DB) error) error {
	if err := check(); err != nil {
		return cliutil.Exit(err, 1)
	}
	e, err := o.inputs.load()
	if err != nil {
		return err
	}
	s, err := e.RequireStore(ctx, o.state, existing)
	if err != nil {
		return err
	}
	defer s.Close()
	return cliutil.Exit(run(e, s), 1)
}
