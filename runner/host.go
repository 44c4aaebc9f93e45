package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// maxSessions bounds the concurrent sessions on one connection (OpenSSH's
// MaxSessions defaults to 10).
const maxSessions = 8

// hostConn is one live connection shared by a host's commands.
type hostConn struct {
	client *ssh.Client
	sem    chan struct{} // session slots
	limit  int           // Config.OutputLimit
	// hostTimeout is Config.HostTimeout: the deadline of commands that
	// have none of their own.
	hostTimeout time.Duration

	mu       sync.Mutex
	why      error                     // why the connection was closed by us, first reason wins
	sessions map[*ssh.Session]struct{} // commands under way, signalled before a close for a deadline or Ctrl-C
}

// track records a running session (untrack forgets it) so that
// interrupt can signal it.
func (hc *hostConn) track(s *ssh.Session) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if hc.sessions == nil {
		hc.sessions = map[*ssh.Session]struct{}{}
	}
	hc.sessions[s] = struct{}{}
}

func (hc *hostConn) untrack(s *ssh.Session) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	delete(hc.sessions, s)
}

// signalWait bounds how long interrupt waits for its signals to be
// written before it closes the connection anyway.
const signalWait = 100 * time.Millisecond

// interrupt sends SIGTERM to every command under way, so that it does not
// keep running on the host after its connection is gone, then closes the
// connection for why.
func (hc *hostConn) interrupt(why error) {
	hc.mu.Lock()
	sessions := make([]*ssh.Session, 0, len(hc.sessions))
	for s := range hc.sessions {
		sessions = append(sessions, s)
	}
	hc.mu.Unlock()
	if len(sessions) > 0 {
		sent := make(chan struct{})
		go func() {
			for _, s := range sessions {
				_ = s.Signal(ssh.SIGTERM)
			}
			close(sent)
		}()
		t := time.NewTimer(signalWait)
		select {
		case <-sent:
		case <-t.C:
		}
		t.Stop()
	}
	hc.closeFor(why)
}

// closeFor records why the connection is being closed and closes it.
func (hc *hostConn) closeFor(why error) {
	hc.mu.Lock()
	if hc.why == nil {
		hc.why = why
	}
	hc.mu.Unlock()
	hc.client.Close()
}

// closedWhy returns the reason recorded by closeFor, nil while open.
func (hc *hostConn) closedWhy() error {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	return hc.why
}

// errFinished is the reason a connection is closed once its host is done.
var errFinished = errors.New("host finished")

// runHost connects to the task's host and runs its commands, all under
// the host timeout. It never panics outward: a panic is the host's
// KindError output.
func (d *dialer) runHost(ctx context.Context, t Task) (ho HostOutput) {
	ho.Host = t.Host
	ho.Started = time.Now()
	defer func() {
		if p := recover(); p != nil {
			ho.Err = fmt.Errorf("host %s: panic: %v", t.Host.Name, p)
			ho.Kind = KindError
		}
		ho.Duration = time.Since(ho.Started)
	}()
	r := d.r
	ep, hops, err := r.resolver.resolveHost(t.Host)
	ho.Address = ep.addr()
	if err != nil {
		ho.Err, ho.Kind = fmt.Errorf("host %s: %w", t.Host.Name, err), KindError
		return ho
	}
	hostCtx, cancel := context.WithTimeoutCause(ctx, r.cfg.HostTimeout,
		&timeoutError{subject: "host " + t.Host.Name, what: "not done (host timeout)", after: r.cfg.HostTimeout})
	defer cancel()

	client, err := d.connect(hostCtx, &ep, hops)
	if err != nil {
		ho.Err = fmt.Errorf("host %s: %w", t.Host.Name, err)
		ho.Kind = Classify(ho.Err)
		return ho
	}
	hc := &hostConn{client: client, sem: make(chan struct{}, maxSessions), limit: r.cfg.OutputLimit, hostTimeout: r.cfg.HostTimeout}
	defer hc.closeFor(errFinished)
	stop := context.AfterFunc(hostCtx, func() { hc.interrupt(ctxErr(hostCtx)) })
	defer stop()
	defer startKeepalive(client, r.cfg.Keepalive, hc.closeFor)()

	ho.Commands = make([]CommandOutput, len(t.Commands))
	if len(t.Commands) == 1 {
		ho.Commands[0] = hc.runCommand(hostCtx, t.Commands[0])
	} else {
		var wg sync.WaitGroup
		for i := range t.Commands {
			wg.Go(func() { ho.Commands[i] = hc.runCommand(hostCtx, t.Commands[i]) })
		}
		wg.Wait()
	}

	failed, lostOne := false, false
	for i := range ho.Commands {
		switch ho.Commands[i].Kind {
		case KindNone, KindOutputLimit:
		case KindConnectionLost:
			failed, lostOne = true, true
		default:
			failed = true
		}
	}
	if !failed {
		return ho
	}
	switch why := hc.closedWhy(); {
	case hostCtx.Err() != nil:
		ho.Err = ctxErr(hostCtx)
	case why != nil:
		ho.Err = fmt.Errorf("host %s: %w", t.Host.Name, why)
	case lostOne && connectionEnded(client, lostGrace):
		ho.Err = fmt.Errorf("host %s: connection lost: %w", t.Host.Name, io.ErrUnexpectedEOF)
	default:
		return ho // individual command failures only
	}
	ho.Kind = Classify(ho.Err)
	return ho
}

// lostGrace is how long a host whose session broke waits to learn whether
// the whole connection went down with it (it returns as soon as it does;
// 200 ms was too short for a loaded machine to notice).
const lostGrace = time.Second

// connectionEnded reports whether the client's connection ends within d.
// It waits only on this failure path: a goroutine per host waiting for
// every connection to end would be spent on hosts that went well.
func connectionEnded(client *ssh.Client, d time.Duration) bool {
	ended := make(chan struct{})
	go func() {
		client.Wait()
		close(ended)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ended:
		return true
	case <-t.C:
		return false
	}
}
