package fleetsim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"golang.org/x/crypto/ssh"
)

// serverVersion is the banner every host sends.
const serverVersion = "SSH-2.0-fleetsim"

// acceptLoop accepts connections on ln until it is closed.
func (f *Fleet) acceptLoop(h *host, ln *net.TCPListener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || f.ctx.Err() != nil {
				return
			}
			slog.Debug("fleetsim: accept", "host", h.name, "err", err)
			select {
			case <-f.ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		h.conns.Add(1)
		var conn net.Conn = c
		if f.latency > 0 {
			conn = newLatencyConn(c, f.latency)
		}
		if !f.track(conn) {
			_ = conn.Close()
			return
		}
		if !f.goTracked(func() { f.serveConn(h, conn) }) {
			_ = conn.Close()
			f.untrack(conn)
			return
		}
	}
}

// serveConn runs one SSH connection: handshake, global requests, channels.
func (f *Fleet) serveConn(h *host, conn net.Conn) {
	defer f.untrack(conn)
	defer conn.Close()
	fault := h.currentFault()
	if fault == FaultHangBeforeBanner {
		_, _ = io.Copy(io.Discard, conn) // until the client or Close ends it
		return
	}
	cfg, err := f.serverConfig(h, fault)
	if err != nil {
		slog.Warn("fleetsim: server config", "host", h.name, "err", err)
		return
	}
	sconn, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		slog.Debug("fleetsim: handshake", "host", h.name, "err", err)
		return
	}
	defer sconn.Close()
	f.goTracked(func() { ssh.DiscardRequests(reqs) }) // replies false, as OpenSSH does to keepalives
	var held []ssh.NewChannel
	for nc := range chans {
		if h.currentFault() == FaultHangAfterAuth {
			held = append(held, nc) // never accepted nor rejected
			continue
		}
		switch nc.ChannelType() {
		case "session":
			f.goTracked(func() { f.serveSession(h, conn, nc) })
		case "direct-tcpip":
			f.goTracked(func() { f.forward(h, nc) })
		default:
			_ = nc.Reject(ssh.UnknownChannelType, "fleetsim: unsupported channel type")
		}
	}
	if len(held) > 0 {
		slog.Debug("fleetsim: connection ended with unanswered channels", "host", h.name, "channels", len(held))
	}
}

// serverConfig builds the SSH server configuration of one connection.
func (f *Fleet) serverConfig(h *host, fault Fault) (*ssh.ServerConfig, error) {
	signer, err := h.hostKeyFor(fault)
	if err != nil {
		return nil, err
	}
	cfg := &ssh.ServerConfig{
		ServerVersion: serverVersion,
		PublicKeyCallback: func(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			switch {
			case fault == FaultRejectAuth:
				return nil, fmt.Errorf("fleetsim: %s rejects every key", h.name)
			case meta.User() != f.user:
				return nil, fmt.Errorf("fleetsim: unknown user %q", meta.User())
			case !bytes.Equal(key.Marshal(), f.clientPub):
				return nil, fmt.Errorf("fleetsim: unknown key for %q", meta.User())
			}
			return nil, nil
		},
	}
	cfg.AddHostKey(signer)
	if h.cert != nil && fault != FaultWrongHostKey {
		cfg.AddHostKey(h.cert)
	}
	return cfg, nil
}
