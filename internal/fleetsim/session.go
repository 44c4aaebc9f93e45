package fleetsim

import (
	"net"
	"time"

	"golang.org/x/crypto/ssh"
)

// Payloads of the session requests fleetsim reads and sends (RFC 4254).
type (
	execMsg       struct{ Command string }
	signalMsg     struct{ Signal string }
	exitStatusMsg struct{ Status uint32 }
	exitSignalMsg struct {
		Signal     string
		CoreDumped bool
		Error      string
		Lang       string
	}
)

// dropPartMax caps the output FaultDropMidOutput writes before dropping.
const dropPartMax = 4 << 10

// serveSession answers the requests of one session channel: env is
// accepted and ignored, one exec runs a command, signal reaches it, and
// everything else (pty-req, shell, subsystem, ...) is refused.
func (f *Fleet) serveSession(h *host, conn net.Conn, nc ssh.NewChannel) {
	ch, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	h.sessions.Add(1)
	sig := make(chan string, 1)
	gone := make(chan struct{}) // closed once the channel is closed
	started := false
	for req := range reqs {
		switch req.Type {
		case "env":
			_ = req.Reply(true, nil)
		case "exec":
			var m execMsg
			if started || ssh.Unmarshal(req.Payload, &m) != nil {
				_ = req.Reply(false, nil)
				continue
			}
			started = true
			_ = req.Reply(true, nil)
			if !f.goTracked(func() { f.runCommand(h, conn, ch, m.Command, sig, gone) }) {
				_ = ch.Close()
			}
		case "signal":
			var m signalMsg
			if !started || ssh.Unmarshal(req.Payload, &m) != nil {
				_ = req.Reply(false, nil)
				continue
			}
			h.recordSignal(m.Signal)
			select {
			case sig <- m.Signal:
			default: // a signal is already pending
			}
			_ = req.Reply(true, nil)
		default:
			_ = req.Reply(false, nil)
		}
	}
	close(gone)
	if !started {
		_ = ch.Close()
	}
}

// runCommand answers one exec on ch according to h's responder and fault.
func (f *Fleet) runCommand(h *host, conn net.Conn, ch ssh.Channel, cmd string, sig <-chan string, gone <-chan struct{}) {
	defer ch.Close()
	h.recordExec(cmd)
	fault := h.currentFault()
	if fault == FaultFlood {
		f.flood(ch, sig, gone)
		return
	}
	resp := h.respondTo(cmd)
	delay := resp.Delay
	if fault == FaultSlow {
		delay += h.slowDelay
	}
	if delay > 0 {
		s, elapsed := f.pause(delay, sig, gone, resp.IgnoreSignals)
		if !elapsed {
			if s != "" {
				exitSignal(ch, s)
			}
			return
		}
	}
	if fault == FaultDropMidOutput {
		if len(resp.Stdout) > 0 {
			_, _ = ch.Write([]byte(resp.Stdout[:min(len(resp.Stdout)/2, dropPartMax)]))
		} else {
			_, _ = ch.Stderr().Write([]byte(resp.Stderr[:min(len(resp.Stderr)/2, dropPartMax)]))
		}
		_ = conn.Close() // no EOF, no exit status, no SSH disconnect
		return
	}
	if resp.Stdout != "" {
		if _, err := ch.Write([]byte(resp.Stdout)); err != nil {
			return
		}
	}
	if resp.Stderr != "" {
		if _, err := ch.Stderr().Write([]byte(resp.Stderr)); err != nil {
			return
		}
	}
	exitStatus(ch, resp.ExitCode)
}

// pause waits d; it reports the signal that ended the wait early, or
// elapsed=true when d passed. Closing the session or the fleet ends it too.
func (f *Fleet) pause(d time.Duration, sig <-chan string, gone <-chan struct{}, ignoreSignals bool) (signal string, elapsed bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			return "", true
		case s := <-sig:
			if ignoreSignals {
				continue
			}
			return s, false
		case <-gone:
			return "", false
		case <-f.ctx.Done():
			return "", false
		}
	}
}

// flood writes FloodBytes of output as fast as the client reads it,
// stopping early on a signal or when the channel closes.
func (f *Fleet) flood(ch ssh.Channel, sig <-chan string, gone <-chan struct{}) {
	for left := f.floodBytes; left > 0; {
		select {
		case s := <-sig:
			exitSignal(ch, s)
			return
		case <-gone:
			return
		case <-f.ctx.Done():
			return
		default:
		}
		n := int(min(left, int64(len(f.floodChunk))))
		if _, err := ch.Write(f.floodChunk[:n]); err != nil {
			return
		}
		left -= int64(n)
	}
	exitStatus(ch, 0)
}

// exitStatus ends a command as sshd does: EOF, exit-status, then close.
func exitStatus(ch ssh.Channel, code int) {
	_ = ch.CloseWrite()
	_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(exitStatusMsg{Status: uint32(code)}))
	_ = ch.Close()
}

// exitSignal ends a command killed by signal s (a name without "SIG").
func exitSignal(ch ssh.Channel, s string) {
	_ = ch.CloseWrite()
	_, _ = ch.SendRequest("exit-signal", false, ssh.Marshal(exitSignalMsg{Signal: s, Error: "killed by signal " + s}))
	_ = ch.Close()
}

// floodChunk is the block FaultFlood repeats: 32 KiB of text lines.
func floodChunk() []byte {
	const line = "fleetsim flood: the quick brown fox jumps over the lazy dog 0123456789\n"
	b := make([]byte, 32<<10)
	for i := range b {
		b[i] = line[i%len(line)]
	}
	return b
}
