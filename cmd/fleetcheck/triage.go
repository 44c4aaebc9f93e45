package main

import (
	"context"
	"io"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/triage"
	"github.com/fleetcheck/fleetcheck/state"
	"github.com/urfave/cli/v2"
)

// triageCmd is a triage command line (internal/triage checks and runs it).
type triageCmd interface {
	Check() error
	Run(ctx context.Context, e *fleetenv.Env, s state.Triage, w io.Writer) error
}

func newAckCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:      "ack",
		Usage:     "acknowledge the open failures of CHECK on the hosts QUERY selects: shown as ACK, listed apart, not re-notified",
		ArgsUsage: "QUERY CHECK",
		Description: "An acknowledgement ends when --for passes, when the failure resolves, or when it gets worse than the status acknowledged.\n" +
			"CHECK 'unreachable' acknowledges a host that cannot be reached; ack --list shows those in force, ack --remove QUERY CHECK ends them.",
		Flags: append(inputFlags(), stateFlag(),
			&cli.StringFlag{Name: "reason", Usage: "why the failure may wait (a ticket): required"},
			&cli.StringFlag{Name: "for", Value: duration.Human(triage.DefaultAckFor), Usage: "how long the acknowledgement lasts (`DURATION`)"},
			&cli.StringFlag{Name: "by", Usage: "who acknowledges (default: the login name)"},
			&cli.BoolFlag{Name: "list", Usage: "list the acknowledgements in force"},
			&cli.BoolFlag{Name: "remove", Usage: "end the acknowledgements of CHECK on QUERY"},
			formatFlag("table", "table", "json"),
		),
		Action: func(c *cli.Context) error {
			return runTriage(c, t, true, &triage.AckCommand{Args: c.Args().Slice(), List: c.Bool("list"), Remove: c.Bool("remove"),
				Format: c.String("output"), Reason: c.String("reason"), For: c.String("for"), By: c.String("by")})
		},
	}
}

func newMaintenanceCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:      "maintenance",
		Usage:     "a maintenance window for the hosts QUERY selects now: failures recorded, shown as MAINT, never notified, not charged to the budget",
		ArgsUsage: "QUERY",
		Description: "The host set is fixed when the window is made; a failure still open when it ends becomes an ordinary one that began then.\n" +
			"maintenance --list shows the windows in force or to come; maintenance --remove ID ends one now.",
		Flags: append(inputFlags(), stateFlag(),
			&cli.StringFlag{Name: "for", Usage: "how long the window lasts (`DURATION`): required"},
			&cli.StringFlag{Name: "reason", Usage: "why: required"},
			&cli.StringFlag{Name: "start", Usage: "when it starts (`TIME`: 2026-12-01T22:00:00Z, \"2026-12-01 22:00\" UTC, or +2h; default now)"},
			&cli.StringFlag{Name: "by", Usage: "who (default: the login name)"},
			&cli.BoolFlag{Name: "list", Usage: "list the windows in force or to come"},
			&cli.StringFlag{Name: "remove", Usage: "end window `ID` now"},
			formatFlag("table", "table", "json"),
		),
		Action: func(c *cli.Context) error {
			m := &triage.MaintenanceCommand{Args: c.Args().Slice(), List: c.Bool("list"), Remove: optional(c, "remove"), Format: c.String("output"),
				For: c.String("for"), Start: optional(c, "start"), Reason: c.String("reason"), By: c.String("by"), Now: time.Now()}
			return runTriage(c, t, m.StoreMustExist(), m)
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
	return &cli.Command{
		Name:  "budget",
		Usage: "each team's error budget from the state store: share of host-check time failing, burn rate, budget left",
		Description: "Host-check time: each (host, check) a sweep in the window had in scope and the team owns, from the\n" +
			"first such sweep to now, less maintenance. Failing: the time in an episode or unreachable (README: Error budgets).",
		Flags: append(inputFlags(), stateFlag(),
			&cli.StringFlag{Name: "team", Usage: "only this team"},
			&cli.StringFlag{Name: "window", Value: "30d", Usage: "over this `DURATION`"},
			formatFlag("table", "table", "json"),
		),
		Action: func(c *cli.Context) error {
			b := &triage.BudgetCommand{Args: c.Args().Slice(), Team: c.String("team"), Window: c.String("window"), Format: c.String("output")}
			if err := b.Check(); err != nil {
				return cliutil.Exit(err, 1)
			}
			return withStore(c, true, func(e *fleetenv.Env, s state.Store) error {
				file, matcher, err := e.Owners(c.Context)
				if err != nil {
					return cliutil.Exit(err, exitConfig)
				}
				if err := checkReportTeam(b.Team, file); err != nil {
					return err
				}
				return b.Run(c.Context, s, triage.Owners{File: file, Matcher: matcher}, time.Now(), t.Out)
			})
		},
	}
}

// runTriage checks the command line, then runs it on the store (which
// must exist when existing).
func runTriage(c *cli.Context, t *terminal, existing bool, cmd triageCmd) error {
	if err := cmd.Check(); err != nil {
		return cliutil.Exit(err, 1)
	}
	return withStore(c, existing, func(e *fleetenv.Env, s state.Store) error { return cmd.Run(c.Context, e, s, t.Out) })
}

// withStore loads the inputs and opens the store (--state or state:;
// existing: it must already exist), runs fn and maps its errors (usage
// 64, else 1).
func withStore(c *cli.Context, existing bool, fn func(*fleetenv.Env, state.Store) error) error {
	e, err := loadEnv(readInputs(c))
	if err != nil {
		return err
	}
	s, err := e.RequireStore(c.Context, c.String("state"), existing)
	if err != nil {
		return cliutil.Exit(err, exitConfig)
	}
	defer s.Close()
	return cliutil.Exit(fn(e, s), 1)
}
