package runner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// connection is an SSH client and the jump clients it is tunnelled
// through; Close closes them all, innermost first.
type connection struct {
	client *ssh.Client
	jumps  []*ssh.Client
}

// Close closes the client and every jump client under it.
func (c *connection) Close() error {
	err := c.client.Close()
	for i := len(c.jumps) - 1; i >= 0; i-- {
		c.jumps[i].Close()
	}
	return err
}

// dialer holds what one Run needs to open connections.
type dialer struct {
	r         *Runner
	agentKeys []ssh.Signer

	defaultOnce sync.Once
	defaultAuth []ssh.AuthMethod // shared by endpoints naming no IdentityFile
}

// connect dials target through hops (in order), each hop and the target
// with its own connect timeout under ctx.
func (d *dialer) connect(ctx context.Context, target *endpoint, hops []string) (*connection, error) {
	conn := &connection{}
	var via *ssh.Client
	for _, spec := range hops {
		hop, err := d.r.resolver.resolveJump(spec)
		if err != nil {
			conn.closeJumps()
			return nil, err
		}
		c, err := d.dialOne(ctx, &hop, via)
		if err != nil {
			conn.closeJumps()
			return nil, fmt.Errorf("jump host %s: %w", hop.addr(), err)
		}
		conn.jumps = append(conn.jumps, c)
		via = c
	}
	c, err := d.dialOne(ctx, target, via)
	if err != nil {
		conn.closeJumps()
		return nil, err
	}
	conn.client = c
	return conn, nil
}

func (c *connection) closeJumps() {
	for i := len(c.jumps) - 1; i >= 0; i-- {
		c.jumps[i].Close()
	}
}

// dialOne opens a TCP connection to ep (directly, or through via) and
// runs the SSH handshake, both bounded by ep's connect timeout: the
// handshake through a context that closes the connection, since
// ClientConfig.Timeout bounds only the dial and deadlines do not work on
// tunnelled connections.
func (d *dialer) dialOne(ctx context.Context, ep *endpoint, via *ssh.Client) (*ssh.Client, error) {
	addr := ep.addr()
	ctx, cancel := context.WithTimeoutCause(ctx, ep.connectTimeout,
		&timeoutError{subject: "connect " + addr, what: "no answer", after: ep.connectTimeout})
	defer cancel()
	policy, err := d.r.hostKeys.policy(ep)
	if err != nil {
		return nil, err
	}
	var nc net.Conn
	if via == nil {
		nd := net.Dialer{Timeout: ep.connectTimeout, KeepAlive: 30 * time.Second}
		nc, err = nd.DialContext(ctx, "tcp", addr)
	} else {
		nc, err = via.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		var dnsErr *net.DNSError
		if !errors.As(err, &dnsErr) && ctx.Err() != nil {
			err = ctxErr(ctx)
		}
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	cfg := &ssh.ClientConfig{
		User:              ep.user,
		Auth:              d.authFor(ep),
		HostKeyCallback:   policy.callback,
		HostKeyAlgorithms: policy.algorithms,
		Timeout:           ep.connectTimeout,
		ClientVersion:     "SSH-2.0-fleetcheck",
	}
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	sc, chans, reqs, err := ssh.NewClientConn(nc, addr, cfg)
	if !stop() {
		if err == nil {
			sc.Close()
		}
		nc.Close()
		return nil, fmt.Errorf("ssh handshake %s: %w", addr, ctxErr(ctx))
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("ssh handshake %s: %w", addr, err)
	}
	return ssh.NewClient(sc, chans, reqs), nil
}

// authFor returns ep's auth methods; endpoints without identity files of
// their own share one list.
func (d *dialer) authFor(ep *endpoint) []ssh.AuthMethod {
	if len(ep.identityFiles) > 0 {
		return d.r.authMethods(ep, d.agentKeys)
	}
	d.defaultOnce.Do(func() { d.defaultAuth = d.r.authMethods(ep, d.agentKeys) })
	return d.defaultAuth
}
