package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

var outputFormats = []string{"table", "json", "ndjson", "prometheus", "digest"}

func sweepCommand() *cli.Command {
	return &cli.Command{
		Name:      "sweep",
		Usage:     "run checks on the selected hosts and report failures by owner",
		ArgsUsage: "[QUERY]",
		Description: "QUERY selects hosts (cumin syntax: 'role=cache and dc=dc1', 'web*', 'A:canaries'); none or 'all' selects every host.\n" +
			"With several -o, the last one goes to --output-file (when given) and the others to stdout.",
		Flags: append(append(inputFlags(), runnerFlags()...),
			&cli.StringSliceFlag{Name: "check", Aliases: []string{"c"}, Usage: "checks to run, `NAME[,NAME]` (default: configured checks, else the built-in defaults)"},
			&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `FORMAT`: table, json, ndjson, prometheus; repeatable"},
			&cli.StringFlag{Name: "output-file", Usage: "write the (last) output format to `FILE`, atomically"},
			&cli.StringFlag{Name: "team", Usage: "only this team's failures (the exit code reflects only them)"},
			&cli.StringFlag{Name: "state", Usage: "record the sweep in this SQLite state `FILE` (not yet available)"},
			&cli.BoolFlag{Name: "no-progress", Usage: "no progress bar on stderr"},
			tableFlags[0], tableFlags[1],
			&cli.StringFlag{Name: "shard", Usage: "only this runner's share of the hosts, `I/N` (0 <= I < N), stable across runs"},
		),
		Action: runSweep,
	}
}

// tableFlags tune the table: -v/--verbose and --status.
var tableFlags = [2]cli.Flag{
	&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "table: every exact summary on its own line (no ranges, no folding)"},
	&cli.StringFlag{Name: "status", Usage: "table: only failures at least this bad, `STATUS` (warning, unknown, unreachable, critical)"},
}

// tableOptions reads tableFlags and --team.
func tableOptions(c *cli.Context) (report.TableOptions, error) {
	opts := report.TableOptions{Verbose: c.Bool("verbose"), Team: c.String("team")}
	if v := c.String("status"); v != "" {
		st, err := health.ParseStatus(v)
		if err != nil || st == health.OK {
			return opts, usageError("--status %q: want warning, unknown, unreachable or critical", v)
		}
		opts.MinStatus = st
	}
	return opts, nil
}

// sweepOutput is one requested output: a format and where it goes.
type sweepOutput struct {
	format string
	file   string // "" means stdout
}

// parseOutputs validates -o and --output-file.
func parseOutputs(c *cli.Context, def string) ([]sweepOutput, error) {
	formats := c.StringSlice("output")
	if len(formats) == 0 {
		if def == "" {
			def = "table"
		}
		formats = []string{def}
	}
	var outs []sweepOutput
	for _, f := range formats {
		for _, f := range strings.Split(f, ",") {
			if !slices.Contains(outputFormats, f) {
				return nil, usageError("unknown output format %q (want one of %s)", f, strings.Join(outputFormats, ", "))
			}
			if f == "digest" {
				return nil, usageError("-o digest needs the state store, which is not available yet")
			}
			outs = append(outs, sweepOutput{format: f})
		}
	}
	if file := c.String("output-file"); file != "" {
		outs[len(outs)-1].file = file
	}
	return outs, nil
}

func runSweep(c *cli.Context) error {
	if c.String("state") != "" {
		return usageError("--state: the state store is not available yet")
	}
	e, err := loadEnv(c)
	if err != nil {
		return err
	}
	outs, err := parseOutputs(c, e.cfg.Defaults.Output)
	if err != nil {
		return err
	}
	table, err := tableOptions(c)
	if err != nil {
		return err
	}
	q := strings.Join(c.Args().Slice(), " ")
	hosts, err := e.selectHosts(c.Context, q)
	if err != nil {
		return err
	}
	if len(hosts) == 0 {
		// A typo in a query must not read as "no failures".
		return cli.Exit(fmt.Sprintf("the query %q selects no hosts: nothing was checked (see fleetcheck hosts)", q), exitNoVerdict)
	}
	shard, err := shardFlag(c)
	if err != nil {
		return err
	}
	hosts = shard.Filter(hosts)
	var names []string
	for _, v := range c.StringSlice("check") {
		names = append(names, strings.Split(v, ",")...)
	}
	cks, err := e.configuredChecks(c.Context, names)
	if err != nil {
		return err
	}
	_, owners, err := e.owners(c.Context)
	if err != nil {
		return err
	}
	r, err := runner.New(e.runnerConfig(c))
	if err != nil {
		return configError(err)
	}
	var attribute sweep.Owners // stays a nil interface without an owners file
	if owners != nil {
		attribute = owners
	}
	return execSweep(c.Context, sweepJob{
		query: q, hosts: len(hosts), tasks: sweep.Plan(hosts, cks), checks: cks,
		runner: r, owners: attribute, outs: outs, team: c.String("team"),
		globalTimeout: e.globalTimeout(c), progress: !c.Bool("no-progress"), table: table,
		shard:  shard.Health(),
		stdout: c.App.Writer, stderr: c.App.ErrWriter,
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
	progress      bool
	table         report.TableOptions // Verbose, MinStatus and Team; colour and width come from stdout
	shard         *health.Shard
	stdout        io.Writer
	stderr        io.Writer
}

// execSweep runs the job, streams NDJSON and progress, writes every output
// (partial results too, marked incomplete) and returns the exit status.
func execSweep(parent context.Context, job sweepJob) error {
	outs := make([]sweep.Output, len(job.outs))
	for i, o := range job.outs {
		outs[i] = sweep.Output{Format: o.format, File: o.file}
	}
	tty := report.FormatOptions{Color: isTerminal(job.stdout) && os.Getenv("NO_COLOR") == "", Width: termWidth(job.stdout), Table: job.table}
	outputs, err := sweep.NewOutputs(outs, job.stdout, tty)
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	defer outputs.Abort() // after End this finds nothing left to remove
	var sinks []sweep.Sink
	if job.progress && isTerminal(job.stderr) {
		names := make([]string, len(job.tasks))
		for i, t := range job.tasks {
			names[i] = t.Host.Name
		}
		sinks = append(sinks, sweep.ProgressSink(report.NewHostProgress(job.stderr, names)))
	}
	out, err := sweep.Execute(parent, sweep.Job{
		Query: job.query, Hosts: job.hosts, Tasks: job.tasks, Checks: job.checks,
		Runner: job.runner, Owners: job.owners, Team: job.team, GlobalTimeout: job.globalTimeout,
		Sinks: append(sinks, outputs.Sinks...), Shard: job.shard,
	})
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if !out.Sweep.Complete {
		fmt.Fprintf(job.stderr, "fleetcheck: sweep incomplete (%v): partial results reported\n", out.Cause)
	}
	if code := out.ExitCode(); code != 0 {
		return cli.Exit("", code)
	}
	return nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// termWidth is w's width in columns: the terminal's, else $COLUMNS (so
// that piped output can be sized), else 0 (unknown).
func termWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 0
}
