package main

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/deliver"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/triage"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/state"
	"github.com/urfave/cli/v2"
)

// digestOptions are digest's options.
type digestOptions struct {
	inputs               inputOptions
	state, format, since string
	query                digestQuery
	post                 deliver.Flags // --post and what it cannot go with
}

// digestQuery is which digest: one team's (or all), since when (0: each
// team's last delivery), or the one of the sweep just recorded.
type digestQuery struct {
	team  string
	since time.Duration
	sweep *state.Sweep
}

func newDigestCmd(t *terminal) *cli.Command {
	o := &digestOptions{}
	return &cli.Command{
		Name:  "digest",
		Usage: "per-team digest from the state store: new, ongoing (age, SLA state) and resolved failures",
		Description: "New means since the team's last delivered digest (or --since, or the last 24 hours);\n" +
			"printing a digest only reads the store.",
		Flags: append(o.inputs.flags(), stateFlag(&o.state),
			&cli.StringFlag{Name: "team", Destination: &o.query.team, Usage: "only this team's digest"},
			&cli.StringFlag{Name: "since", Destination: &o.since, Usage: "new and resolved within this `DURATION` (7d, 12h) instead of since each team's last digest"},
			formatFlag(&o.format, "markdown", "json", "slack"),
			&cli.BoolFlag{Name: "post", Destination: &o.post.Post, Usage: "deliver each team's digest, escalations and alerts (exit 0, 75 queued, 76 refused)"},
			&cli.BoolFlag{Name: "dry-run", Destination: &o.post.DryRun, Usage: "with --post: print what would be sent, record nothing"},
			&cli.StringFlag{Name: "post-timeout", Value: "3m", Destination: &o.post.Timeout, Usage: "--post ends within this `DURATION`; what is not delivered stays queued"},
		),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cliutil.Usagef("digest takes no arguments (found %q)", c.Args().First())
			}
			o.post.Team, o.post.Since, o.post.Format = o.query.team, o.since, o.format
			return runDigest(c.Context, t, o)
		},
	}
}

func runDigest(ctx context.Context, t *terminal, o *digestOptions) error {
	if err := cliutil.CheckFormat("-o", o.format, "markdown", "json", "slack"); err != nil {
		return err
	}
	postTimeout, err := o.post.Check()
	if err != nil {
		return cliutil.Usagef("%v", err)
	}
	if o.query.since, err = digest.ParseSince(o.since); err != nil {
		return cliutil.Usagef("%v", err)
	}
	e, err := o.inputs.load()
	if err != nil {
		return err
	}
	owners, _, err := e.Owners(ctx)
	if err != nil {
		return err
	}
	if err := checkReportTeam(o.query.team, owners); err != nil {
		return err
	}
	store, err := e.RequireStore(ctx, o.state, true)
	if err != nil {
		return err
	}
	defer store.Close()
	if o.post.Active() {
		return cliutil.Exit(deliver.Run(ctx, deliver.RunOptions{Store: store, Owners: owners, Config: e.Config,
			DryRun: o.post.DryRun, Timeout: postTimeout, Logger: slog.Default()}, t.Out), 1)
	}
	return writeDigest(ctx, e, store, o.query, o.format, "", t.Out)
}

// writeDigest writes the digest q asks for in format to file (stdout
// when "", written atomically otherwise).
func writeDigest(ctx context.Context, e *fleetenv.Env, store state.Store, q digestQuery, format, file string, stdout io.Writer) error {
	owners, matcher, err := e.Owners(ctx)
	if err != nil {
		return err
	}
	d, err := triage.Digest(ctx, store, triage.Owners{File: owners, Matcher: matcher}, q.team, q.since, q.sweep, time.Now())
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	err = report.WriteOutput(file, stdout, func(w io.Writer) error {
		if format == "slack" {
			return deliver.WriteSlack(w, d)
		}
		return digest.Write(w, d, format)
	})
	if err != nil {
		return cli.Exit("writing digest output: "+err.Error(), 1)
	}
	return nil
}

// historyOptions are history's options.
type historyOptions struct {
	inputs              inputOptions
	state, host, format string
	check               *string
}

func newHistoryCmd(t *terminal) *cli.Command {
	o := &historyOptions{}
	return &cli.Command{
		Name:      "history",
		Usage:     "a host's failure episodes from the state store: when each began, changed and ended",
		ArgsUsage: "HOST [CHECK]",
		Flags:     append(o.inputs.flags(), stateFlag(&o.state), formatFlag(&o.format, "text", "json")),
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 || c.NArg() > 2 {
				return cliutil.Usagef("history takes HOST and an optional CHECK")
			}
			o.host = c.Args().Get(0)
			if c.NArg() == 2 {
				check := c.Args().Get(1)
				o.check = &check
			}
			return runHistory(c.Context, t, o)
		},
	}
}

func runHistory(ctx context.Context, t *terminal, o *historyOptions) error {
	if err := cliutil.CheckFormat("-o", o.format, "text", "json"); err != nil {
		return err
	}
	e, err := o.inputs.load()
	if err != nil {
		return err
	}
	store, err := e.RequireStore(ctx, o.state, true)
	if err != nil {
		return err
	}
	defer store.Close()
	eps, err := store.Episodes(ctx, state.EpisodeFilter{Host: o.host, Check: o.check})
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if len(eps) == 0 && len(e.Inventory.Hosts) > 0 {
		if _, ok := e.Inventory.Lookup(o.host); !ok {
			return cliutil.Usagef("history: no host %q in the inventory and none in the history", o.host)
		}
	}
	return cliutil.Exit(digest.WriteHistory(t.Out, digest.MakeHistory(o.host, o.check, eps, time.Now()), o.format), 1)
}
