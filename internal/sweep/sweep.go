// Package sweep wires the stages of one sweep: it turns selected hosts and
// configured checks into a runner plan, evaluates each command's output
// with its check, attributes every result to its owner and streams the
// records to the caller as hosts finish.
package sweep

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/runner"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Check is one configured check with where it applies.
type Check struct {
	Check   checks.Check
	Timeout time.Duration       // 0: bounded by the host timeout only
	Hosts   map[string]struct{} // host names it applies to; nil means every host
}

// Owners attributes a result; *ownership.Matcher satisfies it.
type Owners interface {
	Owner(host, check string, status health.Status) health.Owner
}

// Runner executes a plan; *runner.Runner satisfies it.
type Runner interface {
	Run(ctx context.Context, tasks []runner.Task, out chan<- runner.HostOutput) error
}

// Plan builds one runner task per host holding the commands of every check
// that applies to it. Hosts to which no check applies get no task.
func Plan(hosts []inventory.Host, cks []Check) []runner.Task {
	// A check's command is built once, not once per host: checks build
	// their command line on each call (18 µs and 128 allocations per host
	// of the default checks).
	all := make([]runner.Command, len(cks))
	for i, c := range cks {
		all[i] = runner.Command{ID: c.Check.Name(), Line: c.Check.Command(), Timeout: c.Timeout}
	}
	tasks := make([]runner.Task, 0, len(hosts))
	for _, h := range hosts {
		var cmds []runner.Command
		for i, c := range cks {
			if c.Hosts != nil {
				if _, ok := c.Hosts[h.Name]; !ok {
					continue
				}
			}
			if cmds == nil {
				cmds = make([]runner.Command, 0, len(cks)-i)
			}
			cmds = append(cmds, all[i])
		}
		if len(cmds) > 0 {
			tasks = append(tasks, runner.Task{Host: h, Commands: cmds})
		}
	}
	return tasks
}

// TaskHosts are the names of the hosts of a plan, in its order.
func TaskHosts(tasks []runner.Task) []string {
	names := make([]string, len(tasks))
	for i, t := range tasks {
		names[i] = t.Host.Name
	}
	return names
}

// Run executes the plan with r and sends every attributed record on out as
// its host finishes; it closes out before returning. owners may be nil (no
// owners file). The error is the runner's: the context ended early.
func Run(ctx context.Context, r Runner, tasks []runner.Task, cks []Check, owners Owners, out chan<- health.Record) error {
	defer close(out)
	byName := make(map[string]checks.Check, len(cks))
	for _, c := range cks {
		byName[c.Check.Name()] = c.Check
	}
	plannedIDs := make(map[string][]string, len(tasks))
	for _, t := range tasks {
		ids := make([]string, len(t.Commands))
		for i, c := range t.Commands {
			ids[i] = c.ID
		}
		plannedIDs[t.Host.Name] = ids
	}
	outputs := make(chan runner.HostOutput, 64)
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx, tasks, outputs) }()
	for ho := range outputs {
		for _, res := range Evaluate(ho, plannedIDs[ho.Host.Name], byName) {
			rec := health.Record{Result: res}
			// Every result is attributed, OK ones too, so that what is keyed
			// by owner (Prometheus' team label) keeps one identity when the
			// status flips.
			if owners != nil {
				o := owners.Owner(res.Host, res.Check, res.Status)
				rec.Owner = &o
			}
			out <- rec
		}
	}
	return <-errc
}

// Evaluate turns one host's outputs into one result per planned command
// (ids, in plan order): the check's verdict where the command ran,
// otherwise a result that says why there is none.
func Evaluate(ho runner.HostOutput, ids []string, byName map[string]checks.Check) []checks.Result {
	done := make(map[string]runner.CommandOutput, len(ho.Commands))
	for _, co := range ho.Commands {
		done[co.ID] = co
	}
	results := make([]checks.Result, 0, len(ids))
	for _, id := range ids {
		co, ran := done[id]
		var res checks.Result
		switch {
		case ran && co.Err == nil && co.Kind == runner.KindNone:
			c := byName[id]
			if c == nil {
				res = checks.Result{Status: checks.Unknown, Summary: "no such check configured"}
				break
			}
			res = evaluateSafely(c, func() checks.Result { return c.Evaluate(checkOutput(co)) })
		case ran && cutWithVerdict(co, byName[id]):
			c := byName[id].(checks.CutOutputEvaluator)
			res = evaluateSafely(byName[id], func() checks.Result { return c.EvaluateCut(checkOutput(co)) })
		case ran:
			res = commandFailure(co)
		default:
			res = hostFailure(ho)
		}
		res.Host, res.Check = ho.Host.Name, id
		res.Duration = ho.Duration // the wait for a host that never answered
		if ran {
			res.Duration = co.Duration
		}
		results = append(results, res)
	}
	return results
}

// checkOutput is what a check evaluates of a command's output.
func checkOutput(co runner.CommandOutput) checks.Output {
	return checks.Output{
		Stdout: co.Stdout, Stderr: co.Stderr, ExitCode: co.ExitCode,
		Signal: co.Signal, Duration: co.Duration, Now: co.Finished,
	}
}

// cutWithVerdict reports whether a command whose output was cut at the
// limit still ended with an exit status its check takes as the verdict.
func cutWithVerdict(co runner.CommandOutput, c checks.Check) bool {
	_, ok := c.(checks.CutOutputEvaluator)
	return ok && co.Kind == runner.KindOutputLimit && (co.ExitCode >= 0 || co.Signal != "")
}

// evaluateSafely runs a check's evaluation, turning a panic into UNKNOWN:
// one bad parser must not take down a sweep.
func evaluateSafely(c checks.Check, evaluate func() checks.Result) (res checks.Result) {
	defer func() {
		if p := recover(); p != nil {
			res = checks.Result{Status: checks.Unknown, Summary: fmt.Sprintf("check %s crashed on this output: %v", c.Name(), p)}
		}
	}()
	return evaluate()
}

// commandFailure is the result of a command that gave no usable output:
// too much output, a local error or a command that ran past its deadline
// on a host that had started it is UNKNOWN (the host answered); a timeout
// before the command started or a lost connection is UNREACHABLE (it did
// not answer in time).
func commandFailure(co runner.CommandOutput) checks.Result {
	kind := co.Kind
	if kind == runner.KindNone {
		kind = runner.KindError
	}
	status := checks.Unreachable
	if kind == runner.KindOutputLimit || kind == runner.KindError || kind == runner.KindTimeout && co.Started {
		status = checks.Unknown
	}
	res := checks.Result{Status: status, Summary: describe(kind), Details: errText(co.Err), ErrorKind: string(kind)}
	var de *runner.DeadlineError
	if errors.As(co.Err, &de) {
		res.Summary = "timed out: " + de.Error()
	}
	if kind == runner.KindOutputLimit {
		res.Summary = fmt.Sprintf("output exceeded the limit (%d bytes kept)", len(co.Stdout))
	}
	return res
}

// hostFailure is the result of a planned command on a host that could not
// be reached or was lost before the command finished.
func hostFailure(ho runner.HostOutput) checks.Result {
	kind := ho.Kind
	if kind == runner.KindNone {
		kind = runner.KindError
	}
	status := checks.Unreachable
	if kind == runner.KindCanceled {
		status = checks.Unknown
	}
	summary := describe(kind)
	var revoked *knownhosts.RevokedError
	if errors.As(ho.Err, &revoked) {
		summary = "HOST KEY REVOKED: nothing was sent to this host"
	}
	return checks.Result{Status: status, Summary: summary, Details: errText(ho.Err), ErrorKind: string(kind)}
}

// describe says in a few stable words why there is no verdict, so that
// hosts failing for the same reason group together; the error itself goes
// to the details.
func describe(kind runner.ErrorKind) string {
	if s, ok := kindSummaries[kind]; ok {
		return s
	}
	return "error"
}

var kindSummaries = map[runner.ErrorKind]string{
	runner.KindDNS:             "host name does not resolve",
	runner.KindRefused:         "connection refused",
	runner.KindTimeout:         "timed out",
	runner.KindHostKeyMismatch: "HOST KEY MISMATCH: nothing was sent to this host",
	runner.KindHostKeyUnknown:  "host key unknown: nothing was sent to this host",
	runner.KindAuth:            "authentication failed",
	runner.KindConnectionLost:  "connection lost",
	runner.KindOutputLimit:     "output exceeded the limit",
	runner.KindCanceled:        "not checked: sweep interrupted",
}

// errText is err's message on one line, or "".
func errText(err error) string {
	if err == nil {
		return ""
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}
