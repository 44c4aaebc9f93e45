package runner

import (
	"context"
	"time"

	"golang.org/x/crypto/ssh"
)

// keepalive sends keepalive@openssh.com every interval until ctx ends and
// calls lost (which must close the client) when a reply does not come
// within the interval. Any reply, even a refusal, proves the peer alive.
func keepalive(ctx context.Context, c *ssh.Client, every time.Duration, lost func(error)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	wait := time.NewTimer(every)
	defer wait.Stop()
	reply := make(chan error, 1)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		go func() {
			_, _, err := c.SendRequest("keepalive@openssh.com", true, nil)
			reply <- err
		}()
		wait.Reset(every)
		select {
		case <-ctx.Done():
			return
		case err := <-reply:
			if err != nil {
				return // the connection is gone; its users see why
			}
		case <-wait.C:
			lost(&timeoutError{subject: "server not responding", what: "no keepalive reply", after: every})
			return
		}
	}
}
