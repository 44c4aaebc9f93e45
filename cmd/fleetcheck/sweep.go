package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/ownership"
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
			&cli.StringFlag{Name: "shard", Usage: "only this runner's share of the hosts, `I/N` (0 <= I < N), stable across runs"},
		),
		Before: checkConnFlags,
		Action: runSweep,
	}
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
		// Found before any host is contacted, not after the sweep.
		f, err := report.CreateAtomic(file)
		if err != nil {
			return nil, usageError("--output-file: cannot create %s: %v", file, errors.Unwrap(err))
		}
		f.Abort()
		outs[len(outs)-1].file = file
	}
	return outs, nil
}

// nothingSelected is the exit-3 error of a query that selects no host: a
// typo must not read as "no failures". With no inventory at all it says so.
func nothingSelected(q string, inventoryHosts int) error {
	if q == "" {
		q = "all"
	}
	msg := fmt.Sprintf("the query %q selects no hosts: nothing was checked (see fleetcheck hosts)", q)
	if inventoryHosts == 0 {
		msg = fmt.Sprintf("no inventory was loaded (give --inventory, or inventory: in the config): the query %q selects no hosts", q)
	}
	return cli.Exit(msg, exitNoVerdict)
}

// checkTeam rejects a --team that the owners file does not define: a typo
// must not read as "no failures for that team".
func checkTeam(team string, f *ownership.File) error {
	if team == "" {
		return nil
	}
	if f == nil {
		return usageError("--team %s: no owners file (give --owners, or owners: in the config)", team)
	}
	if _, ok := f.Team(team); ok {
		return nil
	}
	names := make([]string, len(f.Teams))
	for i, t := range f.Teams {
		names[i] = t.Name
	}
	msg := fmt.Sprintf("--team: no team %q in %s", team, f.Path)
	if s := suggest(team, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return usageError("%s; teams: %s", msg, strings.Join(names, ", "))
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
	q := strings.Join(c.Args().Slice(), " ")
	hosts, err := e.selectHosts(c.Context, q)
	if err != nil {
		return err
	}
	if len(hosts) == 0 {
		return nothingSelected(q, len(e.inv.Hosts))
	}
	if s := c.String("shard"); s != "" {
		shard, err := sweep.ParseShard(s)
		if err != nil {
			return usageError("--shard: %v", err)
		}
		hosts = shard.Filter(hosts)
	}
	var names []string
	for _, v := range c.StringSlice("check") {
		names = append(names, strings.Split(v, ",")...)
	}
	cks, err := e.configuredChecks(c.Context, names)
	if err != nil {
		return err
	}
	file, owners, err := e.owners(c.Context)
	if err != nil {
		return err
	}
	if err := checkTeam(c.String("team"), file); err != nil {
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
		globalTimeout: e.globalTimeout(c), progress: !c.Bool("no-progress"),
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
	stdout        io.Writer
	stderr        io.Writer
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
	if job.progress && isTerminal(job.stderr) {
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
	code := exitFor(worst, errors.Is(parent.Err(), context.Canceled))
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
			opts := report.TableOptions{Color: o.file == "" && isTerminal(job.stdout) && os.Getenv("NO_COLOR") == "", Width: termWidth(job.stdout)}
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

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// termWidth is w's width in columns, 0 when unknown.
func termWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

// worstSeen folds a record into the worst status seen so far. Hosts left
// unchecked by an interruption do not count.
func worstSeen(worst checks.Status, r report.Record) checks.Status {
	if r.ErrorKind == string(runner.KindCanceled) {
		return worst
	}
	return checks.Worst(worst, r.Status)
}

// exitFor is the exit code of SPEC.md for the worst status a sweep saw; an
// interrupted sweep that saw nothing wrong exits 130.
func exitFor(worst checks.Status, interrupted bool) int {
	code := checks.ExitCode(worst)
	if interrupted && code == 0 {
		return exitInterrupted
	}
	return code
}
