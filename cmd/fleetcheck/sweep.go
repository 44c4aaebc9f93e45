package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/fleetcheck/fleetcheck/state"
	"github.com/urfave/cli/v2"
)

// sweepCmdOptions are sweep's options.
type sweepCmdOptions struct {
	inputs inputOptions
	conn   connOptions
	sweep  sweepOptions
	state  string
	shard  string
}

func newSweepCmd(t *terminal) *cli.Command {
	o := &sweepCmdOptions{}
	return &cli.Command{
		Name:      "sweep",
		Usage:     "run checks on the selected hosts and report failures by owner",
		ArgsUsage: "[QUERY]",
		Description: "QUERY selects hosts (cumin syntax: 'role=cache and dc=dc1', 'web*', 'A:canaries'); none or 'all' selects every host.\n" +
			"With several -o, the last one goes to --output-file (when given) and the others to stdout.",
		Flags: slices.Concat(o.inputs.flags(), o.conn.runnerFlags(), o.sweep.flags("configured checks, else the built-in defaults"), []cli.Flag{
			&cli.StringFlag{Name: "state", Destination: &o.state, Usage: "record the sweep in this state store: an SQLite `FILE` or a postgres:// URL (default: state: in the config)"},
			&cli.StringFlag{Name: "shard", Destination: &o.shard, Usage: "only this runner's share of the hosts, `I/N` (0 <= I < N), stable across runs"},
		}),
		Action: func(c *cli.Context) error {
			o.sweep.query = strings.Join(c.Args().Slice(), " ")
			if err := o.conn.check(c); err != nil {
				return err
			}
			return runSweep(c.Context, t, o)
		},
	}
}

// runSweep plans the sweep of the selected hosts and runs it.
func runSweep(ctx context.Context, t *terminal, o *sweepCmdOptions) error {
	e, hosts, err := loadHosts(ctx, &o.inputs, o.sweep.query)
	if err != nil {
		return err
	}
	if err := o.sweep.check(e.Config.Defaults.Output); err != nil {
		return err
	}
	shard, err := parseShardFlag(o.shard)
	if err != nil {
		return err
	}
	hosts = shard.Filter(hosts)
	cks, err := e.Checks(ctx, o.sweep.checkNames())
	if err != nil {
		return err
	}
	file, owners, err := e.Owners(ctx)
	if err != nil {
		return err
	}
	if err := checkTeam("--team", o.sweep.team, file); err != nil {
		return err
	}
	r, err := runner.New(e.RunnerConfig(o.conn.Conn))
	if err != nil {
		return cli.Exit(err.Error(), exitConfig)
	}
	var attribute sweep.Owners // stays a nil interface without an owners file
	if owners != nil {
		attribute = owners
	}
	if e.StatePath(o.state) != "" && o.sweep.team != "" {
		return cliutil.Usagef("--state records the whole sweep and --team keeps one team's records: drop --team (digest --team shows one team)")
	}
	store, rec, err := e.Recorder(ctx, o.state, inventory.Names(hosts), shard)
	if err != nil {
		return err
	}
	if store == nil && slices.ContainsFunc(o.sweep.outs, func(o sweep.Output) bool { return o.Format == sweep.DigestFormat }) {
		return cliutil.Usagef("-o digest needs the state store: give --state FILE or state: in the config")
	}
	if store != nil {
		defer store.Close()
	}
	return execSweep(ctx, t, sweepJob{env: e, store: store, record: rec, opts: &o.sweep,
		Job: sweep.Job{Query: o.sweep.query, Hosts: len(hosts), Tasks: sweep.Plan(hosts, cks), Checks: cks, Runner: r,
			Owners: attribute, Team: o.sweep.team, GlobalTimeout: e.GlobalTimeout(o.conn.Conn), Shard: shard.Health()},
	})
}

// loadHosts loads the inputs and evaluates q; a query that selects
// nothing is exit 3.
func loadHosts(ctx context.Context, in *inputOptions, q string) (*fleetenv.Env, []inventory.Host, error) {
	e, err := in.load()
	if err != nil {
		return nil, nil, err
	}
	hosts, err := e.SelectSome(ctx, q)
	return e, hosts, err
}

// parseShardFlag reads --shard I/N; the whole fleet (0/1) when not given.
func parseShardFlag(v string) (sweep.Shard, error) {
	if v == "" {
		return sweep.Shard{Index: 0, Count: 1}, nil
	}
	shard, err := sweep.ParseShard(v)
	if err != nil {
		return shard, cliutil.Usagef("--shard: %v", err)
	}
	return shard, nil
}

// sweepJob is a planned sweep (its Sinks are execSweep's) and where its
// results go.
type sweepJob struct {
	sweep.Job
	env    *fleetenv.Env    // for -o digest's owners
	store  state.Store      // nil without --state
	record *sweep.StateSink // records into store
	opts   *sweepOptions    // checked: outs and table (colour and width come from the terminal)
}

// execSweep runs the job, streams NDJSON and progress, writes every output
// (partial results too, marked incomplete) and returns the exit status.
func execSweep(parent context.Context, t *terminal, job sweepJob) error {
	outs, digests := sweep.SplitDigests(job.opts.outs)
	tty := report.FormatOptions{Color: t.color(), Width: t.Width, Table: job.opts.table}
	if job.record != nil {
		tty.Table.Mark = job.record.Mark
	}
	outputs, err := sweep.NewOutputs(outs, t.Out, tty)
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	defer outputs.Abort() // after End this finds nothing left to remove
	var sinks []sweep.Sink
	if job.record != nil {
		// First, so that the sweep is committed before the table (which
		// shows its marks) renders.
		sinks = append(sinks, job.record)
		defer job.record.Abort()
	}
	if !job.opts.noProgress && t.ErrTTY {
		sinks = append(sinks, sweep.ProgressSink(report.NewHostProgress(t.Err, sweep.TaskHosts(job.Tasks))))
	}
	job.Sinks = append(sinks, outputs.Sinks...)
	out, err := sweep.Execute(parent, job.Job)
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	for _, o := range digests {
		sw := job.record.Swept()
		if err := writeDigest(context.WithoutCancel(parent), job.env, job.store, digestQuery{sweep: &sw}, "markdown", o.File, t.Out); err != nil {
			return err
		}
	}
	if !out.Sweep.Complete {
		fmt.Fprintf(t.Err, "fleetcheck: sweep incomplete (%v): partial results reported\n", out.Cause)
	}
	return cliutil.Code(out.ExitCode())
}
