package runner

import (
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// keepalive sends keepalive@openssh.com on a connection every interval
// and calls lost (which must close the client) when a reply does not come
// within the interval. Any reply, even a refusal, proves the peer alive.
// It runs on timers: a host done before its first interval (nearly every
// host of a sweep) costs one timer and no goroutine.
type keepalive struct {
	c     *ssh.Client
	every time.Duration
	lost  func(error)

	mu      sync.Mutex
	stopped bool
	next    *time.Timer // the next probe
}

// startKeepalive starts probing c every interval until stop is called.
func startKeepalive(c *ssh.Client, every time.Duration, lost func(error)) (stop func()) {
	k := &keepalive{c: c, every: every, lost: lost}
	k.mu.Lock()
	k.next = time.AfterFunc(every, k.probe)
	k.mu.Unlock()
	return k.stop
}

// stop ends the probing; a probe in flight ends with the connection.
func (k *keepalive) stop() {
	k.mu.Lock()
	k.stopped = true
	k.next.Stop()
	k.mu.Unlock()
}

// probe sends one request, runs on its timer's goroutine, and schedules
// the next probe once the reply came.
func (k *keepalive) probe() {
	k.mu.Lock()
	stopped := k.stopped
	k.mu.Unlock()
	if stopped {
		return
	}
	silent := time.AfterFunc(k.every, func() {
		k.mu.Lock()
		stopped := k.stopped
		k.mu.Unlock()
		if !stopped {
			k.lost(&timeoutError{subject: "server not responding", what: "no keepalive reply", after: k.every})
		}
	})
	_, _, err := k.c.SendRequest("keepalive@openssh.com", true, nil)
	if !silent.Stop() || err != nil {
		return // declared lost, or the connection is gone: its users see why
	}
	k.mu.Lock()
	if !k.stopped {
		k.next.Reset(k.every)
	}
	k.mu.Unlock()
}
