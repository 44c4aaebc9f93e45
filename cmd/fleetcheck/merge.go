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

func newMergeCmd(t *terminal) *cli.Command {
	return &cli.Command{
		Name:        "merge",
		Usage:       "combine the JSON documents of the shards of one sweep (sweep --shard I/N -o json) into the whole sweep",
		ArgsUsage:   "FILE... ('-' for stdin)",
		Description: "Anything but the shards of one sweep is refused (exit 78); the exit code is the merged sweep's (README: Shards and merge).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Usage: "configuration `FILE` (for defaults.output; default as for sweep)"},
			&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `FORMAT`: table, json, ndjson, prometheus; repeatable"},
			&cli.StringFlag{Name: "output-file", Usage: "write the (last) output format to `FILE`, atomically"},
			&cli.StringFlag{Name: "state", Usage: "record the merged sweep as one in this state `FILE` (default: state: in the config)"},
			&cli.DurationFlag{Name: "max-skew", Value: sweep.DefaultMaxSkew, Usage: "refuse shards whose starts are further apart than `D` (a stale shard of an earlier run); 0 for no limit"},
			&cli.BoolFlag{Name: "allow-partial", Usage: "merge the shards given even when some are missing; the sweep is marked incomplete and the missing shards listed"},
		},
		Action: func(c *cli.Context) error {
			return runMerge(c.Context, t, &mergeOptions{
				config: c.String("config"), files: c.Args().Slice(),
				out:   sweepOptions{formats: c.StringSlice("output"), outputFile: c.String("output-file")},
				state: c.String("state"), maxSkew: c.Duration("max-skew"), allowPartial: c.Bool("allow-partial"),
			})
		},
	}
}

// mergeOptions are the options of merge.
type mergeOptions struct {
	config       string
	files        []string
	out          sweepOptions // -o and --output-file only
	state        string
	maxSkew      time.Duration
	allowPartial bool
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
		return cli.Exit(err.Error(), exitConfig)
	}
	outs, err := o.out.outputs(cfg.Defaults.Output)
	if err != nil {
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
		store, err := openStore(ctx, path)
		if err != nil {
			return err
		}
		defer store.Close()
		ss := sweep.NewStateSink(store, sweep.MergedInfo(whole))
		defer ss.Abort()
		sinks = append(sinks, ss)
	}
	tty := report.FormatOptions{Color: t.color(), Width: t.Width}
	if err := writeMerged(ctx, whole, outs, sinks, t.Out, tty); err != nil {
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

// parseShardFlag reads --shard I/N; the whole fleet (0/1) when not given.
func parseShardFlag(v string) (sweep.Shard, error) {
	if v == "" {
		return sweep.Shard{Index: 0, Count: 1}, nil
	}
	shard, err := sweep.ParseShard(v)
	if err != nil {
		return sweep.Shard{}, cliutil.Usagef("--shard: %v", err)
	}
	return shard, nil
}
