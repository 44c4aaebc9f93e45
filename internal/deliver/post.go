package deliver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/state"
)

// DefaultPostTimeout is how long a post may take (--post-timeout).
const DefaultPostTimeout = 3 * time.Minute

// Options are one post's inputs.
type Options struct {
	Store     state.Store
	Owners    *ownership.File
	Receivers *Receivers
	Timeout   time.Duration    // of one request (notify.timeout); 0: notify.DefaultTimeout
	Backoff   notify.Backoff   // zero: notify's defaults
	Logger    *slog.Logger     // nil: none
	Now       func() time.Time // nil: time.Now
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Report is what a post did.
type Report struct {
	Plan   Plan
	Result notify.Result
}

// ExitCode is SPEC's code for the post: 0, 75 (something waits for the
// next run) or 76 (a receiver refused something for good).
func (r Report) ExitCode() int { return r.Result.ExitCode() }

// Post decides and queues in one write transaction what the newest sweep
// calls for (MakePlan, Apply), then delivers everything pending, what
// earlier runs left first, until ctx's deadline (the post's). The rows
// it delivers are claimed until that deadline (and a little more), so
// that another post at the same time never sends them too.
func Post(ctx context.Context, o Options) (Report, error) {
	var rep Report
	q, err := o.Store.Queue(ctx)
	if err != nil {
		return rep, err
	}
	now := o.now()
	if rep.Plan, err = MakePlan(ctx, o.Store, o.Owners, o.Receivers, now); err == nil {
		err = Apply(ctx, q, rep.Plan, now)
	}
	if err != nil {
		q.Abort() //nolint:errcheck // the error that matters is err
		return rep, err
	}
	if err := q.Commit(ctx); err != nil {
		return rep, err
	}
	until := now.Add(DefaultPostTimeout)
	if dl, ok := ctx.Deadline(); ok {
		until = dl
	}
	ob := &outbox{store: o.Store, owner: runID(), until: until.Add(claimMargin), now: o.now}
	d := &notify.Dispatcher{Outbox: ob, Receivers: o.Receivers.ByDest, Timeout: o.Timeout, Backoff: o.Backoff, Logger: o.Logger, Now: o.Now}
	rep.Result, err = d.Run(ctx)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return rep, errors.Join(err, o.Store.Release(rctx, ob.owner))
}

// claimMargin covers the marks a run makes after its deadline (each has
// a few seconds of its own).
const claimMargin = 10 * time.Second

// runID names this run in the claims it holds.
func runID() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// DryRun writes what a post would send now: what is pending, then what
// the newest sweep calls for. It records nothing.
func DryRun(ctx context.Context, o Options, w io.Writer) error {
	pending, err := o.Store.Outbox(ctx, state.OutboxPending)
	if err != nil {
		return err
	}
	p, err := MakePlan(ctx, o.Store, o.Owners, o.Receivers, o.now())
	if err != nil {
		return err
	}
	mem := &notify.MemoryOutbox{}
	for _, r := range pending {
		it, err := item(r)
		if err != nil {
			return err
		}
		mem.Enqueue(it.Message, it.Queued)
	}
	for _, pl := range p.Rows {
		it, err := item(pl.Row)
		if err != nil {
			return err
		}
		mem.Enqueue(it.Message, it.Queued)
	}
	return notify.DryRun(ctx, mem, w)
}

// WriteSummary writes one line per delivery of the run: its state, id,
// attempts, latency, and why it is not delivered.
func WriteSummary(w io.Writer, r notify.Result) error {
	for _, o := range r.Outcomes {
		line := fmt.Sprintf("%-9s %s attempts=%d", o.State, o.ID, o.Attempts)
		if o.State == notify.Delivered {
			line += fmt.Sprintf(" latency=%s", o.Latency.Round(time.Millisecond))
		}
		if o.Err != "" {
			line += ": " + o.Err
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return fmt.Errorf("writing the summary: %w", err)
		}
	}
	_, err := fmt.Fprintf(w, "%d delivered, %d queued for the next run, %d refused\n",
		r.Count(notify.Delivered), r.Count(notify.Queued), r.Count(notify.Refused))
	if err != nil {
		return fmt.Errorf("writing the summary: %w", err)
	}
	return nil
}

// outbox is the store's outbox as notify sees it: Pending claims.
type outbox struct {
	store state.Deliveries
	owner string
	until time.Time
	now   func() time.Time // when the claimed rows go out
}

// Pending implements notify.Outbox: it claims the rows for this run.
func (o *outbox) Pending(ctx context.Context) ([]notify.Item, error) {
	rows, err := o.store.Claim(ctx, o.owner, o.until)
	if err != nil {
		return nil, err
	}
	out := make([]notify.Item, 0, len(rows))
	now := o.now()
	for _, r := range rows {
		it, err := item(r)
		if err != nil {
			return nil, err
		}
		refresh(it.Message.Alerts, it.Queued, now)
		out = append(out, it)
	}
	return out, nil
}

// refresh moves the endsAt of the firing alerts of a push queued at
// queued (those ending after it: resolved ones end at their resolution,
// before it) by the time the push waited, so that a push left queued by a
// down Alertmanager does not resolve its alerts when it finally goes out;
// the newer pushes queued behind it, sent after it, resolve what ended since.
func refresh(alerts []notify.Alert, queued, now time.Time) {
	waited := now.Sub(queued)
	if waited <= 0 {
		return
	}
	for i := range alerts {
		if alerts[i].EndsAt.After(queued) {
			alerts[i].EndsAt = alerts[i].EndsAt.Add(waited)
		}
	}
}

// item is a row as notify sees it.
func item(r state.OutboxRow) (notify.Item, error) {
	m := notify.Message{ID: notify.ID{Team: r.Team, Receiver: r.Receiver, Sweep: r.Sweep}, Team: r.Team,
		Subject: r.Subject, Markdown: r.Markdown, JSON: r.Body}
	if r.Alerts != nil {
		if err := json.Unmarshal(r.Alerts, &m.Alerts); err != nil {
			return notify.Item{}, fmt.Errorf("deliver: outbox row %s: its alerts: %w", r.ID, err)
		}
	}
	if m.ID.String() != r.ID {
		return notify.Item{}, fmt.Errorf("deliver: outbox row %s does not match its team, receiver and sweep", r.ID)
	}
	return notify.Item{Message: m, Queued: r.Queued, Attempts: r.Attempts, LastErr: r.LastError}, nil
}

// Attempted implements notify.Outbox.
func (o *outbox) Attempted(ctx context.Context, id notify.ID, at time.Time, reason string) error {
	return o.store.Attempted(ctx, id.String(), at, reason)
}

// Delivered implements notify.Outbox.
func (o *outbox) Delivered(ctx context.Context, id notify.ID, at time.Time) error {
	return o.store.Settle(ctx, id.String(), state.OutboxDelivered, at, "")
}

// Refused implements notify.Outbox.
func (o *outbox) Refused(ctx context.Context, id notify.ID, at time.Time, reason string) error {
	return o.store.Settle(ctx, id.String(), state.OutboxRefused, at, reason)
}
