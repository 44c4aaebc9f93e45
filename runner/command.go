package runner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/remotecmd"
	"golang.org/x/crypto/ssh"
)

// Graces of a command that must stop: after SIGTERM before the session is
// closed, and after the close before the result is taken as it stands.
const (
	termGrace  = 300 * time.Millisecond
	closeGrace = 200 * time.Millisecond
)

// runCommand runs one command in its own session within ctx (the host's)
// and returns what it produced. The command's clock starts once it holds
// one of the host's session slots: its timeout bounds opening the session
// and starting the command; once the host has started it, the host
// enforces the deadline itself (remotecmd.Wrap) and the runner waits the
// graces of that enforcement before giving up. It never panics outward.
func (hc *hostConn) runCommand(ctx context.Context, cmd Command) (out CommandOutput) {
	start := time.Now()
	out.ID = cmd.ID
	out.ExitCode = -1
	defer func() {
		if p := recover(); p != nil {
			out.Err = fmt.Errorf("command %s: panic: %v", cmd.ID, p)
			out.Kind = KindError
		}
		out.Finished = time.Now()
		out.Duration = out.Finished.Sub(start)
	}()
	fail := func(err error) CommandOutput {
		out.Err = fmt.Errorf("command %s: %w", cmd.ID, err)
		out.Kind = Classify(out.Err)
		return out
	}

	select {
	case hc.sem <- struct{}{}:
	case <-ctx.Done():
		return fail(ctxErr(ctx))
	}
	defer func() { <-hc.sem }()
	start = time.Now()

	// The deadline the host enforces: the command's own, or else what is
	// left of the host's, plus the slack either way, so that the runner's
	// TERM at the deadline comes first and the host's stop is the backstop
	// (without the slack, the two raced on a loaded machine).
	deadline := &DeadlineError{Deadline: cmd.Timeout}
	hostStop := cmd.Timeout + hostSlack
	if cmd.Timeout <= 0 {
		deadline.Host = true
		deadline.Deadline = hc.hostTimeout
		hostStop = 0
		if dl, ok := ctx.Deadline(); ok {
			hostStop = time.Until(dl) + hostSlack
		}
	}
	line := remotecmd.Wrap(cmd.Line, hostStop, killGrace)
	startCtx := ctx
	if cmd.Timeout > 0 {
		var cancel context.CancelFunc
		startCtx, cancel = context.WithTimeoutCause(ctx, cmd.Timeout,
			&timeoutError{what: "not started (command timeout)", after: cmd.Timeout})
		defer cancel()
	}

	sess, err := hc.newSession(startCtx)
	if err != nil {
		if startCtx.Err() != nil {
			return fail(ctxErr(startCtx))
		}
		if why := hc.closedWhy(); why != nil {
			return fail(why)
		}
		return fail(fmt.Errorf("open session: %w", err))
	}
	defer sess.Close()
	hc.track(sess)
	defer hc.untrack(sess)

	var cutOnce sync.Once
	cut := make(chan struct{})
	onCut := func() { cutOnce.Do(func() { close(cut) }) }
	stdout := newCapWriter(hc.limit, onCut)
	stderr := newCapWriter(hc.limit, onCut)
	stdout.cutAt, stderr.cutAt = int64(hc.limit)*drainFactor, int64(hc.limit)*drainFactor
	sess.Stdout, sess.Stderr = stdout, stderr

	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		if err := sess.Start(line); err != nil {
			done <- &startError{err: err}
			return
		}
		close(started)
		done <- sess.Wait()
	}()

	var waitErr error
	var got bool      // waitErr is the command's result (else it was abandoned)
	var stopped error // why we stopped the command ourselves
	waitStart := startCtx.Done()
	var giveUp <-chan time.Time // once started: the host has had its chance to stop it
	var giveUpTimer *time.Timer
	defer func() {
		if giveUpTimer != nil {
			giveUpTimer.Stop()
		}
	}()
	onStart := func() {
		out.Started, started, waitStart = true, nil, nil
		if cmd.Timeout > 0 {
			giveUpTimer = time.NewTimer(hostStop + killGrace + transportGrace)
			giveUp = giveUpTimer.C
		}
	}
	stop := func(why error) {
		stopped = why
		if hc.closedWhy() == nil {
			go sess.Signal(ssh.SIGTERM)
			got, waitErr = waitFor(done, termGrace)
		}
		if !got {
			sess.Close()
			got, waitErr = waitFor(done, closeGrace)
		}
	}
wait:
	for {
		select {
		case waitErr = <-done:
			got = true
			break wait
		case <-started:
			onStart()
		case <-waitStart:
			if !isClosed(started) {
				stop(ctxErr(startCtx))
				break wait
			}
			onStart()
		case <-giveUp:
			deadline.Abandoned = true
			stop(deadline)
			break wait
		case <-cut:
			stopped = fmt.Errorf("%w: more than %d bytes on a stream", ErrOutputLimit, int64(hc.limit)*drainFactor)
			sess.Close()
			got, waitErr = waitFor(done, closeGrace)
			break wait
		case <-ctx.Done():
			why := ctxErr(ctx)
			if out.Started && hc.closedWhy() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				why = &DeadlineError{Deadline: hc.hostTimeout, Host: true, Abandoned: true}
			}
			stop(why)
			break wait
		}
	}
	if !out.Started && got {
		var se *startError
		out.Started = !errors.As(waitErr, &se)
	}
	out.Stdout, out.Stderr = stdout.Bytes(), stderr.Bytes()
	out.Truncated = stdout.Truncated() || stderr.Truncated()

	var exitErr *ssh.ExitError
	switch {
	case !got: // abandoned: no exit status
	case errors.As(waitErr, &exitErr):
		out.Signal = exitErr.Signal()
		if out.Signal == "" {
			out.ExitCode = exitErr.ExitStatus()
		}
	case waitErr == nil:
		out.ExitCode = 0
	}
	if got && remotecmd.StoppedByDeadline(out.ExitCode, out.Signal, time.Since(start), hostStop) {
		// The host's deadline ended it (if late, while we were giving up):
		// its status is the wrapper's, not the command's.
		var de *DeadlineError
		switch {
		case stopped == nil:
			stopped = deadline
		case errors.As(stopped, &de):
			de.Abandoned = false
		}
		out.ExitCode, out.Signal = -1, ""
	}
	switch {
	case stopped != nil:
		out.Err = fmt.Errorf("command %s: %w", cmd.ID, stopped)
	case waitErr != nil && exitErr == nil:
		var se *startError
		if errors.As(waitErr, &se) {
			if why := hc.closedWhy(); why != nil {
				out.Err = fmt.Errorf("command %s: %w (start: %w)", cmd.ID, why, se.err)
			} else {
				out.Err = fmt.Errorf("command %s: start: %w", cmd.ID, se.err)
			}
		} else if why := hc.closedWhy(); why != nil {
			out.Err = fmt.Errorf("command %s: %w (%w)", cmd.ID, why, waitErr)
		} else {
			out.Err = fmt.Errorf("command %s: %w", cmd.ID, waitErr)
		}
	}
	if out.Err != nil {
		out.Kind = Classify(out.Err)
	}
	// A flood that then ran past its deadline is reported as the flood.
	if out.Truncated && (out.Kind == KindNone || out.Kind == KindOutputLimit || out.Kind == KindTimeout) {
		if out.Kind == KindTimeout {
			out.Err = fmt.Errorf("%w (more than %d bytes on a stream), then %w", ErrOutputLimit, hc.limit, out.Err)
		}
		out.Kind = KindOutputLimit
		if out.Err == nil {
			out.Err = fmt.Errorf("command %s: %w: more than %d bytes on a stream", cmd.ID, ErrOutputLimit, hc.limit)
		}
	}
	return out
}

// isClosed reports whether ch is closed (nil: no).
func isClosed(ch <-chan struct{}) bool {
	if ch == nil {
		return true // set to nil once seen closed
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// startError marks a failure to start the command (exec refused).
type startError struct{ err error }

func (e *startError) Error() string { return e.err.Error() }
func (e *startError) Unwrap() error { return e.err }

// waitFor returns the command's result if it arrives within d.
func waitFor(done <-chan error, d time.Duration) (bool, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return true, err
	case <-t.C:
		return false, nil
	}
}

// How a refused session is retried. sshd refuses a session beyond its
// MaxSessions (10 by default; the runner opens up to maxSessions) with
// "connect failed", and counts a finished session until it has reaped
// it, which a loaded host does late: the command tries again, backing
// off from sessionBackoff to sessionBackoffMax, within its timeout, up to
// sessionRetries times (about 4 s in all), before the refusal stands.
const (
	sessionRetries    = 20
	sessionBackoff    = 25 * time.Millisecond
	sessionBackoffMax = 250 * time.Millisecond
)

// newSession opens a session under ctx (openSession), retrying one the
// host refused for want of a free session.
func (hc *hostConn) newSession(ctx context.Context) (*ssh.Session, error) {
	wait := sessionBackoff
	for attempt := 0; ; attempt++ {
		s, err := hc.openSession(ctx)
		var oce *ssh.OpenChannelError
		if err == nil || attempt == sessionRetries || !errors.As(err, &oce) || oce.Reason != ssh.ConnectionFailed {
			return s, err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctxErr(ctx)
		}
		wait = min(2*wait, sessionBackoffMax)
	}
}

// openSession opens a session under ctx: a peer that never confirms the
// channel cannot hold the command past its deadline. A session that
// arrives late is closed.
func (hc *hostConn) openSession(ctx context.Context) (*ssh.Session, error) {
	type result struct {
		s   *ssh.Session
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := hc.client.NewSession()
		ch <- result{s, err}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.s != nil {
				r.s.Close()
			}
		}()
		return nil, ctxErr(ctx)
	}
}
