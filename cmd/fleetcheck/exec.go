package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/urfave/cli/v2"
)

func execCommand() *cli.Command {
	return &cli.Command{
		Name:      "exec",
		Usage:     "run an ad-hoc command on the selected hosts; identical outputs grouped under their node set (like cumin)",
		ArgsUsage: "QUERY -- COMMAND",
		Description: "Exit codes: 0 when the success ratio reaches --success-percentage, 2 otherwise, 64 usage, 78 configuration.\n" +
			"Without --force it runs on more than one host only after the host count is typed at a terminal.",
		Flags: append(append(inputFlags(), runnerFlags()...),
			&cli.StringFlag{Name: "batch-size", Aliases: []string{"b"}, Usage: "hosts at once, a number or a percentage (sliding window; default: --fanout)"},
			&cli.DurationFlag{Name: "batch-sleep", Aliases: []string{"s"}, Usage: "wait between starting one host and the next"},
			&cli.Float64Flag{Name: "success-percentage", Aliases: []string{"p"}, Value: 100, Usage: "stop scheduling hosts once this success ratio can no longer be reached"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "`FORMAT`: text or json"},
			&cli.BoolFlag{Name: "force", Usage: "do not ask for confirmation"},
		),
		Action: runExec,
	}
}

func runExec(c *cli.Context) error {
	args := c.Args().Slice()
	if len(args) < 2 {
		return usageError("exec: want QUERY -- COMMAND")
	}
	q, command := args[0], strings.Join(args[1:], " ")
	if args[1] == "--" {
		command = strings.Join(args[2:], " ")
	}
	if strings.TrimSpace(command) == "" {
		return usageError("exec: empty command")
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
		return usageError("exec: the query selects no hosts")
	}
	batch, err := batchSize(c.String("batch-size"), len(hosts), c.Int("fanout"))
	if err != nil {
		return usageError("--batch-size: %v", err)
	}
	if len(hosts) > 1 && !c.Bool("force") {
		if err := confirm(c.App.Reader, c.App.ErrWriter, len(hosts), command); err != nil {
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
		err = report.WriteExecGroups(w, results, isTerminal(w) && os.Getenv("NO_COLOR") == "")
		if err == nil {
			err = report.ExecSummary(w, ok, len(hosts), pct)
		}
	}
	if err != nil {
		return err
	}
	if float64(ok)*100 < pct*float64(len(hosts)) {
		return cli.Exit("", 2)
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

// confirm asks for the number of hosts, as cumin does; with no terminal on
// stdin it refuses.
func confirm(stdin io.Reader, stderr io.Writer, n int, command string) error {
	f, ok := stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return usageError("exec: %d hosts selected and stdin is not a terminal: add --force to run %q on all of them", n, command)
	}
	fmt.Fprintf(stderr, "%d hosts will run %q. Type the number of hosts to confirm: ", n, command)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != strconv.Itoa(n) {
		return usageError("exec: not confirmed")
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
		mu.Lock()
		abort := failed > maxFailures
		mu.Unlock()
		if abort || ctx.Err() != nil {
			break
		}
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
		if ctx.Err() != nil {
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
		results[i] = report.ExecResult{Host: hosts[i].Name, ExitCode: -1, ErrorKind: string(health.KindSkipped), Err: "not run: success threshold unreachable or interrupted"}
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
		}
	}
	return res
}
