package fleetsim

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// latencyConn delays the first write after each read from the peer (and
// the very first write, standing for the TCP handshake) by a fixed
// latency, so every request/response round trip costs one latency.
type latencyConn struct {
	net.Conn
	latency   time.Duration
	readSince atomic.Bool // a read happened since the last write
	closed    chan struct{}
	closeOnce sync.Once
}

func newLatencyConn(c net.Conn, latency time.Duration) *latencyConn {
	lc := &latencyConn{Conn: c, latency: latency, closed: make(chan struct{})}
	lc.readSince.Store(true)
	return lc
}

// Read reads from the peer and arms the delay of the next write.
func (c *latencyConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.readSince.Store(true)
	}
	return n, err
}

// Write waits one latency if it answers a read, then writes.
func (c *latencyConn) Write(p []byte) (int, error) {
	if c.readSince.Swap(false) {
		t := time.NewTimer(c.latency)
		select {
		case <-t.C:
		case <-c.closed:
			t.Stop()
			return 0, net.ErrClosed
		}
	}
	return c.Conn.Write(p)
}

// Close closes the connection and ends a pending delay.
func (c *latencyConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}
