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

// dialer holds what one Run needs to open connections.
type dialer struct {
	r         *Runner
	agentKeys []ssh.Signer
	jumps     *jumpPool

	defaultOnce sync.Once
	defaultAuth []ssh.AuthMethod // shared by endpoints naming no IdentityFile
}

// connect dials target with its connect timeout under ctx, through the
// Run's shared connection to its jump hosts when hops are set.
func (d *dialer) connect(ctx context.Context, target *endpoint, hops []string) (*ssh.Client, error) {
	var via *ssh.Client
	if len(hops) > 0 {
		c, err := d.jumps.client(ctx, hops)
		if err != nil {
			return nil, err
		}
		via = c
	}
	return d.dialOne(ctx, target, via)
}

// dialChain connects to hops in order, each through the previous one,
// each with its own connect timeout under ctx.
func (d *dialer) dialChain(ctx context.Context, hops []string) ([]*ssh.Client, error) {
	clients := make([]*ssh.Client, 0, len(hops))
	closeAll := func() {
		for i := len(clients) - 1; i >= 0; i-- {
			clients[i].Close()
		}
	}
	var via *ssh.Client
	for _, spec := range hops {
		hop, err := d.r.resolver.resolveJump(spec)
		if err != nil {
			closeAll()
			return nil, err
		}
		c, err := d.dialOne(ctx, &hop, via)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("jump host %s: %w", hop.addr(), err)
		}
		clients = append(clients, c)
		via = c
	}
	return clients, nil
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
