//go:build !linux

package fleetsim

import (
	"fmt"
	"io"
	"net"
	"net/netip"
)

// nopCloser stands for a reservation that holds nothing.
type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// reservePort finds a free port on addr (when port is 0) by listening and
// closing again; unlike on Linux, the port is not held afterwards.
func reservePort(addr netip.Addr, port int) (io.Closer, int, error) {
	ln, err := net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(netip.AddrPortFrom(addr, uint16(port))))
	if err != nil {
		return nil, 0, fmt.Errorf("listen: %w", err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		return nil, 0, fmt.Errorf("close: %w", err)
	}
	return nopCloser{}, p, nil
}
