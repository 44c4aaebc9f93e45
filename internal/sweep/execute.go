package sweep

import (
	"context"
	"errors"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/runner"
)

// Job is a planned sweep and where its records go.
type Job struct {
	Query         string        // the query as given
	Hosts         int           // hosts selected
	Tasks         []runner.Task // the plan (Plan)
	Checks        []Check       // the configured checks, in order
	Runner        Runner
	Owners        Owners        // nil without an owners file
	Team          string        // only this team's records reach the sinks and the exit code; "" for all
	GlobalTimeout time.Duration // stop the whole sweep after this long; 0 for none
	Sinks         []Sink        // where the records go, in this order
	Shard         *health.Shard // the share of the fleet Tasks cover (--shard); nil for all of it
}

// Outcome is how a sweep ended.
type Outcome struct {
	Sweep  *health.Sweep // head, Finished and Complete; Results is not kept here
	Worst  health.Status // worst verdict that passed the team filter (canceled results excluded)
	Ending health.Ending // finished, cut by the global timeout, or interrupted
	Cause  error         // why an incomplete sweep stopped; nil when complete
}

// ExitCode is the exit code of SPEC.md for the sweep (health.ExitCode).
func (o Outcome) ExitCode() int { return health.ExitCode(o.Worst, o.Ending) }

// Execute runs the job: it plans nothing more, runs the tasks, evaluates
// and attributes every result (Run), and hands each record that passes the
// team filter to every sink as its host finishes; HostWatcher sinks hear
// of every host, filtered or not. Begin comes before the first record and
// End after the last, with the finished sweep. A sink's error stops the
// run and is returned (End is then not called); otherwise the outcome
// says how the sweep ended, an interruption (ctx canceled) or the global
// timeout included.
func Execute(ctx context.Context, job Job) (Outcome, error) {
	runCtx := ctx
	if job.GlobalTimeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, job.GlobalTimeout)
		defer cancel()
	}
	// A failed sink stops the run; runCtx still tells a timeout apart.
	stopCtx, stop := context.WithCancelCause(runCtx)
	defer stop(nil)

	names := make([]string, len(job.Checks))
	for i, ck := range job.Checks {
		names[i] = ck.Check.Name()
	}
	sinkCtx := context.WithoutCancel(ctx) // see Sink
	s := &health.Sweep{Query: job.Query, Checks: names, Hosts: job.Hosts, Started: time.Now(), Shard: job.Shard}
	for _, sk := range job.Sinks {
		if err := sk.Begin(sinkCtx, s); err != nil {
			return Outcome{}, err
		}
	}

	records := make(chan health.Record, 256)
	errc := make(chan error, 1)
	go func() { errc <- Run(stopCtx, job.Runner, job.Tasks, job.Checks, job.Owners, records) }()
	hosts := newHostTracker(job.Tasks, job.Sinks)
	worst := health.OK
	var sinkErr error
	for rec := range records {
		if sinkErr != nil {
			continue // drain what the stopping run still sends
		}
		pass := job.Team == "" || (rec.Owner != nil && rec.Owner.Team == job.Team)
		if pass {
			if rec.IsVerdict() {
				worst = health.Worst(worst, rec.Status)
			}
			for _, sk := range job.Sinks {
				if err := sk.Record(sinkCtx, rec); err != nil {
					sinkErr = err
					stop(err)
					break
				}
			}
		}
		hosts.record(rec, pass)
	}
	runErr := <-errc
	if sinkErr != nil {
		return Outcome{}, sinkErr
	}
	s.Finished = time.Now()
	s.Complete = runErr == nil && runCtx.Err() == nil
	out := Outcome{
		Sweep:  s,
		Worst:  worst,
		Ending: health.EndingOf(s.Complete, errors.Is(ctx.Err(), context.Canceled)),
	}
	if !s.Complete {
		out.Cause = runErr
		if runCtx.Err() != nil {
			out.Cause = context.Cause(runCtx)
		}
	}
	for _, sk := range job.Sinks {
		if err := sk.End(sinkCtx, s); err != nil {
			return out, err
		}
	}
	return out, nil
}

// hostTracker tells the HostWatcher sinks when each host has delivered
// every record of its plan. It counts only when someone watches.
type hostTracker struct {
	watchers  []HostWatcher
	remaining map[string]int  // records still due per host
	failed    map[string]bool // a record that passed the filter was not OK
}

// newHostTracker watches the hosts of tasks for the HostWatchers among sinks.
func newHostTracker(tasks []runner.Task, sinks []Sink) *hostTracker {
	h := &hostTracker{}
	for _, sk := range sinks {
		if w, ok := sk.(HostWatcher); ok {
			h.watchers = append(h.watchers, w)
		}
	}
	if len(h.watchers) == 0 {
		return h
	}
	h.remaining = make(map[string]int, len(tasks))
	h.failed = map[string]bool{}
	for _, t := range tasks {
		h.remaining[t.Host.Name] = len(t.Commands)
	}
	return h
}

// record counts one record of its host, whether or not it passed the team
// filter; only records that passed can mark the host failed.
func (h *hostTracker) record(rec health.Record, passed bool) {
	if len(h.watchers) == 0 {
		return
	}
	if passed && rec.Status != health.OK {
		h.failed[rec.Host] = true
	}
	n, ok := h.remaining[rec.Host]
	if !ok {
		return
	}
	if n > 1 {
		h.remaining[rec.Host] = n - 1
		return
	}
	failed := h.failed[rec.Host]
	delete(h.remaining, rec.Host)
	delete(h.failed, rec.Host)
	for _, w := range h.watchers {
		w.HostDone(rec.Host, failed)
	}
}
