package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/urfave/cli/v2"
)

// mergeOptions are the options of merge.
type mergeOptions struct {
	config       string
	files        []string
	out          sweepOptions // -o and --output-file only
	state        string
	maxSkew      time.Duration
	allowPartial bool
}

func newMergeCmd(t *terminal) *cli.Command {
	o := &mergeOptions{}
	return &cli.Command{
		Name:        "merge",
		Usage:       "combine the JSON documents of the shards of one sweep (sweep --shard I/N -o json) into the whole sweep",
		ArgsUsage:   "FILE... ('-' for stdin)",
		Description: "Anything but the shards of one sweep is refused (exit 78); the exit code is the merged sweep's (README: Shards and merge).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Destination: &o.config, Usage: "configuration `FILE` (for defaults.output; default as for sweep)"},
			&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Destination: &o.out.formats, Usage: "output `FORMAT`: table, json, ndjson, prometheus; repeatable"},
			&cli.StringFlag{Name: "output-file", Destination: &o.out.outputFile, Usage: "write the (last) output format to `FILE`, atomically"},
			&cli.StringFlag{Name: "state", Destination: &o.state, Usage: "record the merged sweep as one in this state store: an SQLite `FILE` or a postgres:// URL (default: state: in the config)"},
			&cli.DurationFlag{Name: "max-skew", Value: sweep.DefaultMaxSkew, Destination: &o.maxSkew, Usage: "refuse shards whose starts are further apart than `D` (a stale shard of an earlier run); 0 for no limit"},
			&cli.BoolFlag{Name: "allow-partial", Destination: &o.allowPartial, Usage: "merge the shards given even when some are missing; the sweep is marked incomplete and the missing shards listed"},
		},
		Action: func(c *cli.Context) error {
			o.files = c.Args().Slice()
			return runMerge(c.Context, t, o)
		},
	}
}

// runMerge merges the shard documents and writes the whole sweep.
func runMerge(ctx context.Context, t *terminal, o *mergeOptions) error {
	mo, err := sweep.MergeArgs(o.files, o.maxSkew, o.allowPartial)
	if err != nil {
		return cliutil.Usagef("%v", err)
	}
	home, _ := os.UserHomeDir()
	cfg, err := fleetenv.LoadConfig(o.config, os.Getenv, home)
	if err != nil {
		return err
	}
	if err := o.out.check(cfg.Defaults.Output); err != nil {
		return err
	}
	parts, err := sweep.ReadParts(o.files, t.In)
	if err != nil {
		return cli.Exit(fmt.Sprintf("merge: %v", err), exitConfig)
	}
	whole, err := sweep.Merge(parts, mo)
	if err != nil {
		return cli.Exit(fmt.Sprintf("merge: %v", err), exitConfig)
	}
	if len(whole.MissingShards) > 0 {
		fmt.Fprintf(t.Err, "fleetcheck: merge: partial sweep, missing %s: their hosts are not in the result\n", health.ShardList(whole.MissingShards))
	}
	var sinks []sweep.Sink
	if path := cmp.Or(o.state, cfg.State); path != "" {
		store, err := fleetenv.OpenStore(ctx, path)
		if err != nil {
			return err
		}
		defer store.Close()
		ss := sweep.NewStateSink(store, sweep.MergedInfo(whole))
		defer ss.Abort()
		sinks = append(sinks, ss)
	}
	tty := report.FormatOptions{Color: t.color(), Width: t.Width}
	if err := writeMerged(ctx, whole, o.out.outs, sinks, t.Out, tty); err != nil {
		return cli.Exit(err.Error(), 1)
	}
	return cliutil.Code(health.Summarize(whole).ExitCode())
}

// writeMerged writes the whole sweep to every output after the sinks
// given (the state store records it first).
func writeMerged(ctx context.Context, whole *health.Sweep, outs []sweep.Output, sinks []sweep.Sink, stdout io.Writer, tty report.FormatOptions) error {
	outputs, err := sweep.NewOutputs(outs, stdout, tty)
	if err != nil {
		return err
	}
	defer outputs.Abort()
	return sweep.Replay(ctx, whole, append(sinks, outputs.Sinks...))
}
