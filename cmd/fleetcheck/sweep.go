package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/fleetcheck/fleetcheck/state"
	"github.com/urfave/cli/v2"
)

func newSweepCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:      "sweep",
		Usage:     "run checks on the selected hosts and report failures by owner",
		ArgsUsage: "[QUERY]",
		Description: "QUERY selects hosts (cumin syntax: 'role=cache and dc=dc1', 'web*', 'A:canaries'); none or 'all' selects every host.\n" +
			"With several -o, the last one goes to --output-file (when given) and the others to stdout.",
		Flags: slices.Concat(inputFlags(), runnerFlags(), sweepFlags("configured checks, else the built-in defaults"), []cli.Flag{
			&cli.StringFlag{Name: "state", Usage: "record the sweep in this SQLite state `FILE` (default: state: in the config)"},
			&cli.StringFlag{Name: "shard", Usage: "only this runner's share of the hosts, `I/N` (0 <= I < N), stable across runs"},
		}),
		Action: func(c *cli.Context) error {
			conn, err := readConn(c)
			if err != nil {
				return err
			}
			return runSweep(c.Context, t, &sweepCmdOptions{
				inputs: readInputs(c), conn: conn, sweep: readSweep(c),
				state: c.String("state"), shard: c.String("shard"),
			})
		},
	}
}

// sweepCmdOptions are sweep's options.
type sweepCmdOptions struct {
	inputs fleetenv.Inputs
	conn   fleetenv.Conn
	sweep  sweepOptions
	state  string
	shard  string
}

// runSweep plans the sweep of the selected hosts and runs it.
func runSweep(ctx context.Context, t *terminal, o *sweepCmdOptions) error {
	e, hosts, err := loadHosts(ctx, o.inputs, o.sweep.query)
	if err != nil {
		return err
	}
	outs, err := o.sweep.outputs(e.Config.Defaults.Output)
	if err != nil {
		return err
	}
	table, err := o.sweep.table()
	if err != nil {
		return err
	}
	shard, err := parseShardFlag(o.shard)
	if err != nil {
		return err
	}
	hosts = shard.Filter(hosts)
	cks, err := e.Checks(ctx, o.sweep.checks)
	if err != nil {
		return cliutil.Exit(err, exitConfig)
	}
	file, owners, err := e.Owners(ctx)
	if err != nil {
		return cliutil.Exit(err, exitConfig)
	}
	if err := checkTeam("--team", o.sweep.team, file); err != nil {
		return err
	}
	r, err := runner.New(e.RunnerConfig(o.conn))
	if err != nil {
		return cli.Exit(err.Error(), exitConfig)
	}
	var attribute sweep.Owners // stays a nil interface without an owners file
	if owners != nil {
		attribute = owners
	}
	store, rec, err := sweepState(ctx, e, o, shard, inventory.Names(hosts))
	if err != nil {
		return err
	}
	if store == nil && slices.ContainsFunc(outs, func(o sweep.Output) bool { return o.Format == sweep.DigestFormat }) {
		return cliutil.Usagef("-o digest needs the state store: give --state FILE or state: in the config")
	}
	if store != nil {
		defer store.Close()
	}
	return execSweep(ctx, t, sweepJob{env: e, store: store, record: rec, outs: outs, progress: o.sweep.progress, table: table,
		Job: sweep.Job{Query: o.sweep.query, Hosts: len(hosts), Tasks: sweep.Plan(hosts, cks), Checks: cks, Runner: r,
			Owners: attribute, Team: o.sweep.team, GlobalTimeout: e.GlobalTimeout(o.conn), Shard: shard.Health()},
	})
}

// sweepJob is a planned sweep (its Sinks are execSweep's) and where its
// results go.
type sweepJob struct {
	sweep.Job
	env      *fleetenv.Env
	store    state.Store      // nil without --state
	record   *sweep.StateSink // records into store
	outs     []sweep.Output
	progress bool                // unless --no-progress: drawn when stderr is a terminal
	table    report.TableOptions // Verbose, MinStatus and Team; colour and width come from the terminal
}

// execSweep runs the job, streams NDJSON and progress, writes every output
// (partial results too, marked incomplete) and returns the exit status.
func execSweep(parent context.Context, t *terminal, job sweepJob) error {
	outs, digests := sweep.SplitDigests(job.outs)
	tty := report.FormatOptions{Color: t.color(), Width: t.Width, Table: job.table}
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
	if job.progress && t.ErrTTY {
		sinks = append(sinks, sweep.ProgressSink(report.NewHostProgress(t.Err, sweep.TaskHosts(job.Tasks))))
	}
	job.Sinks = append(sinks, outputs.Sinks...)
	out, err := sweep.Execute(parent, job.Job)
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	for _, o := range digests {
		if err := sweepDigest(context.WithoutCancel(parent), job.env, job.store, job.record.Swept(), o.File, t.Out); err != nil {
			return err
		}
	}
	if !out.Sweep.Complete {
		fmt.Fprintf(t.Err, "fleetcheck: sweep incomplete (%v): partial results reported\n", out.Cause)
	}
	return cliutil.Code(out.ExitCode())
}
