//go:build linux

package fleetsim

import (
	"fmt"
	"io"
	"net/netip"
	"syscall"
)

// reservedSocket is a TCP socket bound to a port but not listening: it
// keeps the port from other listeners while connections to it are refused.
type reservedSocket int

func (s reservedSocket) Close() error { return syscall.Close(int(s)) }

// reservePort binds addr:port (port 0 picks one) without listening and
// returns the socket and the port it holds.
func reservePort(addr netip.Addr, port int) (io.Closer, int, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("socket: %w", err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		_ = syscall.Close(fd)
		return nil, 0, fmt.Errorf("setsockopt: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Port: port, Addr: addr.As4()}); err != nil {
		_ = syscall.Close(fd)
		return nil, 0, fmt.Errorf("bind: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		_ = syscall.Close(fd)
		return nil, 0, fmt.Errorf("getsockname: %w", err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		_ = syscall.Close(fd)
		return nil, 0, fmt.Errorf("getsockname: unexpected address %T", sa)
	}
	return reservedSocket(fd), in4.Port, nil
}
