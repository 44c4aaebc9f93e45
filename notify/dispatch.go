package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Backoff bounds the retries of one delivery within a run.
type Backoff struct {
	Initial  time.Duration // first wait; 0 means 1s
	Max      time.Duration // longest wait; 0 means 30s
	Attempts int           // attempts per delivery per run; 0 means 5
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = time.Second
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	if b.Attempts <= 0 {
		b.Attempts = 5
	}
	return b
}

// wait is the pause after the n-th failed attempt (n from 1): Initial
// doubled each time up to Max, with "equal jitter" (half fixed, half
// random) so that runs started by one cron minute do not retry in step.
func (b Backoff) wait(n int) time.Duration {
	d := b.Initial
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	half := d / 2
	return half + rand.N(half+1)
}

// Dispatcher drains an Outbox: per destination in queue order, each
// destination on its own (a down receiver delays nobody else); a delivery
// that still fails after its retries stays queued, and so do the ones
// queued after it for the same destination, so that they go first and in
// order on the next run.
type Dispatcher struct {
	Outbox    Outbox
	Receivers map[Dest]Receiver
	Timeout   time.Duration // deadline of one attempt; 0 means DefaultTimeout
	Backoff   Backoff
	Logger    *slog.Logger     // nil means no logging
	Now       func() time.Time // nil means time.Now
}

// Outcome is what became of one delivery in a run.
type Outcome struct {
	ID       ID
	State    State
	Attempts int           // made in this run
	Err      string        // the last error ("" when delivered)
	Latency  time.Duration // of the successful attempt
	Elapsed  time.Duration // from the start of the run to the outcome
}

// State is a delivery's state after a run.
type State string

// The states of a delivery after a run.
const (
	Delivered State = "delivered"
	Queued    State = "queued"  // still pending: goes first on the next run
	Refused   State = "refused" // permanent: reported, never retried
)

// Result is what a run did, in queue order.
type Result struct {
	Outcomes []Outcome
}

// Count returns how many deliveries ended in state s.
func (r Result) Count(s State) int {
	n := 0
	for _, o := range r.Outcomes {
		if o.State == s {
			n++
		}
	}
	return n
}

// ExitCode is the exit code of `digest --post`: ExitRefused when a
// receiver refused something for good (the more urgent to look at),
// else ExitQueued when something waits for the next run, else 0.
func (r Result) ExitCode() int {
	switch {
	case r.Count(Refused) > 0:
		return ExitRefused
	case r.Count(Queued) > 0:
		return ExitQueued
	}
	return 0
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Run sends everything pending. It ends by ctx's deadline (the --post
// deadline): no retry starts that could not finish before it. The error
// is for the outbox itself failing; receivers' failures are in Result.
func (d *Dispatcher) Run(ctx context.Context) (Result, error) {
	items, err := d.Outbox.Pending(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("notify: reading the outbox: %w", err)
	}
	start := time.Now()
	var order []Dest
	byDest := map[Dest][]int{}
	for i, it := range items {
		dst := it.Message.ID.Dest()
		if _, ok := byDest[dst]; !ok {
			order = append(order, dst)
		}
		byDest[dst] = append(byDest[dst], i)
	}
	outcomes := make([]Outcome, len(items))
	errs := make([]error, len(order))
	var wg sync.WaitGroup
	for k, dst := range order {
		wg.Go(func() {
			errs[k] = d.drain(ctx, start, dst, items, byDest[dst], outcomes)
		})
	}
	wg.Wait()
	return Result{Outcomes: outcomes}, errors.Join(errs...)
}

// drain delivers one destination's items in order.
func (d *Dispatcher) drain(ctx context.Context, start time.Time, dst Dest, items []Item, idx []int, out []Outcome) error {
	rcv, ok := d.Receivers[dst]
	var blocked *ID
	for _, i := range idx {
		it := items[i]
		id := it.Message.ID
		switch {
		case !ok:
			reason := fmt.Sprintf("team %q has no receiver %q configured", dst.Team, dst.Receiver)
			out[i] = Outcome{ID: id, State: Refused, Err: reason, Elapsed: time.Since(start)}
			if err := settle(ctx, func(c context.Context) error { return d.Outbox.Refused(c, id, d.now(), reason) }); err != nil {
				return fmt.Errorf("notify: marking %s refused: %w", id, err)
			}
			d.log().Warn("delivery refused", "id", id.String(), "reason", reason)
			continue
		case blocked != nil:
			out[i] = Outcome{ID: id, State: Queued, Err: "waiting behind " + blocked.String(), Elapsed: time.Since(start)}
			continue
		}
		o, err := d.deliver(ctx, start, rcv, it)
		out[i] = o
		if err != nil {
			return err
		}
		if o.State == Queued {
			blocked = &id
		}
	}
	return nil
}

// settle records an outcome in the outbox: the run's deadline must not
// lose a delivery already made, so marking gets a few seconds of its own.
func settle(ctx context.Context, mark func(context.Context) error) error {
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return mark(c)
}

// minAttempt is the least time an attempt is worth starting with.
const minAttempt = time.Second

// deliver makes the attempts of one delivery.
func (d *Dispatcher) deliver(ctx context.Context, start time.Time, rcv Receiver, it Item) (Outcome, error) {
	b := d.Backoff.withDefaults()
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	msg := it.Message
	id := msg.ID
	o := Outcome{ID: id, State: Queued}
	for {
		if err := ctx.Err(); err != nil {
			if o.Err == "" {
				o.Err = "not attempted: " + err.Error()
			}
			break
		}
		o.Attempts++
		actx, cancel := context.WithTimeout(ctx, timeout)
		t0 := time.Now()
		retry, err := rcv.Notify(actx, &msg)
		lat := time.Since(t0)
		cancel()
		log := d.log().With("id", id.String(), "attempt", it.Attempts+o.Attempts, "ms", lat.Milliseconds())
		if err == nil {
			o.State, o.Err, o.Latency, o.Elapsed = Delivered, "", lat, time.Since(start)
			log.Info("delivered")
			if err := settle(ctx, func(c context.Context) error { return d.Outbox.Delivered(c, id, d.now()) }); err != nil {
				return o, fmt.Errorf("notify: marking %s delivered: %w", id, err)
			}
			return o, nil
		}
		o.Err = err.Error()
		if !retry {
			o.State, o.Elapsed = Refused, time.Since(start)
			log.Warn("delivery refused", "err", o.Err)
			if err := settle(ctx, func(c context.Context) error { return d.Outbox.Refused(c, id, d.now(), o.Err) }); err != nil {
				return o, fmt.Errorf("notify: marking %s refused: %w", id, err)
			}
			return o, nil
		}
		log.Info("delivery failed, may retry", "err", o.Err)
		if err := settle(ctx, func(c context.Context) error { return d.Outbox.Attempted(c, id, d.now(), o.Err) }); err != nil {
			return o, fmt.Errorf("notify: recording an attempt of %s: %w", id, err)
		}
		if o.Attempts >= b.Attempts {
			break
		}
		wait := max(b.wait(o.Attempts), retryAfter(err))
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+min(timeout, minAttempt) {
			break // the next attempt could not end before the run's deadline
		}
		if !sleep(ctx, wait) {
			break
		}
	}
	o.Elapsed = time.Since(start)
	return o, nil
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
