// Package adhoc runs one command on many hosts the way cumin does: in a
// sliding window of hosts (a batch), with a pause between starts, and no
// host started once the success threshold can no longer be met.
package adhoc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
)

// HostRunner runs one host's task; *runner.Pool is one, shared by every
// host of a run.
type HostRunner interface {
	RunHost(ctx context.Context, t runner.Task) runner.HostOutput
}

// Options say how a command is rolled out.
type Options struct {
	Batch      int                     // hosts at once, ≥ 1
	Sleep      time.Duration           // between one start and the next
	SuccessPct float64                 // 0 to 100: no host starts once this share of successes is out of reach
	Done       func(report.ExecResult) // called (concurrently) as each started host finishes: progress; may be nil
}

// Skipped is the error kind of a host never started because the success
// threshold became unreachable or the run was interrupted.
const Skipped = string(health.KindSkipped)

// BatchSize parses -b: a host count or a percentage of hosts; "" is fanout.
func BatchSize(s string, hosts, fanout int) (int, error) {
	if s == "" {
		return max(1, fanout), nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || f <= 0 || f > 100 {
			return 0, fmt.Errorf("expected a number or a percentage in (0, 100], found %q", s)
		}
		return max(1, int(math.Ceil(f*float64(hosts)/100))), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("expected a number ≥ 1 or a percentage, found %q", s)
	}
	return n, nil
}

// CheckSuccessPct checks -p: a success percentage from 0 to 100.
func CheckSuccessPct(pct float64) error {
	if pct < 0 || pct > 100 {
		return fmt.Errorf("--success-percentage: expected 0 to 100, found %v", pct)
	}
	return nil
}

// Run runs command on hosts through r and returns one result per host, in
// host order. Hosts never started are reported with ErrorKind Skipped.
func Run(ctx context.Context, r HostRunner, hosts []inventory.Host, command string, o Options) []report.ExecResult {
	results := make([]report.ExecResult, len(hosts))
	var mu sync.Mutex
	failed := 0
	maxFailures := len(hosts) - int(math.Ceil(o.SuccessPct*float64(len(hosts))/100))
	sem := make(chan struct{}, max(1, o.Batch))
	var wg sync.WaitGroup
	started := 0
	for i, h := range hosts {
		if i > 0 && o.Sleep > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(o.Sleep):
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		// Only now, with a slot free, is every failure that could end the
		// run known: checking before the wait starts one host too many.
		mu.Lock()
		abort := failed > maxFailures
		mu.Unlock()
		if abort || ctx.Err() != nil {
			break
		}
		started++
		wg.Go(func() {
			defer func() { <-sem }()
			res := Result(r.RunHost(ctx, runner.Task{Host: h, Commands: []runner.Command{{ID: "exec", Line: command}}}))
			mu.Lock()
			results[i] = res
			if !Succeeded(res) {
				failed++
			}
			mu.Unlock()
			if o.Done != nil {
				o.Done(res)
			}
		})
	}
	wg.Wait()
	for i := started; i < len(hosts); i++ {
		results[i] = report.ExecResult{Host: hosts[i].Name, ExitCode: -1, ErrorKind: Skipped, Err: "not run: success threshold unreachable or interrupted"}
	}
	return results
}

// Succeeded reports whether the command ran on the host and exited 0.
func Succeeded(r report.ExecResult) bool { return r.ErrorKind == "" && r.ExitCode == 0 }

// Result is what one host's output says of the command.
func Result(ho runner.HostOutput) report.ExecResult {
	res := report.ExecResult{Host: ho.Host.Name, ExitCode: -1}
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
	return res
}

// Confirm asks on out for the number of hosts, listing them folded, and
// reads the answer from in; "q", another answer or the end of ctx (Ctrl-C)
// is an error saying nothing was run.
func Confirm(ctx context.Context, in io.Reader, out io.Writer, hosts []string, command string) error {
	n := len(hosts)
	fmt.Fprintf(out, "%d hosts will run %q:\n%s\nType the number of hosts to confirm, or q to quit: ", n, command, nodeset.Fold(hosts))
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(in).ReadString('\n')
		answer <- strings.TrimSpace(line)
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(out)
		return errors.New("aborted: nothing was run")
	case a := <-answer:
		if a == "q" {
			return errors.New("aborted: nothing was run")
		}
		if a != strconv.Itoa(n) {
			return fmt.Errorf("not confirmed (expected %[2]d, found %[1]q): nothing was run", a, n)
		}
	}
	return nil
}

// SplitArgs splits exec's arguments at the required "--": everything before
// it is the query, everything after it the command; neither may be empty.
func SplitArgs(args []string) (query, command string, err error) {
	i := slices.Index(args, "--")
	if i < 0 {
		return "", "", errors.New("expected QUERY -- COMMAND (the -- is required: everything before it is the query)")
	}
	query, command = strings.Join(args[:i], " "), strings.Join(args[i+1:], " ")
	if strings.TrimSpace(query) == "" {
		return "", "", errors.New("expected QUERY -- COMMAND, found no query before -- ('all' for every host)")
	}
	if strings.TrimSpace(command) == "" {
		return "", "", errors.New("expected QUERY -- COMMAND, found no command after --")
	}
	return query, command, nil
}

// Write writes the results of command on total hosts as format: "json"
// (report.WriteExecJSON), else the outputs grouped under their node sets
// and the success line against pct (color: ANSI colours).
func Write(w io.Writer, format, command string, results []report.ExecResult, total int, pct float64, color bool) error {
	if format == "json" {
		return report.WriteExecJSON(w, results)
	}
	if err := report.WriteExecGroupsCmd(w, command, results, color); err != nil {
		return err
	}
	return report.ExecSummary(w, Successes(results), total, pct)
}

// Successes counts the results that Succeeded.
func Successes(results []report.ExecResult) int {
	ok := 0
	for _, r := range results {
		if Succeeded(r) {
			ok++
		}
	}
	return ok
}

// ExitCode is a run's exit status, as cumin's: 130 when interrupted, 2 when
// the success threshold pct was missed, 1 when it was met but some host
// failed, 0 when every host succeeded.
func ExitCode(interrupted bool, ok, total int, pct float64) int {
	switch {
	case interrupted:
		return health.ExitInterrupted
	case float64(ok)*100 < pct*float64(total):
		return 2
	case ok < total:
		return 1
	}
	return 0
}
