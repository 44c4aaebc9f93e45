package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/internal/triage"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/state"
	"github.com/urfave/cli/v2"
)

// stateFlag is --state, shared by sweep, digest and history.
func stateFlag() cli.Flag {
	return &cli.StringFlag{Name: "state", Usage: "the state store: an SQLite `FILE` or a postgres:// URL (default: state: in the config)"}
}

// statePath is --state (flag), else the config's state:.
func statePath(e *fleetenv.Env, flag string) string {
	return cmp.Or(flag, e.Config.State)
}

// openStore opens the state store at path, an SQLite file or a
// postgres:// URL: a missing or unusable one is a configuration error
// (78), a locked one waits the busy timeout.
func openStore(ctx context.Context, path string) (*state.DB, error) {
	if strings.Contains(path, "://") && !state.IsPostgresURL(path) {
		return nil, usageError("--state %s: expected an SQLite file or a postgres:// URL", state.RedactURL(path))
	}
	s, err := state.OpenAny(ctx, path, state.Options{})
	if err != nil {
		return nil, cli.Exit(err.Error(), exitConfig)
	}
	return s, nil
}

// sweepState prepares recording for the sweep of hosts: the store, and
// what it must know of the inventory and configuration to tell gone from
// fixed. Without --state or state: it returns nils.
func sweepState(ctx context.Context, e *fleetenv.Env, o *sweepCmdOptions, hosts []string) (*state.DB, *sweep.StateSink, error) {
	path := statePath(e, o.state)
	if path == "" {
		return nil, nil, nil
	}
	if o.sweep.team != "" {
		return nil, nil, usageError("--state records the whole sweep and --team keeps one team's records: drop --team (digest --team shows one team)")
	}
	info, err := e.SweepInfo(hosts)
	if err != nil {
		return nil, nil, inputError(err)
	}
	if o.shard != "" {
		if sh, err := sweep.ParseShard(o.shard); err == nil { // runSweep already refused a bad one
			info.Shard = &state.Shard{Index: sh.Index, Count: sh.Count}
		}
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
		return inputError(err)
	}
	in, err := digest.ReadInput(ctx, store, owners, "", 0, time.Now())
	if err == nil {
		err = triage.AddBudgets(ctx, &in, store, triage.Owners{File: owners, Matcher: matcher})
	}
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	in.Sweep = &sw
	d := digest.Make(in)
	render := func(w io.Writer) error { return digest.Write(w, d, "markdown") }
	if file != "" {
		err = report.WriteFileAtomic(file, render)
	} else {
		err = render(stdout)
	}
	if err != nil {
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
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "markdown", Usage: "output `FORMAT`: markdown or json"},
		), postFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError("digest takes no arguments (got %q)", c.Args().First())
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
	post                       postOptions
}

func runDigest(ctx context.Context, t *terminal, o *digestOptions) error {
	if o.format != "markdown" && o.format != "json" {
		return usageError("-o %s: digest writes markdown or json", o.format)
	}
	if err := o.post.check(o); err != nil {
		return err
	}
	var since time.Duration
	if o.since != "" {
		d, err := duration.Parse(o.since)
		if err != nil || d == 0 {
			return usageError("--since %q: %v", o.since, cmpErr(err, "want a duration above 0 such as 12h or 7d"))
		}
		since = d
	}
	e, err := loadEnv(o.inputs)
	if err != nil {
		return err
	}
	owners, matcher, err := e.Owners(ctx)
	if err != nil {
		return inputError(err)
	}
	if o.team != health.UnownedTeam && (owners == nil || o.team != owners.Fallback) {
		if err := checkTeam("--team", o.team, owners); err != nil {
			return err
		}
	}
	store, err := requireStore(ctx, e, o.state)
	if err != nil {
		return err
	}
	defer store.Close()
	if o.post.post || o.post.dryRun {
		return runPost(ctx, t, e, owners, store, &o.post)
	}
	in, err := digest.ReadInput(ctx, store, owners, o.team, since, time.Now())
	if err == nil {
		err = triage.AddBudgets(ctx, &in, store, triage.Owners{File: owners, Matcher: matcher})
	}
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if sweeps, err := store.Sweeps(ctx, 1); err == nil && len(sweeps) == 1 {
		in.Sweep = &sweeps[0]
	}
	if err := digest.Write(t.Out, digest.Make(in), o.format); err != nil {
		return cli.Exit(err.Error(), 1)
	}
	return nil
}

func cmpErr(err error, fallback string) string {
	if err != nil {
		return err.Error()
	}
	return fallback
}

// requireStore opens the store that digest and history read: it must exist.
func requireStore(ctx context.Context, e *fleetenv.Env, flag string) (*state.DB, error) {
	path := statePath(e, flag)
	if path == "" {
		return nil, usageError("no state store: give --state FILE or state: in the config")
	}
	if !strings.Contains(path, "://") {
		if _, err := os.Stat(path); err != nil {
			return nil, cli.Exit(fmt.Sprintf("state %s: %v (record sweeps with sweep --state first)", path, err), exitConfig)
		}
	}
	return openStore(ctx, path)
}

func newHistoryCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:      "history",
		Usage:     "a host's failure episodes from the state store: when each began, changed and ended",
		ArgsUsage: "HOST [CHECK]",
		Flags: append(inputFlags(), stateFlag(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output `FORMAT`: text or json"},
		),
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 || c.NArg() > 2 {
				return usageError("history takes HOST and an optional CHECK")
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
	if o.format != "text" && o.format != "json" {
		return usageError("-o %s: history writes text or json", o.format)
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
			return usageError("history: no host %q in the inventory and none in the history", o.host)
		}
	}
	h := digest.MakeHistory(o.host, o.check, eps, time.Now())
	if o.format == "json" {
		err = digest.HistoryJSON(t.Out, h)
	} else {
		err = digest.HistoryText(t.Out, h)
	}
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	return nil
}
