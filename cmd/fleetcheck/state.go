package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/state"
	"github.com/urfave/cli/v2"
)

// stateFlag is --state, shared by sweep, digest and history.
func stateFlag() cli.Flag {
	return &cli.StringFlag{Name: "state", Usage: "the SQLite state `FILE` (default: state: in the config)"}
}

// statePath is --state, else the config's state:.
func (e *env) statePath(c *cli.Context) string {
	if v := c.String("state"); v != "" {
		return v
	}
	return e.cfg.State
}

// openStore opens the state store at path: a missing or unusable one is a
// configuration error (78), a locked one waits the busy timeout.
func openStore(ctx context.Context, path string) (*state.SQLite, error) {
	if strings.Contains(path, "://") {
		return nil, usageError("--state %s: only SQLite files are supported so far (PostgreSQL is not available yet)", path)
	}
	s, err := state.Open(ctx, path, state.Options{})
	if err != nil {
		return nil, configError(err)
	}
	return s, nil
}

// stateSink records the sweep into the store as its records come, and
// remembers what the history makes of each failure for the table.
type stateSink struct {
	store state.Store
	info  state.SweepInfo
	rec   state.Recording
	marks map[[2]string]state.Mark // failures only: memory grows with them, not with the hosts
	swept state.Sweep
	done  bool
}

// Begin starts the recording; a store locked by another sweep fails here,
// before any host is contacted.
func (ss *stateSink) Begin(ctx context.Context, s *health.Sweep) error {
	ss.info.Query, ss.info.Checks, ss.info.Started = s.Query, s.Checks, s.Started
	r, err := ss.store.Begin(ctx, ss.info)
	if err != nil {
		return err
	}
	ss.rec, ss.marks = r, map[[2]string]state.Mark{}
	return nil
}

// Record adds one record to the recording.
func (ss *stateSink) Record(ctx context.Context, r health.Record) error {
	m, err := ss.rec.Add(ctx, r)
	if err != nil {
		return err
	}
	if r.Status != health.OK && !m.FirstSeen.IsZero() {
		ss.marks[[2]string{r.Host, r.Check}] = m
	}
	return nil
}

// End commits the sweep: an interrupted one too, with what it finished.
func (ss *stateSink) End(ctx context.Context, s *health.Sweep) error {
	sw, err := ss.rec.Commit(ctx, state.SweepEnd{Finished: s.Finished, Complete: s.Complete})
	if err != nil {
		return err
	}
	ss.swept, ss.done = sw, true
	return nil
}

// abort drops an unfinished recording (a sink failed, End never came).
func (ss *stateSink) abort() {
	if ss.rec != nil && !ss.done {
		ss.rec.Abort() //nolint:errcheck // the error that stopped the sweep is the one reported
	}
}

// mark is the table's mark of a failure: new, or ongoing with its age.
func (ss *stateSink) mark(host, check string) string {
	m, ok := ss.marks[[2]string{host, check}]
	if !ok {
		return ""
	}
	if m.New {
		return "new"
	}
	return "ongoing " + duration.Human(time.Since(m.FirstSeen))
}

// sweepState prepares recording for sweep: the store, and what it must
// know of the inventory and configuration to tell gone from fixed.
func (e *env) sweepState(ctx context.Context, c *cli.Context, hosts []string) (*state.SQLite, *stateSink, error) {
	path := e.statePath(c)
	if path == "" {
		return nil, nil, nil
	}
	if c.String("team") != "" {
		return nil, nil, usageError("--state records the whole sweep and --team keeps one team's records: drop --team (digest --team shows one team)")
	}
	configured, err := e.configuredChecks(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(configured))
	for i, ck := range configured {
		names[i] = ck.Check.Name()
	}
	info := state.SweepInfo{Hosts: hosts, Configured: names}
	if e.inv != nil && len(e.inv.Hosts) > 0 {
		// Hosts swept without being in the inventory (D{...}) are not gone.
		info.Inventory = append(e.inv.Names(), hosts...)
	}
	if s := c.String("shard"); s != "" {
		if sh, err := sweep.ParseShard(s); err == nil { // runSweep already refused a bad one
			info.Shard = &state.Shard{Index: sh.Index, Count: sh.Count}
		}
	}
	store, err := openStore(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	return store, &stateSink{store: store, info: info}, nil
}

// digestInput reads what a digest is made of: the episodes open or ended
// in any team's window, each team's window (since its last delivered
// digest, or --since, or digest.DefaultWindow), and the owners' SLAs.
func digestInput(ctx context.Context, store state.Store, owners *ownership.File, team string, since time.Duration, now time.Time) (digest.Input, error) {
	in := digest.Input{Now: now, Team: team}
	windows := map[string]time.Time{}
	earliest := now.Add(-digest.DefaultWindow)
	if since > 0 {
		earliest = now.Add(-since)
	} else {
		teams := []string{health.UnownedTeam}
		if owners != nil {
			teams = append(teams, owners.Fallback)
			for _, t := range owners.Teams {
				teams = append(teams, t.Name)
			}
		}
		for _, t := range teams {
			d, ok, err := store.LastDelivered(ctx, t)
			if err != nil {
				return in, err
			}
			if ok {
				windows[t] = d.At
				if d.At.Before(earliest) {
					earliest = d.At
				}
			}
		}
	}
	in.Since = func(team string) time.Time {
		if since > 0 {
			return now.Add(-since)
		}
		if at, ok := windows[team]; ok {
			return at
		}
		return now.Add(-digest.DefaultWindow)
	}
	if owners != nil {
		in.SLA = func(name string, s health.Status) time.Duration {
			t, _ := owners.Team(name)
			return ownership.ResolveSLA(t.SLA, owners.SLA, s)
		}
	}
	var err error
	if in.Episodes, err = store.Episodes(ctx, state.EpisodeFilter{Since: earliest}); err != nil {
		return in, err
	}
	return in, nil
}

// writeDigest renders d as format ("markdown" or "json").
func writeDigest(w io.Writer, d digest.Digest, format string) error {
	if format == "json" {
		return digest.JSON(w, d)
	}
	return digest.Markdown(w, d)
}

// sweepDigest writes the digest of the sweep just recorded (-o digest).
func sweepDigest(ctx context.Context, e *env, store state.Store, sw state.Sweep, file string, stdout io.Writer) error {
	owners, _, err := e.owners(ctx)
	if err != nil {
		return err
	}
	in, err := digestInput(ctx, store, owners, "", 0, time.Now())
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	in.Sweep = &sw
	d := digest.Make(in)
	render := func(w io.Writer) error { return writeDigest(w, d, "markdown") }
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

func digestCommand() *cli.Command {
	return &cli.Command{
		Name:  "digest",
		Usage: "per-team digest from the state store: new, ongoing (age, SLA state) and resolved failures",
		Description: "New means since the team's last delivered digest (or --since, or the last 24 hours);\n" +
			"printing a digest only reads the store.",
		Flags: append(inputFlags(), stateFlag(),
			&cli.StringFlag{Name: "team", Usage: "only this team's digest"},
			&cli.StringFlag{Name: "since", Usage: "new and resolved within this `DURATION` (7d, 12h) instead of since each team's last digest"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "markdown", Usage: "output `FORMAT`: markdown or json"},
		),
		Action: runDigest,
	}
}

func runDigest(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageError("digest takes no arguments (got %q)", c.Args().First())
	}
	format := c.String("output")
	if format != "markdown" && format != "json" {
		return usageError("-o %s: digest writes markdown or json", format)
	}
	var since time.Duration
	if v := c.String("since"); v != "" {
		d, err := duration.Parse(v)
		if err != nil || d == 0 {
			return usageError("--since %q: %v", v, cmpErr(err, "want a duration above 0 such as 12h or 7d"))
		}
		since = d
	}
	e, err := loadEnv(c)
	if err != nil {
		return err
	}
	owners, _, err := e.owners(c.Context)
	if err != nil {
		return err
	}
	team := c.String("team")
	if err := checkTeam(owners, team); err != nil {
		return err
	}
	store, err := e.requireStore(c)
	if err != nil {
		return err
	}
	defer store.Close()
	in, err := digestInput(c.Context, store, owners, team, since, time.Now())
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if sweeps, err := store.Sweeps(c.Context, 1); err == nil && len(sweeps) == 1 {
		in.Sweep = &sweeps[0]
	}
	if err := writeDigest(c.App.Writer, digest.Make(in), format); err != nil {
		return cli.Exit(err.Error(), 1)
	}
	return nil
}

// checkTeam refuses a --team the owners file does not define (64).
func checkTeam(owners *ownership.File, team string) error {
	if team == "" || team == health.UnownedTeam {
		return nil
	}
	if owners == nil {
		return usageError("--team %s: no owners file is configured, so every failure is %s", team, health.UnownedTeam)
	}
	if _, ok := owners.Team(team); ok || team == owners.Fallback {
		return nil
	}
	names := make([]string, 0, len(owners.Teams))
	for _, t := range owners.Teams {
		names = append(names, t.Name)
	}
	slices.Sort(names)
	return usageError("--team %s: the owners file %s defines no such team (teams: %s)", team, owners.Path, strings.Join(names, ", "))
}

func cmpErr(err error, fallback string) string {
	if err != nil {
		return err.Error()
	}
	return fallback
}

// requireStore opens the store that digest and history read: it must exist.
func (e *env) requireStore(c *cli.Context) (*state.SQLite, error) {
	path := e.statePath(c)
	if path == "" {
		return nil, usageError("no state store: give --state FILE or state: in the config")
	}
	if !strings.Contains(path, "://") {
		if _, err := os.Stat(path); err != nil {
			return nil, configError(fmt.Errorf("state %s: %w (record sweeps with sweep --state first)", path, err))
		}
	}
	return openStore(c.Context, path)
}

func historyCommand() *cli.Command {
	return &cli.Command{
		Name:      "history",
		Usage:     "a host's failure episodes from the state store: when each began, changed and ended",
		ArgsUsage: "HOST [CHECK]",
		Flags: append(inputFlags(), stateFlag(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output `FORMAT`: text or json"},
		),
		Action: runHistory,
	}
}

func runHistory(c *cli.Context) error {
	if c.NArg() < 1 || c.NArg() > 2 {
		return usageError("history takes HOST and an optional CHECK")
	}
	format := c.String("output")
	if format != "text" && format != "json" {
		return usageError("-o %s: history writes text or json", format)
	}
	e, err := loadEnv(c)
	if err != nil {
		return err
	}
	store, err := e.requireStore(c)
	if err != nil {
		return err
	}
	defer store.Close()
	host := c.Args().Get(0)
	f := state.EpisodeFilter{Host: host}
	if c.NArg() == 2 {
		check := c.Args().Get(1)
		f.Check = &check
	}
	eps, err := store.Episodes(c.Context, f)
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if len(eps) == 0 && e.inv != nil && len(e.inv.Hosts) > 0 {
		if _, ok := e.inv.Lookup(host); !ok {
			return usageError("history: no host %q in the inventory and none in the history", host)
		}
	}
	h := digest.MakeHistory(host, f.Check, eps, time.Now())
	if format == "json" {
		err = digest.HistoryJSON(c.App.Writer, h)
	} else {
		err = digest.HistoryText(c.App.Writer, h)
	}
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	return nil
}
