package runner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// Graces of a command that must stop: after SIGTERM before the session is
// closed, and after the close before the result is taken as it stands.
const (
	termGrace  = 300 * time.Millisecond
	closeGrace = 200 * time.Millisecond
)

// runCommand runs one command in its own session, under the command
// timeout (if any) within ctx, and returns what it produced. It never
// panics outward.
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
	if cmd.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, cmd.Timeout,
			&timeoutError{what: "not done (command timeout)", after: cmd.Timeout})
		defer cancel()
	}
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

	sess, err := hc.newSession(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return fail(ctxErr(ctx))
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
	sess.Stdout, sess.Stderr = stdout, stderr

	done := make(chan error, 1)
	go func() {
		if err := sess.Start(cmd.Line); err != nil {
			done <- &startError{err: err}
			return
		}
		done <- sess.Wait()
	}()

	var waitErr error
	var got bool      // waitErr is the command's result (else it was abandoned)
	var stopped error // why we stopped the command ourselves
	select {
	case waitErr = <-done:
		got = true
	case <-cut:
		stopped = fmt.Errorf("%w: more than %d bytes on a stream", ErrOutputLimit, hc.limit)
		sess.Close()
		got, waitErr = waitFor(done, closeGrace)
	case <-ctx.Done():
		stopped = ctxErr(ctx)
		if hc.closedWhy() == nil {
			go sess.Signal(ssh.SIGTERM)
			got, waitErr = waitFor(done, termGrace)
		}
		if !got {
			sess.Close()
			got, waitErr = waitFor(done, closeGrace)
		}
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
	switch {
	case stopped != nil:
		out.Err = fmt.Errorf("command %s: %w", cmd.ID, stopped)
	case waitErr != nil && exitErr == nil:
		var se *startError
		if errors.As(waitErr, &se) {
			out.Err = fmt.Errorf("command %s: start: %w", cmd.ID, se.err)
		} else if why := hc.closedWhy(); why != nil {
			out.Err = fmt.Errorf("command %s: %w (%w)", cmd.ID, why, waitErr)
		} else {
			out.Err = fmt.Errorf("command %s: %w", cmd.ID, waitErr)
		}
	}
	if out.Err != nil {
		out.Kind = Classify(out.Err)
	}
	if out.Truncated && (out.Kind == KindNone || out.Kind == KindOutputLimit) {
		out.Kind = KindOutputLimit
		if out.Err == nil {
			out.Err = fmt.Errorf("command %s: %w: more than %d bytes on a stream", cmd.ID, ErrOutputLimit, hc.limit)
		}
	}
	return out
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

// newSession opens a session under ctx: a peer that never confirms the
// channel cannot hold the command past its deadline. A session that
// arrives late is closed.
func (hc *hostConn) newSession(ctx context.Context) (*ssh.Session, error) {
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
