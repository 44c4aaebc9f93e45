package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/deliver"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/internal/triage"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/state"
	"github.com/urfave/cli/v2"
)

// openStore opens the store at path (fleetenv.OpenStore): a URL it
// cannot take is 64, a store it cannot open 78.
func openStore(ctx context.Context, path string) (*state.DB, error) {
	s, err := fleetenv.OpenStore(ctx, path)
	return s, cliutil.Exit(err, exitConfig)
}

// requireStore opens the store that digest and history read: it must exist.
func requireStore(ctx context.Context, e *fleetenv.Env, flag string) (*state.DB, error) {
	s, err := e.RequireStore(ctx, flag, true)
	return s, cliutil.Exit(err, exitConfig)
}

// stateFlag is --state, shared by sweep, digest and history.
func stateFlag() cli.Flag {
	return &cli.StringFlag{Name: "state", Usage: "the state store: an SQLite `FILE` or a postgres:// URL (default: state: in the config)"}
}

// sweepState prepares recording for the sweep of hosts: the store, and
// what it must know of the inventory and configuration to tell gone from
// fixed. Without --state or state: it returns nils.
func sweepState(ctx context.Context, e *fleetenv.Env, o *sweepCmdOptions, shard sweep.Shard, hosts []string) (*state.DB, *sweep.StateSink, error) {
	path := e.StatePath(o.state)
	if path == "" {
		return nil, nil, nil
	}
	if o.sweep.team != "" {
		return nil, nil, cliutil.Usagef("--state records the whole sweep and --team keeps one team's records: drop --team (digest --team shows one team)")
	}
	info, err := e.SweepInfo(hosts)
	if err != nil {
		return nil, nil, cliutil.Exit(err, exitConfig)
	}
	if o.shard != "" {
		info.Shard = &state.Shard{Index: shard.Index, Count: shard.Count}
	}
	store, err := openStore(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	return store, sweep.NewStateSink(store, info), nil
}

// sweepDigest writes the digest of the sweep just recorded (-o digest).
func sweepDigest(ctx context.Context, e *fleetenv.Env, store state.Store, sw state.Sweep, file string, stdout io.Writer) error {
	owners, matcher, err := e.Owners(ctx)
	if err != nil {
		return cliutil.Exit(err, exitConfig)
	}
	d, err := triage.Digest(ctx, store, triage.Owners{File: owners, Matcher: matcher}, "", 0, &sw, time.Now())
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if err := report.WriteOutput(file, stdout, func(w io.Writer) error { return digest.Write(w, d, "markdown") }); err != nil {
		return cli.Exit(fmt.Sprintf("writing digest output: %v", err), 1)
	}
	return nil
}

func newDigestCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:  "digest",
		Usage: "per-team digest from the state store: new, ongoing (age, SLA state) and resolved failures",
		Description: "New means since the team's last delivered digest (or --since, or the last 24 hours);\n" +
			"printing a digest only reads the store.",
		Flags: append(append(inputFlags(), stateFlag(),
			&cli.StringFlag{Name: "team", Usage: "only this team's digest"},
			&cli.StringFlag{Name: "since", Usage: "new and resolved within this `DURATION` (7d, 12h) instead of since each team's last digest"},
			formatFlag("markdown", "markdown", "json", "slack"),
		), postFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cliutil.Usagef("digest takes no arguments (got %q)", c.Args().First())
			}
			return runDigest(c.Context, t, &digestOptions{inputs: readInputs(c), state: c.String("state"),
				team: c.String("team"), since: c.String("since"), format: c.String("output"), post: readPost(c)})
		},
	}
}

// digestOptions are digest's options.
type digestOptions struct {
	inputs                     fleetenv.Inputs
	state, team, since, format string
	post                       deliver.Flags
}

func runDigest(ctx context.Context, t *terminal, o *digestOptions) error {
	if err := cliutil.CheckFormat("-o", o.format, "markdown", "json", "slack"); err != nil {
		return err
	}
	postTimeout, err := o.post.Check()
	if err != nil {
		return cliutil.Usagef("%v", err)
	}
	since, err := digest.ParseSince(o.since)
	if err != nil {
		return cliutil.Usagef("%v", err)
	}
	e, err := loadEnv(o.inputs)
	if err != nil {
		return err
	}
	owners, matcher, err := e.Owners(ctx)
	if err != nil {
		return cliutil.Exit(err, exitConfig)
	}
	if err := checkReportTeam(o.team, owners); err != nil {
		return err
	}
	store, err := requireStore(ctx, e, o.state)
	if err != nil {
		return err
	}
	defer store.Close()
	if o.post.Active() {
		return cliutil.Exit(deliver.Run(ctx, deliver.RunOptions{Store: store, Owners: owners, Config: e.Config,
			DryRun: o.post.DryRun, Timeout: postTimeout, Logger: slog.Default()}, t.Out), 1)
	}
	d, err := triage.Digest(ctx, store, triage.Owners{File: owners, Matcher: matcher}, o.team, since, nil, time.Now())
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if o.format == "slack" {
		return cliutil.Exit(deliver.WriteSlack(t.Out, d), 1)
	}
	return cliutil.Exit(digest.Write(t.Out, d, o.format), 1)
}

func newHistoryCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:      "history",
		Usage:     "a host's failure episodes from the state store: when each began, changed and ended",
		ArgsUsage: "HOST [CHECK]",
		Flags: append(inputFlags(), stateFlag(),
			formatFlag("text", "text", "json"),
		),
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 || c.NArg() > 2 {
				return cliutil.Usagef("history takes HOST and an optional CHECK")
			}
			o := &historyOptions{inputs: readInputs(c), state: c.String("state"), host: c.Args().Get(0), format: c.String("output")}
			if c.NArg() == 2 {
				check := c.Args().Get(1)
				o.check = &check
			}
			return runHistory(c.Context, t, o)
		},
	}
}

// historyOptions are history's options.
type historyOptions struct {
	inputs              fleetenv.Inputs
	state, host, format string
	check               *string
}

func runHistory(ctx context.Context, t *terminal, o *historyOptions) error {
	if err := cliutil.CheckFormat("-o", o.format, "text", "json"); err != nil {
		return err
	}
	e, err := loadEnv(o.inputs)
	if err != nil {
		return err
	}
	store, err := requireStore(ctx, e, o.state)
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
