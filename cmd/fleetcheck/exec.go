package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/urfave/cli/v2"
)

func execCommand() *cli.Command {
	return &cli.Command{
		Name:      "exec",
		Usage:     "run an ad-hoc command on the selected hosts; identical outputs grouped under their node set (like cumin)",
		ArgsUsage: "QUERY -- COMMAND",
		Description: "Everything before -- is the query (cumin syntax), everything after it the command.\n" +
			"Exit codes: 0 every host succeeded, 1 the success ratio reached --success-percentage but some host failed,\n" +
			"2 the ratio was missed, 64 usage, 78 configuration, 130 interrupted.\n" +
			"Without --force it runs on more than one host only after the host count is typed at a terminal.",
		Flags: append(append(inputFlags(), runnerFlags()...),
			&cli.StringFlag{Name: "batch-size", Aliases: []string{"b"}, Usage: "hosts at once, a number or a percentage (sliding window; default: --fanout)"},
			&cli.DurationFlag{Name: "batch-sleep", Aliases: []string{"s"}, Usage: "wait between starting one host and the next"},
			&cli.Float64Flag{Name: "success-percentage", Aliases: []string{"p"}, Value: 100, Usage: "stop scheduling hosts once this success ratio can no longer be reached"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "`FORMAT`: text or json"},
			&cli.BoolFlag{Name: "force", Usage: "do not ask for confirmation"},
		),
		Before: checkConnFlags,
		Action: runExec,
	}
}

func runExec(c *cli.Context) error {
	q, command, err := execArgs(c.Args().Slice())
	if err != nil {
		return err
	}
	format := c.String("output")
	if format != "text" && format != "json" {
		return usageError("exec: unknown output format %q (want text or json)", format)
	}
	pct := c.Float64("success-percentage")
	if pct < 0 || pct > 100 {
		return usageError("--success-percentage: want 0 to 100, got %v", pct)
	}
	e, err := loadEnv(c)
	if err != nil {
		return err
	}
	hosts, err := e.selectHosts(c.Context, q)
	if err != nil {
		return err
	}
	if len(hosts) == 0 {
		return nothingSelected(q, len(e.inv.Hosts))
	}
	batch, err := batchSize(c.String("batch-size"), len(hosts), c.Int("fanout"))
	if err != nil {
		return usageError("--batch-size: %v", err)
	}
	if len(hosts) > 1 && !c.Bool("force") {
		if err := confirm(c.Context, c.App.Reader, c.App.ErrWriter, hosts, command); err != nil {
			return err
		}
	}
	rc := e.runnerConfig(c)
	rc.Fanout = 1
	r, err := runner.New(rc)
	if err != nil {
		return configError(err)
	}
	results := runBatches(c.Context, r, hosts, command, batch, c.Duration("batch-sleep"), pct)
	ok := 0
	for _, res := range results {
		if res.ErrorKind == "" && res.ExitCode == 0 {
			ok++
		}
	}
	w := c.App.Writer
	if format == "json" {
		err = report.WriteExecJSON(w, results)
	} else {
		err = report.WriteExecGroupsCmd(w, command, results, isTerminal(w) && os.Getenv("NO_COLOR") == "")
		if err == nil {
			err = report.ExecSummary(w, ok, len(hosts), pct)
		}
	}
	if err != nil {
		return err
	}
	return execExit(c.Context, ok, len(hosts), pct)
}

// execArgs splits exec's arguments at the required "--": everything
// before it is the query, everything after it the command.
func execArgs(args []string) (query, command string, err error) {
	i := slices.Index(args, "--")
	if i < 0 {
		return "", "", usageError("exec: want QUERY -- COMMAND (the -- is required: everything before it is the query)")
	}
	query, command = strings.Join(args[:i], " "), strings.Join(args[i+1:], " ")
	if strings.TrimSpace(query) == "" {
		return "", "", usageError("exec: want QUERY -- COMMAND: no query before -- ('all' for every host)")
	}
	if strings.TrimSpace(command) == "" {
		return "", "", usageError("exec: want QUERY -- COMMAND: no command after --")
	}
	return query, command, nil
}

// execExit is exec's exit status, as cumin's: 130 when interrupted, 2
// when the success threshold was missed, 1 when it was met but some host
// failed, 0 when every host succeeded.
func execExit(ctx context.Context, ok, total int, pct float64) error {
	switch {
	case ctx.Err() != nil:
		return cli.Exit("exec: interrupted", exitInterrupted)
	case float64(ok)*100 < pct*float64(total):
		return cli.Exit("", 2)
	case ok < total:
		return cli.Exit("", 1)
	}
	return nil
}

// batchSize parses -b: a host count or a percentage of the hosts.
func batchSize(s string, hosts, fanout int) (int, error) {
	if s == "" {
		return max(1, fanout), nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || f <= 0 || f > 100 {
			return 0, fmt.Errorf("want a number or a percentage in (0, 100], got %q", s)
		}
		return max(1, int(math.Ceil(f*float64(hosts)/100))), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("want a number ≥ 1 or a percentage, got %q", s)
	}
	return n, nil
}

// confirm asks for the number of hosts, as cumin does, listing them
// folded; "q" or Ctrl-C aborts. With no terminal on stdin it refuses.
func confirm(ctx context.Context, stdin io.Reader, stderr io.Writer, hosts []inventory.Host, command string) error {
	n := len(hosts)
	f, ok := stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return usageError("exec: %d hosts selected and stdin is not a terminal: add --force to run %q on all of them", n, command)
	}
	names := make([]string, n)
	for i, h := range hosts {
		names[i] = h.Name
	}
	fmt.Fprintf(stderr, "%d hosts will run %q:\n%s\nType the number of hosts to confirm, or q to quit: ", n, command, nodeset.Fold(names))
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdin).ReadString('\n')
		answer <- strings.TrimSpace(line)
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(stderr)
		return cli.Exit("exec: aborted: nothing was run", exitInterrupted)
	case a := <-answer:
		if a != strconv.Itoa(n) {
			return usageError("exec: not confirmed (got %q, want %d): nothing was run", a, n)
		}
	}
	return nil
}

// runBatches runs command on the hosts in a sliding window of batch hosts,
// sleeping between starts, and stops scheduling once the success threshold
// can no longer be reached. Hosts never started are reported as skipped.
func runBatches(ctx context.Context, r *runner.Runner, hosts []inventory.Host, command string, batch int, sleep time.Duration, pct float64) []report.ExecResult {
	results := make([]report.ExecResult, len(hosts))
	var mu sync.Mutex
	failed := 0
	maxFailures := len(hosts) - int(math.Ceil(pct*float64(len(hosts))/100))
	sem := make(chan struct{}, batch)
	var wg sync.WaitGroup
	started := 0
	for i, h := range hosts {
		if i > 0 && sleep > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(sleep):
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		// Only now, with a slot free, is every failure that could end
		// the run known: checking before the wait starts one host too many.
		mu.Lock()
		abort := failed > maxFailures
		mu.Unlock()
		if abort || ctx.Err() != nil {
			break
		}
		started++
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res := execOne(ctx, r, h, command)
			mu.Lock()
			results[i] = res
			if res.ErrorKind != "" || res.ExitCode != 0 {
				failed++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	for i := started; i < len(hosts); i++ {
		results[i] = report.ExecResult{Host: hosts[i].Name, ExitCode: -1, ErrorKind: "skipped", Err: "not run: success threshold unreachable or interrupted"}
	}
	return results
}

// execOne runs command on one host.
func execOne(ctx context.Context, r *runner.Runner, h inventory.Host, command string) report.ExecResult {
	out := make(chan runner.HostOutput, 1)
	go func() {
		_ = r.Run(ctx, []runner.Task{{Host: h, Commands: []runner.Command{{ID: "exec", Line: command}}}}, out)
	}()
	res := report.ExecResult{Host: h.Name, ExitCode: -1}
	for ho := range out {
		if ho.Err != nil {
			res.ErrorKind, res.Err = string(ho.Kind), ho.Err.Error()
		}
		for _, co := range ho.Commands {
			res.Stdout, res.Stderr, res.ExitCode = co.Stdout, co.Stderr, co.ExitCode
			if co.Err != nil && res.ErrorKind == "" {
				res.ErrorKind, res.Err = string(co.Kind), co.Err.Error()
			}
			// The host was connected and the command under way: cut by
			// Ctrl-C or --timeout, it may still run there.
			res.Running = co.Kind == runner.KindCanceled || co.Kind == runner.KindTimeout
			if res.Running {
				res.ErrorKind = string(co.Kind)
			}
		}
	}
	return res
}
