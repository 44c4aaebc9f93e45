package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
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
			&cli.StringFlag{Name: "state", Usage: "record the sweep in this SQLite state `FILE` (not yet available)"},
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
	conn   connOptions
	sweep  sweepOptions
	state  string
	shard  string
}

// runSweep plans the sweep of the selected hosts and runs it.
func runSweep(ctx context.Context, t *terminal, o *sweepCmdOptions) error {
	if o.state != "" {
		return usageError("--state: the state store is not available yet")
	}
	e, hosts, err := loadHosts(ctx, o.inputs, o.sweep.query)
	if err != nil {
		return err
	}
	outs, err := o.sweep.outputs(e.Config.Defaults.Output)
	if err != nil {
		return err
	}
	if o.shard != "" {
		shard, err := sweep.ParseShard(o.shard)
		if err != nil {
			return usageError("--shard: %v", err)
		}
		hosts = shard.Filter(hosts)
	}
	cks, err := e.Checks(ctx, o.sweep.checks)
	if err != nil {
		return inputError(err)
	}
	file, owners, err := e.Owners(ctx)
	if err != nil {
		return inputError(err)
	}
	if err := checkTeam("--team", o.sweep.team, file); err != nil {
		return err
	}
	r, err := runner.New(o.conn.runnerConfig(e.Config))
	if err != nil {
		return cli.Exit(err.Error(), exitConfig)
	}
	var attribute sweep.Owners // stays a nil interface without an owners file
	if owners != nil {
		attribute = owners
	}
	return execSweep(ctx, sweepJob{
		query: o.sweep.query, hosts: len(hosts), tasks: sweep.Plan(hosts, cks), checks: cks,
		runner: r, owners: attribute, outs: outs, team: o.sweep.team,
		globalTimeout: o.conn.globalTimeoutFor(e.Config), progress: o.sweep.progress && t.ErrTTY,
		stdout: t.Out, stderr: t.Err, color: t.color(), width: t.Width,
	})
}

// sweepJob is a planned sweep and where its results go.
type sweepJob struct {
	query         string
	hosts         int
	tasks         []runner.Task
	checks        []sweep.Check
	runner        sweep.Runner
	owners        sweep.Owners
	outs          []sweepOutput
	team          string
	globalTimeout time.Duration
	progress      bool // draw the progress bar (stderr is a terminal)
	stdout        io.Writer
	stderr        io.Writer
	color         bool // stdout may be coloured
	width         int  // stdout's columns, 0 when unknown
}

// execSweep runs the job, streams NDJSON and progress, writes every output
// (partial results too, marked incomplete) and returns the exit status.
func execSweep(parent context.Context, job sweepJob) error {
	ctx := parent
	if job.globalTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(parent, job.globalTimeout)
		defer cancel()
	}
	names := make([]string, len(job.checks))
	for i, ck := range job.checks {
		names[i] = ck.Check.Name()
	}
	s := &report.Sweep{Query: job.query, Checks: names, Hosts: job.hosts, Started: time.Now()}

	var streams []*report.NDJSON
	var files []*report.AtomicFile // streamed output files, renamed into place at the end
	defer func() {
		for _, f := range files {
			f.Abort() // after a Commit this finds nothing left to remove
		}
	}()
	for _, o := range job.outs {
		if o.format != "ndjson" {
			continue
		}
		w := job.stdout
		if o.file != "" {
			f, err := report.CreateAtomic(o.file)
			if err != nil {
				return cli.Exit(fmt.Sprintf("output file: %v", err), 1)
			}
			files = append(files, f)
			w = f
		}
		streams = append(streams, report.NewNDJSON(w))
	}

	var bar *report.Progress
	if job.progress {
		bar = report.NewProgress(job.stderr, len(job.tasks))
	}
	records := make(chan report.Record, 256)
	errc := make(chan error, 1)
	go func() { errc <- sweep.Run(ctx, job.runner, job.tasks, job.checks, job.owners, records) }()
	// Only the formats rendered at the end need every record; an
	// NDJSON-only sweep streams them and keeps none, so its memory stays flat.
	keep := slices.ContainsFunc(job.outs, func(o sweepOutput) bool { return o.format != "ndjson" })
	worst := checks.OK
	hostFailed := map[string]bool{}
	remaining := map[string]int{}
	for _, t := range job.tasks {
		remaining[t.Host.Name] = len(t.Commands)
	}
	for rec := range records {
		if job.team != "" && (rec.Owner == nil || rec.Owner.Team != job.team) {
			rec = report.Record{} // counted for progress only
		} else {
			worst = worstSeen(worst, rec)
			if keep {
				s.Results = append(s.Results, rec)
			}
			for _, n := range streams {
				if err := n.Result(rec); err != nil {
					return cli.Exit(fmt.Sprintf("writing ndjson: %v", err), 1)
				}
			}
		}
		if bar != nil && rec.Host != "" {
			hostFailed[rec.Host] = hostFailed[rec.Host] || rec.Status != checks.OK
			if remaining[rec.Host]--; remaining[rec.Host] == 0 {
				bar.HostDone(hostFailed[rec.Host])
			}
		}
	}
	runErr := <-errc
	if bar != nil {
		bar.Finish()
	}
	s.Finished = time.Now()
	s.Complete = runErr == nil && ctx.Err() == nil
	for _, n := range streams {
		if err := n.Summary(s); err != nil {
			return cli.Exit(fmt.Sprintf("writing ndjson: %v", err), 1)
		}
	}
	for _, f := range files {
		if err := f.Commit(); err != nil {
			return cli.Exit(fmt.Sprintf("output file: %v", err), 1)
		}
	}
	if err := writeOutputs(job, s); err != nil {
		return err
	}
	code := health.ExitCode(worst, health.EndingOf(s.Complete, errors.Is(parent.Err(), context.Canceled)))
	if !s.Complete {
		fmt.Fprintf(job.stderr, "fleetcheck: sweep incomplete (%v): partial results reported\n", context.Cause(ctx))
	}
	if code != 0 {
		return cli.Exit("", code)
	}
	return nil
}

// writeOutputs renders the finished sweep in every non-streamed format.
func writeOutputs(job sweepJob, s *report.Sweep) error {
	for _, o := range job.outs {
		var render func(io.Writer) error
		switch o.format {
		case "table":
			opts := report.TableOptions{Color: o.file == "" && job.color, Width: job.width}
			render = func(w io.Writer) error { return report.Table(w, s, opts) }
		case "json":
			render = func(w io.Writer) error { return report.JSON(w, s) }
		case "prometheus":
			render = func(w io.Writer) error { return report.Prometheus(w, s) }
		default:
			continue
		}
		var err error
		if o.file != "" {
			err = report.WriteFileAtomic(o.file, render)
		} else {
			err = render(job.stdout)
		}
		if err != nil {
			return cli.Exit(fmt.Sprintf("writing %s output: %v", o.format, err), 1)
		}
	}
	return nil
}

// worstSeen folds a record into the worst status seen so far. Hosts left
// unchecked by an interruption do not count.
func worstSeen(worst checks.Status, r report.Record) checks.Status {
	if !r.IsVerdict() {
		return worst
	}
	return checks.Worst(worst, r.Status)
}
