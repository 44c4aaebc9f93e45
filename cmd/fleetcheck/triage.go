package main

import (
	"cmp"
	"errors"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/triage"
	"github.com/fleetcheck/fleetcheck/state"
	"github.com/urfave/cli/v2"
)

// triageError maps what internal/triage returns to exit codes: its
// usage errors 64, anything else 1.
func triageError(err error) error {
	if err == nil {
		return nil
	}
	var ue *fleetenv.UsageError
	if errors.As(err, &ue) {
		return cli.Exit(err.Error(), exitUsage)
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		return err
	}
	return cli.Exit(err.Error(), 1)
}

// loginName is --by's default: the login name.
func loginName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return cmp.Or(os.Getenv("USER"), os.Getenv("LOGNAME"), "unknown")
}

func listFormat(c *cli.Context) (string, error) {
	f := c.String("output")
	if f != "table" && f != "json" {
		return "", usageError("-o %s: want table or json", f)
	}
	return f, nil
}

func newAckCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:      "ack",
		Usage:     "acknowledge the open failures of CHECK on the hosts QUERY selects: shown as ACK, listed apart, not re-notified",
		ArgsUsage: "QUERY CHECK",
		Description: "An acknowledgement ends when --for passes (default 7d), when the failure resolves, or when it gets\n" +
			"worse than the status acknowledged. CHECK 'unreachable' acknowledges a host that cannot be reached.\n" +
			"ack --list shows those in force; ack --remove QUERY CHECK ends them.",
		Flags: append(inputFlags(), stateFlag(),
			&cli.StringFlag{Name: "reason", Usage: "why the failure may wait (a ticket): required"},
			&cli.StringFlag{Name: "for", Value: duration.Human(triage.DefaultAckFor), Usage: "how long the acknowledgement lasts (`DURATION`)"},
			&cli.StringFlag{Name: "by", Usage: "who acknowledges (default: the login name)"},
			&cli.BoolFlag{Name: "list", Usage: "list the acknowledgements in force"},
			&cli.BoolFlag{Name: "remove", Usage: "end the acknowledgements of CHECK on QUERY"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "table", Usage: "--list `FORMAT`: table or json"},
		),
		Action: func(c *cli.Context) error {
			if c.Bool("list") && c.Bool("remove") {
				return usageError("ack: --list and --remove do not go together")
			}
			if c.Bool("list") {
				if c.NArg() > 0 {
					return usageError("ack --list takes no arguments (got %q)", c.Args().First())
				}
				format, err := listFormat(c)
				if err != nil {
					return err
				}
				return withStore(c, true, func(e *fleetenv.Env, s state.Store) error { return triage.ListAcks(c.Context, s, format, t.Out) })
			}
			if c.NArg() != 2 {
				return usageError("ack takes QUERY and CHECK (got %d arguments; quote a query with spaces)", c.NArg())
			}
			query, check := c.Args().Get(0), c.Args().Get(1)
			if c.Bool("remove") {
				return withStore(c, true, func(e *fleetenv.Env, s state.Store) error {
					return triage.RemoveAcks(c.Context, e, s, query, check, t.Out)
				})
			}
			d, err := triage.ParseFor("--for", c.String("for"))
			if err != nil {
				return triageError(err)
			}
			o := triage.AckOptions{Query: query, Check: check, Reason: c.String("reason"), By: cmp.Or(c.String("by"), loginName()), For: d}
			return withStore(c, true, func(e *fleetenv.Env, s state.Store) error { return triage.Ack(c.Context, e, s, o, t.Out) })
		},
	}
}

func newMaintenanceCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:      "maintenance",
		Usage:     "a maintenance window for the hosts QUERY selects now: failures recorded, shown as MAINT, never notified, not charged to the budget",
		ArgsUsage: "QUERY",
		Description: "The host set is fixed when the window is made: hosts added to the inventory later are not in it.\n" +
			"A failure still open when the window ends becomes an ordinary one that began then.\n" +
			"maintenance --list shows the windows in force or to come; maintenance --remove ID ends one now.",
		Flags: append(inputFlags(), stateFlag(),
			&cli.StringFlag{Name: "for", Usage: "how long the window lasts (`DURATION`): required"},
			&cli.StringFlag{Name: "reason", Usage: "why: required"},
			&cli.StringFlag{Name: "start", Usage: "when it starts (`TIME`: 2026-12-01T22:00:00Z, \"2026-12-01 22:00\" UTC, or +2h; default now)"},
			&cli.StringFlag{Name: "by", Usage: "who (default: the login name)"},
			&cli.BoolFlag{Name: "list", Usage: "list the windows in force or to come"},
			&cli.StringFlag{Name: "remove", Usage: "end window `ID` now"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "table", Usage: "--list `FORMAT`: table or json"},
		),
		Action: func(c *cli.Context) error {
			now := time.Now()
			switch {
			case c.Bool("list") && c.IsSet("remove"):
				return usageError("maintenance: --list and --remove do not go together")
			case c.Bool("list"):
				if c.NArg() > 0 {
					return usageError("maintenance --list takes no arguments (got %q)", c.Args().First())
				}
				format, err := listFormat(c)
				if err != nil {
					return err
				}
				return withStore(c, false, func(e *fleetenv.Env, s state.Store) error {
					return triage.ListMaintenance(c.Context, s, now, format, t.Out)
				})
			case c.IsSet("remove"):
				id, err := strconv.ParseInt(c.String("remove"), 10, 64)
				if err != nil || id <= 0 {
					return usageError("--remove %q: want a window ID (maintenance --list shows them)", c.String("remove"))
				}
				return withStore(c, true, func(e *fleetenv.Env, s state.Store) error { return triage.RemoveMaintenance(c.Context, s, id, t.Out) })
			}
			if c.NArg() == 0 {
				return usageError("maintenance takes a QUERY (the hosts)")
			}
			o := triage.MaintenanceOptions{Query: strings.Join(c.Args().Slice(), " "), Reason: c.String("reason"),
				By: cmp.Or(c.String("by"), loginName()), Now: now}
			if !c.IsSet("for") {
				return usageError("maintenance: --for is required (how long the window lasts, such as 2h)")
			}
			var err error
			if o.For, err = triage.ParseFor("--for", c.String("for")); err != nil {
				return triageError(err)
			}
			if c.IsSet("start") {
				if o.Start, err = triage.ParseTime("--start", c.String("start"), now); err != nil {
					return triageError(err)
				}
			}
			return withStore(c, false, func(e *fleetenv.Env, s state.Store) error { return triage.AddMaintenance(c.Context, e, s, o, t.Out) })
		},
	}
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
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "table", Usage: "output `FORMAT`: table or json"},
		),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError("budget takes no arguments (got %q)", c.Args().First())
			}
			format, err := listFormat(c)
			if err != nil {
				return err
			}
			window, err := triage.ParseFor("--window", c.String("window"))
			if err != nil {
				return triageError(err)
			}
			team := c.String("team")
			return withStore(c, true, func(e *fleetenv.Env, s state.Store) error {
				file, matcher, err := e.Owners(c.Context)
				if err != nil {
					return inputError(err)
				}
				if team != health.UnownedTeam && (file == nil || team != file.Fallback) {
					if err := checkTeam("--team", team, file); err != nil {
						return err
					}
				}
				budgets, err := triage.Budgets(c.Context, s, triage.Owners{File: file, Matcher: matcher}, team, window, time.Now())
				if err != nil {
					return err
				}
				return triage.WriteBudgets(t.Out, budgets, format)
			})
		},
	}
}

// withStore loads the inputs and opens the store (--state or state:;
// existing: it must already exist), runs fn and maps its errors.
func withStore(c *cli.Context, existing bool, fn func(*fleetenv.Env, state.Store) error) error {
	e, err := loadEnv(readInputs(c))
	if err != nil {
		return err
	}
	var s *state.DB
	if existing {
		s, err = requireStore(c.Context, e, c.String("state"))
	} else {
		path := e.StatePath(c.String("state"))
		if path == "" {
			return usageError("no state store: give --state FILE or state: in the config")
		}
		s, err = openStore(c.Context, path)
	}
	if err != nil {
		return err
	}
	defer s.Close()
	return triageError(fn(e, s))
}
