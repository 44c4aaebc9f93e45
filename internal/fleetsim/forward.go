package fleetsim

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"time"

	"golang.org/x/crypto/ssh"
)

// directTCPIPMsg is the payload of a "direct-tcpip" channel open (RFC 4254 7.2).
type directTCPIPMsg struct {
	Host       string
	Port       uint32
	OriginHost string
	OriginPort uint32
}

// forwardDialTimeout bounds the dial of a forwarded connection.
const forwardDialTimeout = 5 * time.Second

// forward serves a "direct-tcpip" channel, as a ProxyJump bastion does,
// to loopback targets only.
func (f *Fleet) forward(h *host, nc ssh.NewChannel) {
	var m directTCPIPMsg
	if err := ssh.Unmarshal(nc.ExtraData(), &m); err != nil {
		_ = nc.Reject(ssh.ConnectionFailed, "fleetsim: bad direct-tcpip request")
		return
	}
	target, err := loopbackTarget(m.Host, m.Port)
	if err != nil {
		_ = nc.Reject(ssh.Prohibited, err.Error())
		return
	}
	d := net.Dialer{Timeout: forwardDialTimeout}
	tc, err := d.DialContext(f.ctx, "tcp", target)
	if err != nil {
		_ = nc.Reject(ssh.ConnectionFailed, fmt.Sprintf("fleetsim: %s: %v", h.name, err))
		return
	}
	if !f.track(tc) {
		_ = tc.Close()
		_ = nc.Reject(ssh.ConnectionFailed, "fleetsim: fleet closed")
		return
	}
	defer f.untrack(tc)
	defer tc.Close()
	ch, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	defer ch.Close()
	f.goTracked(func() { ssh.DiscardRequests(reqs) })
	pipe(ch, tc.(*net.TCPConn))
}

// pipe copies both ways, passing EOF on as a half close; an error in
// either direction ends both.
func pipe(ch ssh.Channel, tc *net.TCPConn) {
	up := make(chan error, 1)
	go func() {
		_, err := io.Copy(tc, ch)
		if err == nil {
			err = tc.CloseWrite()
		}
		up <- err
	}()
	_, err := io.Copy(ch, tc)
	if err == nil {
		err = ch.CloseWrite()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		_ = ch.Close()
		_ = tc.Close()
	}
	<-up
}

// loopbackTarget returns host:port when host is a loopback address or
// "localhost", and an error otherwise.
func loopbackTarget(host string, port uint32) (string, error) {
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() || port == 0 || port > 65535 {
		return "", fmt.Errorf("fleetsim: forwarding to %s:%d is prohibited: loopback targets only", host, port)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(int(port))), nil
}
