package main

import (
	"context"
	"slices"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/adhoc"
	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/urfave/cli/v2"
)

// execOptions are exec's options.
type execOptions struct {
	inputs            inputOptions
	conn              connOptions
	query, command    string
	batch, format     string
	sleep             time.Duration
	pct               float64
	force, noProgress bool
}

func newExecCmd(t *terminal) *cli.Command {
	o := &execOptions{}
	return &cli.Command{
		Name:      "exec",
		Usage:     "run an ad-hoc command on the selected hosts; identical outputs grouped under their node set (like cumin)",
		ArgsUsage: "QUERY -- COMMAND",
		Description: "Exit codes: 0 every host succeeded, 1 some failed but --success-percentage was reached, 2 it was missed.\n" +
			"Without --force it runs on more than one host only after the host count is typed at a terminal.",
		Flags: slices.Concat(o.inputs.flags(), o.conn.runnerFlags(), []cli.Flag{
			&cli.StringFlag{Name: "batch-size", Aliases: []string{"b"}, Destination: &o.batch, Usage: "hosts at once, a number or a percentage (sliding window; default: --fanout)"},
			&cli.DurationFlag{Name: "batch-sleep", Aliases: []string{"s"}, Destination: &o.sleep, Usage: "wait between starting one host and the next"},
			&cli.Float64Flag{Name: "success-percentage", Aliases: []string{"p"}, Value: 100, Destination: &o.pct, Usage: "stop scheduling hosts once this success ratio can no longer be reached"},
			formatFlag(&o.format, "text", "json"),
			&cli.BoolFlag{Name: "force", Destination: &o.force, Usage: "do not ask for confirmation"},
			&cli.BoolFlag{Name: "no-progress", Destination: &o.noProgress, Usage: "no progress bar on stderr"},
		}),
		Action: func(c *cli.Context) error {
			if err := o.conn.check(c); err != nil {
				return err
			}
			var err error
			if o.query, o.command, err = adhoc.SplitArgs(c.Args().Slice()); err != nil {
				return cliutil.Usagef("exec: %v", err)
			}
			return runExec(c.Context, t, o)
		},
	}
}

// runExec runs the command on the selected hosts through one runner and
// prints the grouped outputs.
func runExec(ctx context.Context, t *terminal, o *execOptions) error {
	if err := cliutil.CheckFormat("-o", o.format, "text", "json"); err != nil {
		return err
	}
	if err := adhoc.CheckSuccessPct(o.pct); err != nil {
		return cliutil.Usagef("%v", err)
	}
	e, hosts, err := loadHosts(ctx, &o.inputs, o.query)
	if err != nil {
		return err
	}
	rc := e.RunnerConfig(o.conn.Conn)
	batch, err := adhoc.BatchSize(o.batch, len(hosts), rc.Fanout)
	if err != nil {
		return cliutil.Usagef("--batch-size: %v", err)
	}
	if len(hosts) > 1 && !o.force {
		if err := confirm(ctx, t, hosts, o.command); err != nil {
			return err
		}
	}
	r, err := runner.New(rc)
	if err != nil {
		return cli.Exit(err.Error(), exitConfig)
	}
	pool := r.Open(ctx)
	defer pool.Close()
	run := adhoc.Options{Batch: batch, Sleep: o.sleep, SuccessPct: o.pct}
	var bar *report.Progress
	if !o.noProgress && t.ErrTTY && len(hosts) > 1 {
		bar = report.NewProgress(t.Err, len(hosts))
		run.Done = func(r report.ExecResult) { bar.HostDone(!adhoc.Succeeded(r)) }
	}
	results := adhoc.Run(ctx, pool, hosts, o.command, run)
	if bar != nil {
		bar.Finish()
	}
	if err := adhoc.Write(t.Out, o.format, o.command, results, len(hosts), o.pct, t.color()); err != nil {
		return err
	}
	code := adhoc.ExitCode(ctx.Err() != nil, adhoc.Successes(results), len(hosts), o.pct)
	if code == exitInterrupted {
		return cli.Exit("exec: interrupted", code)
	}
	return cliutil.Code(code)
}

// confirm asks for the number of hosts at the terminal, as cumin does;
// with no terminal on stdin it refuses.
func confirm(ctx context.Context, t *terminal, hosts []inventory.Host, command string) error {
	if !t.InTTY {
		return cliutil.Usagef("exec: %d hosts selected and stdin is not a terminal: add --force to run %q on all of them", len(hosts), command)
	}
	err := adhoc.Confirm(ctx, t.In, t.Err, inventory.Names(hosts), command)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return cli.Exit("exec: "+err.Error(), exitInterrupted)
	}
	return cliutil.Usagef("exec: %v", err)
}
